/*
 * kubeclip-opencode's start, in C. Where a C compiler was found at install, the
 * kubeclip-opencode Paperclip runs is this program (kubeclip-relay installed under that name)
 * and the Python relay is kubeclip-opencode-python beside it.
 *
 * Why: a heartbeat starts one kubeclip-opencode per agent at the same moment. As CPython each
 * costs ~11 ms of CPU before it has sent its run; 100 at once are ~1.1 CPU-seconds on a
 * 2-core machine, taken from serve and the control plane exactly while they start those runs
 * (issue #25: start -> Job create p99 <= 1 s for 100 at once). This program sends the same
 * run in well under a millisecond and then copies its frames (pump.c) without an exec.
 *
 * It takes the common path only, and hands everything else to the Python relay untouched
 * (exec, same pid, stdin not read yet): not `run`, KUBECLIP_SERVE=off,
 * KUBECLIP_RELAY_NATIVE=off, no serve listening (Python starts one or waits for the
 * sidecar), the Paperclip server's environment unreadable, no working directory, a
 * KUBECLIP_PROGRESS or KUBECLIP_RESULT_FILE that cannot be written (Python says why:
 * kubeclip/paperclip/sinks.py).
 *
 * What it sends is the run as raw bytes, a `G` frame (kubeclip/paperclip/protocol.py): the
 * selection invocation.gather() makes (what Paperclip added, PAPERCLIP_* / KUBECLIP_*, the
 * basics; never the server's own environment), decoded by serve with invocation.from_raw().
 * tests/test_relay_front.py holds the two to the same invocation, field for field.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "relay.h"

#define PYTHON_RELAY "kubeclip-opencode-python"

extern char **environ;

/* Read by kubeclip besides PAPERCLIP_* / KUBECLIP_* and what Paperclip added: the BASICS of
   kubeclip/paperclip/invocation.py. */
static const char *const basics[] = {
    "HOSTNAME", "HOME", "PATH", "XDG_CONFIG_HOME", "TMPDIR", "TMP", "TEMP", "AGENT_HOME",
    "KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", NULL};

struct buf {
    unsigned char *data;
    size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *data = realloc(b->data, cap);
        if (!data) {
            fail("out of memory gathering the run");
            exit(3);
        }
        b->data = data;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u32(struct buf *b, uint32_t v) {
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(b, x, 4);
}

static void put_field(struct buf *b, const void *p, size_t n) {
    put_u32(b, (uint32_t)n);
    put(b, p, n);
}

static void put_str(struct buf *b, const char *s) { put_field(b, s, strlen(s)); }

/* All of fd into b: 0, or the errno of a failed read. */
static int slurp(int fd, struct buf *b) {
    unsigned char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (r == 0) return 0;
        put(b, chunk, (size_t)r);
    }
}

/* The Python relay beside this program (both installed in the same scripts directory). */
static void python_relay(char *out, size_t room) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    char *slash = strrchr(self, '/');
    if (slash) *slash = 0;
    snprintf(out, room, "%s/%s", slash ? self : ".", PYTHON_RELAY);
}

/* Exec the Python relay with our argv: it does everything we do not. */
static void hand_over(char **argv) {
    char path[PATH_MAX + sizeof PYTHON_RELAY];
    python_relay(path, sizeof path);
    argv[0] = path;
    execv(path, argv);
    char message[PATH_MAX + 256];
    snprintf(message, sizeof message, "cannot start the relay's Python side %s: %s", path,
             strerror(errno));
    fail(message);
    exit(3);
}

static int send_all(int fd, const unsigned char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int env_off(const char *name) {
    const char *v = getenv(name);
    if (!v) return 0;
    while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' || *v == '\f' || *v == '\v') v++;
    size_t n = strlen(v);
    while (n && strchr(" \t\n\r\f\v", v[n - 1])) n--;
    return (n == 3 && strncasecmp(v, "off", 3) == 0) || (n == 1 && v[0] == '0') ||
           (n == 5 && strncasecmp(v, "false", 5) == 0);
}

/* os.path.join(base, a, b) for a non-empty base, as protocol.default_socket and
   invocation.gather build their paths. */
static int join(char *out, size_t room, const char *base, const char *a, const char *b) {
    size_t n = strlen(base);
    const char *sep = n && base[n - 1] == '/' ? "" : "/";
    int k = snprintf(out, room, "%s%s%s/%s", base, sep, a, b);
    return k >= 0 && (size_t)k < room ? 0 : -1;
}

/* protocol.default_socket(), connected; -1 if nothing listens there (yet). */
static int connect_serve(void) {
    struct sockaddr_un addr;
    char path[PATH_MAX], user[32];
    const char *explicit = getenv("KUBECLIP_SERVE_SOCKET");
    if (explicit && *explicit) {
        if (snprintf(path, sizeof path, "%s", explicit) >= (int)sizeof path) return -1;
    } else {
        const char *base = getenv("XDG_RUNTIME_DIR");
        snprintf(user, sizeof user, "kubeclip-%u", (unsigned)getuid());
        if (join(path, sizeof path, base && *base ? base : "/tmp", user, "serve.sock") < 0)
            return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) return -1; /* Python says what is wrong */
    memcpy(addr.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The value of `name` (name_len bytes) in the parent's environment: its last occurrence, as
   the dict invocation.parent_environ() builds keeps it. NULL if absent. */
static const char *parent_value(const struct buf *parent, const char *name, size_t name_len) {
    const char *found = NULL;
    const char *p = (const char *)parent->data, *end = p + parent->len;
    while (p < end) {
        size_t n = strnlen(p, (size_t)(end - p));
        const char *eq = memchr(p, '=', n);
        if (eq && (size_t)(eq - p) == name_len && memcmp(p, name, name_len) == 0) found = eq + 1;
        p += n + 1;
    }
    return found;
}

static int kept_by_name(const char *name, size_t n) {
    if ((n >= 10 && memcmp(name, "PAPERCLIP_", 10) == 0) ||
        (n >= 9 && memcmp(name, "KUBECLIP_", 9) == 0))
        return 1;
    for (int i = 0; basics[i]; i++)
        if (strlen(basics[i]) == n && memcmp(basics[i], name, n) == 0) return 1;
    return 0;
}

/* Our environment as gather() selects it: the kept entries, the names the Paperclip server
   did not have (or had otherwise), and those of their values that are existing paths. */
static void put_environment(struct buf *record, const struct buf *parent) {
    struct buf env = {0}, added = {0}, local = {0};
    uint32_t n_env = 0, n_added = 0, n_local = 0;
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq) continue;
        size_t name_len = (size_t)(eq - *e);
        int seen = 0; /* the first of a name wins, as in os.environ */
        for (char **before = environ; before < e && !seen; before++)
            seen = strncmp(*before, *e, name_len + 1) == 0;
        if (seen) continue;
        const char *theirs = parent_value(parent, *e, name_len);
        int differs = !theirs || strcmp(theirs, eq + 1) != 0;
        if (differs) {
            put_field(&added, *e, name_len);
            n_added++;
            struct stat st;
            if (eq[1] == '/' && stat(eq + 1, &st) == 0) {
                put_str(&local, eq + 1);
                n_local++;
            }
        }
        if (differs || kept_by_name(*e, name_len)) {
            put_str(&env, *e);
            n_env++;
        }
    }
    put_u32(record, n_env);
    put(record, env.data, env.len);
    put_u32(record, n_added);
    put(record, added.data, added.len);
    put_u32(record, n_local);
    put(record, local.data, local.len);
    free(env.data);
    free(added.data);
    free(local.data);
}

/* A named file: 0 (no name), 1 path data, or 2 path errno strerror (read_file()). */
static void put_file(struct buf *record, const char *path) {
    if (!path || !*path) {
        put(record, "\0", 1);
        return;
    }
    struct buf data = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int error = fd < 0 ? errno : slurp(fd, &data);
    if (fd >= 0) close(fd);
    if (error) {
        put(record, "\2", 1);
        put_str(record, path);
        put_u32(record, (uint32_t)error);
        put_str(record, strerror(error));
    } else {
        put(record, "\1", 1);
        put_str(record, path);
        put_field(record, data.data, data.len);
    }
    free(data.data);
}

/* sinks.unusable() finds nothing wrong: the progress file opens, the result file could be
   written (for anything else the Python relay says what is wrong, and nothing runs). */
static int sinks_usable(void) {
    const char *where = getenv("KUBECLIP_PROGRESS");
    char trimmed[PATH_MAX];
    if (where) {
        while (*where && strchr(" \t\n\r\f\v", *where)) where++;
        size_t n = strlen(where);
        while (n && strchr(" \t\n\r\f\v", where[n - 1])) n--;
        if (n >= sizeof trimmed) return 0;
        memcpy(trimmed, where, n);
        trimmed[n] = 0;
        if (n && strcmp(trimmed, "stderr") != 0) {
            int fd = open(trimmed, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
            if (fd < 0) return 0;
            close(fd);
        }
    }
    const char *path = getenv("KUBECLIP_RESULT_FILE");
    struct stat st;
    if (!path || !*path) return 1;
    if (lstat(path, &st) == 0)
        return access(path, W_OK) == 0 && !(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    char parent[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= sizeof parent) return 0;
    memcpy(parent, path, n);
    parent[n] = 0;
    if (!slash) strcpy(parent, ".");
    else if (n == 0) strcpy(parent, "/");
    return stat(parent, &st) == 0 && S_ISDIR(st.st_mode) && access(parent, W_OK | X_OK) == 0;
}

void front(int argc, char **argv) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    /* held until the pump (or the Python relay) has its handlers: a cancel is never lost */
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN); /* a reader gone is an EPIPE, never our death (as in Python) */
    const char *serve_mode = getenv("KUBECLIP_SERVE");
    if (argc < 2 || strcmp(argv[1], "run") != 0 || (serve_mode && !strcmp(serve_mode, "off")) ||
        env_off("KUBECLIP_RELAY_NATIVE") || !sinks_usable())
        hand_over(argv);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%d/environ", (int)getppid());
    struct buf parent = {0};
    int fd = open(proc, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || slurp(fd, &parent) != 0) hand_over(argv);
    close(fd);
    put(&parent, "", 1); /* its last entry ends here even if the kernel cut it short */
    char *cwd = getcwd(NULL, 0);
    if (!cwd) hand_over(argv);
    int sockfd = connect_serve();
    if (sockfd < 0) hand_over(argv);

    struct buf record = {0};
    put(&record, "KCG1", 4);
    put_u32(&record, (uint32_t)(argc - 1));
    for (int i = 1; i < argc; i++) put_str(&record, argv[i]);
    put_environment(&record, &parent);
    free(parent.data);
    put_str(&record, cwd);
    free(cwd);
    struct buf prompt = {0};
    if (fcntl(0, F_GETFD) >= 0 && !isatty(0)) slurp(0, &prompt); /* a read error ends it */
    put_field(&record, prompt.data, prompt.len);
    free(prompt.data);
    char opencode[PATH_MAX];
    const char *config_home = getenv("XDG_CONFIG_HOME");
    int has_opencode = config_home && *config_home &&
                       join(opencode, sizeof opencode, config_home, "opencode",
                            "opencode.json") == 0;
    put_file(&record, getenv("KUBECLIP_CONFIG"));
    put_file(&record, getenv("KUBECLIP_POD_FILE"));
    put_file(&record, has_opencode ? opencode : NULL);

    unsigned char head[5] = {'G', (unsigned char)(record.len >> 24),
                             (unsigned char)(record.len >> 16), (unsigned char)(record.len >> 8),
                             (unsigned char)record.len};
    /* a failed send is not an error here: the pump finds the connection gone and hands the
       record back to the Python relay, which reconnects (or starts serve) and sends it */
    if (send_all(sockfd, head, 5) == 0) send_all(sockfd, record.data, record.len);
    char self[PATH_MAX + sizeof PYTHON_RELAY], resume_flag[] = "--kubeclip-resume";
    python_relay(self, sizeof self);
    char *back_argv[] = {self, resume_flag};
    struct handback back = {back_argv, 2, NULL, record.data, record.len};
    pump(sockfd, 0, 0, 0, 0, &back);
}
