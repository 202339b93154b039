/*
 * kubeclip-relay: the steady state of a kubeclip-opencode relay, in a ~1 MiB process.
 *
 * Why it exists: Paperclip keeps one kubeclip-opencode process alive per agent run, for as
 * long as the run lasts. A CPython process costs ~8.5 MiB RSS before it imports anything, so
 * 100 concurrent runs cost ~1 GiB in relays alone. The Python relay (relay.py) does the rare,
 * intricate parts: gathering the invocation, starting or finding `kubeclip serve`, sending
 * the run. Then it execs this program (same pid: Paperclip waits for it) with the connected
 * socket, and this program only copies frames until the end:
 *
 *   O/E  the agent's stdout/stderr bytes -> fd 1 / fd 2 (counted: the offsets of a resume)
 *   P    a progress line -> $KUBECLIP_PROGRESS ("stderr" or a file; unset: dropped)
 *   F    the run's result -> $KUBECLIP_RESULT_FILE
 *   X    the end: "<code>" or "<code> <SIGNAL>" -> exit with it, or end by that signal
 *
 * SIGTERM/SIGINT become a cancel frame ("C" + the signal's name), once per connection. The
 * handler also writes a byte to a pipe the frame loop polls with the socket: a signal that
 * comes after the loop looked for one but before it waits for the next frame still wakes it
 * (a quiet agent sends no frame to wake it; CI once saw a SIGTERM so lost for 30 s). When
 * the connection drops before X (serve restarted), it execs the Python relay again with the
 * invocation (an inherited memfd), the byte counts and the pending signal: Python reconnects
 * (starting serve if it must) and comes back here. Wire format: paperclip/protocol.py.
 *
 * usage: kubeclip-relay SOCKFD INVFD STDOUT_BYTES STDERR_BYTES SIGNAL|- SENT -- RESUME-ARGV...
 *
 * Any other argv is kubeclip-opencode's own (front.c): where a C compiler was found at
 * install, this program is also installed as kubeclip-opencode and starts the run itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <unistd.h>

#include "relay.h"

#define MAX_FRAME (64u << 20)
#define CHUNK 65536

static volatile sig_atomic_t got_signal; /* the first SIGTERM/SIGINT, 0 if none */
static int sock = -1;
static int cancel_sent;
static unsigned long long written[2]; /* stdout, stderr: bytes written by this relay */
static int broken[3];                   /* fd 1/2 closed by the reader: output dropped */
static unsigned char chunk[CHUNK];
static int wake[2] = {-1, -1}; /* the self-pipe: the handler's byte wakes the frame loop */

static void on_signal(int sig) {
    int saved = errno;
    if (!got_signal) got_signal = sig;
    if (wake[1] >= 0) (void)!write(wake[1], "s", 1); /* non-blocking: full is awake enough */
    errno = saved;
}

static const char *signal_name(int sig) {
    return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

static void send_cancel(void) {
    if (!got_signal || cancel_sent) return;
    const char *name = signal_name(got_signal);
    unsigned char frame[5 + 8];
    size_t n = strlen(name);
    frame[0] = 'C';
    frame[1] = 0; frame[2] = 0; frame[3] = 0; frame[4] = (unsigned char)n;
    memcpy(frame + 5, name, n);
    size_t off = 0, total = 5 + n;
    while (off < total) {
        ssize_t w = send(sock, frame + off, total - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return; /* sent again after reconnecting */
        off += (size_t)w;
    }
    cancel_sent = 1;
}

/* Write everything to fd; a reader that went away drops the rest (the run goes on). */
static void write_all(int fd, const unsigned char *data, size_t n) {
    if (fd < 3 && broken[fd]) return;
    while (n) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR) { send_cancel(); continue; }
        if (w < 0) { if (fd < 3) broken[fd] = 1; return; }
        data += w;
        n -= (size_t)w;
    }
}

/* Wait until the socket can be read, sending a cancel for a signal that came meanwhile,
   however late before the wait it came (the self-pipe). */
static void wait_readable(void) {
    for (;;) {
        struct pollfd fds[2] = {{sock, POLLIN, 0}, {wake[0], POLLIN, 0}};
        int ready = poll(fds, wake[0] >= 0 ? 2 : 1, -1);
        if (ready < 0 && errno != EINTR) return; /* recv then says what is wrong */
        if (ready > 0 && (fds[1].revents & POLLIN)) {
            unsigned char drain[64];
            while (read(wake[0], drain, sizeof drain) > 0) {}
        }
        send_cancel();
        if (ready > 0 && fds[0].revents) return;
    }
}

/* Read exactly n bytes from the socket: 0, or -1 when the connection ends or fails. */
static int read_exact(unsigned char *dst, size_t n) {
    while (n) {
        wait_readable();
        ssize_t r = recv(sock, dst, n, 0);
        if (r < 0 && errno == EINTR) { send_cancel(); continue; }
        if (r <= 0) return -1;
        dst += r;
        n -= (size_t)r;
    }
    return 0;
}

/* JSON string escaping as Python's json.dumps(ensure_ascii=False) does it, into out. */
static size_t json_escape(const char *text, unsigned char *out, size_t room) {
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && k + 6 < room; p++) {
        const char *brief = NULL;
        switch (*p) {
            case '"': brief = "\\\""; break;
            case '\\': brief = "\\\\"; break;
            case '\n': brief = "\\n"; break;
            case '\r': brief = "\\r"; break;
            case '\t': brief = "\\t"; break;
            case '\b': brief = "\\b"; break;
            case '\f': brief = "\\f"; break;
        }
        if (brief) { out[k++] = (unsigned char)brief[0]; out[k++] = (unsigned char)brief[1]; }
        else if (*p < 0x20) {
            out[k++] = '\\'; out[k++] = 'u'; out[k++] = '0'; out[k++] = '0';
            out[k++] = (unsigned char)hex[*p >> 4]; out[k++] = (unsigned char)hex[*p & 15];
        } else out[k++] = *p;
    }
    return k;
}

void fail(const char *message) {
    /* The same two lines as the Python relay's _fail (kubeclip/paperclip/sinks.py, byte for
       byte): an OpenCode-style error event, a stderr line. */
    unsigned char text[2048], line[4608];
    size_t n = json_escape(message, text, sizeof text), k = 0;
    const char *parts[] = {"{\"type\": \"error\", \"error\": {\"name\": \"KubeclipError\", "
                           "\"message\": \"", "\", \"data\": {\"message\": \"", "\"}}}\n"};
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(parts[i]);
        memcpy(line + k, parts[i], len);
        k += len;
        if (i < 2) { memcpy(line + k, text, n); k += n; }
    }
    write_all(1, line, k);
    const char *prefix = "kubeclip-opencode: error: ";
    write_all(2, (const unsigned char *)prefix, strlen(prefix));
    write_all(2, (const unsigned char *)message, strlen(message));
    write_all(2, (const unsigned char *)"\n", 1);
}

/* Copy a payload of `size` bytes to fd (or drop it: fd < 0). -1 if the connection ended. */
static int payload_to(int fd, uint32_t size, unsigned long long *count) {
    while (size) {
        size_t n = size < CHUNK ? size : CHUNK;
        wait_readable();
        ssize_t r = recv(sock, chunk, n, 0);
        if (r < 0 && errno == EINTR) { send_cancel(); continue; }
        if (r <= 0) return -1;
        if (fd >= 0) write_all(fd, chunk, (size_t)r);
        if (count) *count += (unsigned long long)r;
        size -= (uint32_t)r;
    }
    return 0;
}

static char *trimmed_env(const char *name) {
    const char *v = getenv(name);
    if (!v) return NULL;
    while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' || *v == '\f' || *v == '\v') v++;
    char *copy = strdup(v);
    if (!copy) return NULL;
    size_t n = strlen(copy);
    while (n && strchr(" \t\n\r\f\v", copy[n - 1])) copy[--n] = 0;
    return copy;
}

static int progress(uint32_t size) {
    char *where = trimmed_env("KUBECLIP_PROGRESS");
    int fd = -1;
    if (where && strcmp(where, "stderr") == 0) fd = 2;
    else if (where && *where) fd = open(where, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    int ok = payload_to(fd, size, NULL);
    if (ok == 0 && fd >= 0) write_all(fd, (const unsigned char *)"\n", 1);
    if (fd > 2) close(fd);
    free(where);
    return ok;
}

static int result(uint32_t size) {
    const char *path = getenv("KUBECLIP_RESULT_FILE");
    int fd = -1;
    if (path && *path) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            char message[1024];
            snprintf(message, sizeof message, "cannot write the result to %s: %s", path,
                     strerror(errno));
            fail(message);
        }
    }
    int ok = payload_to(fd, size, NULL);
    if (ok == 0 && fd >= 0) write_all(fd, (const unsigned char *)"\n", 1);
    if (fd >= 0) close(fd);
    return ok;
}

static void finish(uint32_t size) {
    char text[64] = {0};
    if (size >= sizeof text || read_exact((unsigned char *)text, size) < 0) exit(3);
    char *rest = NULL;
    long code = strtol(text, &rest, 10);
    while (rest && *rest == ' ') rest++;
    int sig = 0;
    if (rest && strcmp(rest, "SIGTERM") == 0) sig = SIGTERM;
    if (rest && strcmp(rest, "SIGINT") == 0) sig = SIGINT;
    if (sig) { /* end *by* the signal, as a local opencode does (exitCode null) */
        sigset_t set;
        signal(sig, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        sleep(5);
    }
    exit((int)code);
}

/* The invocation for the Python relay: the memfd it gave us, or front.c's record in a new
   one (never a file on disk: it holds the run's variables). NULL if none can be made. */
static const char *invocation_fd(struct handback *back, char *buf, size_t room) {
    if (back->invfd) return back->invfd;
    int fd = memfd_create("kubeclip-invocation", 0); /* no MFD_CLOEXEC: the exec keeps it */
    if (fd < 0) return NULL;
    for (size_t off = 0; off < back->record_len;) {
        ssize_t w = write(fd, back->record + off, back->record_len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { close(fd); return NULL; }
        off += (size_t)w;
    }
    snprintf(buf, room, "%d", fd);
    return buf;
}

/* The connection dropped before the end: hand back to the Python relay to reconnect. */
static void resume(struct handback *back) {
    char out[32], err[32], fdbuf[32];
    char *argv[back->argc + 5];
    sigset_t set;
    close(sock);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL); /* pending across exec; Python's handlers take it */
    const char *invfd = invocation_fd(back, fdbuf, sizeof fdbuf);
    if (!invfd) {
        fail("lost kubeclip serve and cannot keep the run to reconnect");
        exit(3);
    }
    snprintf(out, sizeof out, "%llu", written[0]);
    snprintf(err, sizeof err, "%llu", written[1]);
    for (int i = 0; i < back->argc; i++) argv[i] = back->argv[i];
    argv[back->argc] = (char *)invfd;
    argv[back->argc + 1] = out;
    argv[back->argc + 2] = err;
    argv[back->argc + 3] = got_signal ? (char *)signal_name(got_signal) : (char *)"-";
    argv[back->argc + 4] = NULL;
    execv(argv[0], argv);
    char message[512];
    snprintf(message, sizeof message, "lost kubeclip serve and cannot reconnect: %s: %s",
             argv[0], strerror(errno));
    fail(message);
    exit(3);
}

void pump(int sockfd, unsigned long long out, unsigned long long err, int pending_signal,
          int sent, struct handback *back) {
    sock = sockfd;
    written[0] = out;
    written[1] = err;
    got_signal = pending_signal;
    cancel_sent = sent;
    if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) < 0) wake[0] = wake[1] = -1; /* then: as before */

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked recv/write returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_UNBLOCK, &set, NULL); /* blocked across the exec or the front's start */
    send_cancel();

    for (;;) {
        unsigned char head[5];
        send_cancel();
        if (read_exact(head, 5) < 0) resume(back);
        uint32_t size = ((uint32_t)head[1] << 24) | ((uint32_t)head[2] << 16) |
                        ((uint32_t)head[3] << 8) | (uint32_t)head[4];
        if (size > MAX_FRAME) resume(back);
        int ok;
        switch (head[0]) {
        case 'O': ok = payload_to(1, size, &written[0]); break;
        case 'E': ok = payload_to(2, size, &written[1]); break;
        case 'P': ok = progress(size); break;
        case 'F': ok = result(size); break;
        case 'X': finish(size); exit(3);
        default: ok = payload_to(-1, size, NULL); break;
        }
        if (ok < 0) resume(back);
    }
}

int main(int argc, char **argv) {
    if (argc < 9 || strcmp(argv[7], "--") != 0 || argv[1][0] < '0' || argv[1][0] > '9')
        front(argc, argv); /* kubeclip-opencode's argv, not the Python relay's hand-over */
    int pending = 0;
    if (strcmp(argv[5], "SIGINT") == 0) pending = SIGINT;
    else if (strcmp(argv[5], "SIGTERM") == 0) pending = SIGTERM;
    struct handback back = {argv + 8, argc - 8, argv[2], NULL, 0};
    pump(atoi(argv[1]), strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10), pending,
         strcmp(argv[6], "1") == 0, &back);
}
