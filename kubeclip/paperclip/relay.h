/* kubeclip-relay's two halves: front.c (the start of a run: what kubeclip-opencode is, where
 * a C compiler was found at install) and pump.c (copying the run's frames until its end). */
#ifndef KUBECLIP_RELAY_H
#define KUBECLIP_RELAY_H

#include <stddef.h>

/* How to hand back to the Python relay when the connection to serve drops mid-run:
 * argv[0..argc) then the invocation's memfd, the byte counts and the pending signal. The
 * invocation is `invfd` (already in a memfd) or `record` (front.c's, put in one then). */
struct handback {
    char **argv;
    int argc;
    const char *invfd;
    const unsigned char *record;
    size_t record_len;
};

/* Copy frames from `sockfd` until the run's end; never returns. */
__attribute__((noreturn)) void pump(int sockfd, unsigned long long out, unsigned long long err, int pending_signal,
          int cancel_sent, struct handback *back);

/* kubeclip-opencode's start in C; never returns. */
__attribute__((noreturn)) void front(int argc, char **argv);

/* The error lines of the Python relay's _fail (kubeclip/paperclip/sinks.py, byte for byte). */
void fail(const char *message);

#endif
