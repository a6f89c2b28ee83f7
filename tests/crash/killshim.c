/* killshim: an LD_PRELOAD library that numbers every call that changes a file or sends bytes,
 * across all threads of the process, and kills the process with SIGKILL just before call
 * number KILL_AT (the call is not made). Used by tests/crash/test_crash_points.py.
 *
 *   KILL_AT=n     SIGKILL just before call n (1-based); unset or 0: never (counting only)
 *   KILL_LOG=path append one line per call, "<n> <function> <fd> <file>" (fd -1 for a call
 *                 on a path; the file as /proc/self/fd names it: a path, pipe:[…], socket:[…]),
 *                 and "kill <n>" just before the kill
 *
 * Counted: write, writev, pwrite, pwrite64, pwritev, pwritev2, fsync, fdatasync, ftruncate,
 * ftruncate64, rename, renameat, renameat2, unlink, unlinkat, and send, sendto, sendmsg,
 * sendmmsg on a network socket. A send on a Unix socket is not counted: it is the event loop
 * waking itself (asyncio's socket pair, when a worker thread ends), not data leaving the process,
 * and how many there are depends on how the threads happened to run.
 * SQLite (libsqlite3.so) and CPython call these through the PLT, so the preloaded symbols are
 * the ones they reach. The library's own log lines go through syscall(2), not counted.
 *
 * The variables are removed from the environment at load time: a process the bot starts is not
 * counted, and cannot be killed by a number meant for the bot.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static unsigned long kill_at;      /* 0: never */
static int log_fd = -1;            /* -1: no log */
static unsigned long calls;        /* atomic: calls counted so far */

static void put(const char *line, size_t len) {
    if (log_fd >= 0) syscall(SYS_write, log_fd, line, len); /* O_APPEND: one line per write */
}

static void describe_fd(int fd, char *out, size_t size) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    long n = syscall(SYS_readlinkat, AT_FDCWD, link, out, size - 1);
    if (n < 0) n = snprintf(out, size, "fd%d", fd);
    out[n < (long)size ? n : (long)size - 1] = '\0';
}

__attribute__((constructor)) static void killshim_init(void) {
    const char *at = getenv("KILL_AT");
    const char *path = getenv("KILL_LOG");
    kill_at = at ? strtoul(at, NULL, 10) : 0;
    if (path && *path)
        log_fd = (int)syscall(SYS_openat, AT_FDCWD, path,
                              O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    unsetenv("KILL_AT");
    unsetenv("KILL_LOG");
    unsetenv("LD_PRELOAD");
}

/* One counted call: number it, log it, and kill the process when its number is KILL_AT. */
static void count(const char *name, int fd, const char *path) {
    unsigned long n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    if (log_fd >= 0) {
        char target[512], line[640];
        if (path)
            snprintf(target, sizeof target, "%s", path);
        else
            describe_fd(fd, target, sizeof target);
        int len = snprintf(line, sizeof line, "%lu %s %d %s\n", n, name, fd, target);
        put(line, len < (int)sizeof line ? (size_t)len : sizeof line - 1);
    }
    if (kill_at && n == kill_at) {
        char line[64];
        int len = snprintf(line, sizeof line, "kill %lu\n", n);
        put(line, (size_t)len);
        syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
        for (;;) pause(); /* SIGKILL is on its way: this thread makes no further call */
    }
}

/* A send on a network socket (counted), not on the event loop's own Unix socket pair. */
static int network(int fd) {
    int domain = 0;
    socklen_t size = sizeof domain;
    return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &size) != 0 || domain != AF_UNIX;
}

#define REAL(ret, name, ...)                                              \
    static ret (*real)(__VA_ARGS__);                                      \
    if (!real) real = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

ssize_t write(int fd, const void *buf, size_t n) {
    REAL(ssize_t, "write", int, const void *, size_t);
    count("write", fd, NULL);
    return real(fd, buf, n);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    REAL(ssize_t, "writev", int, const struct iovec *, int);
    count("writev", fd, NULL);
    return real(fd, iov, iovcnt);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset) {
    REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
    count("pwrite", fd, NULL);
    return real(fd, buf, n, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t offset) {
    REAL(ssize_t, "pwrite64", int, const void *, size_t, off64_t);
    count("pwrite64", fd, NULL);
    return real(fd, buf, n, offset);
}

ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset) {
    REAL(ssize_t, "pwritev", int, const struct iovec *, int, off_t);
    count("pwritev", fd, NULL);
    return real(fd, iov, iovcnt, offset);
}

ssize_t pwritev2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags) {
    REAL(ssize_t, "pwritev2", int, const struct iovec *, int, off_t, int);
    count("pwritev2", fd, NULL);
    return real(fd, iov, iovcnt, offset, flags);
}

int fsync(int fd) {
    REAL(int, "fsync", int);
    count("fsync", fd, NULL);
    return real(fd);
}

int fdatasync(int fd) {
    REAL(int, "fdatasync", int);
    count("fdatasync", fd, NULL);
    return real(fd);
}

int ftruncate(int fd, off_t length) {
    REAL(int, "ftruncate", int, off_t);
    count("ftruncate", fd, NULL);
    return real(fd, length);
}

int ftruncate64(int fd, off64_t length) {
    REAL(int, "ftruncate64", int, off64_t);
    count("ftruncate64", fd, NULL);
    return real(fd, length);
}

int rename(const char *from, const char *to) {
    REAL(int, "rename", const char *, const char *);
    count("rename", -1, from);
    return real(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to) {
    REAL(int, "renameat", int, const char *, int, const char *);
    count("renameat", -1, from);
    return real(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags) {
    REAL(int, "renameat2", int, const char *, int, const char *, unsigned int);
    count("renameat2", -1, from);
    return real(fromfd, from, tofd, to, flags);
}

int unlink(const char *path) {
    REAL(int, "unlink", const char *);
    count("unlink", -1, path);
    return real(path);
}

int unlinkat(int dirfd, const char *path, int flags) {
    REAL(int, "unlinkat", int, const char *, int);
    count("unlinkat", -1, path);
    return real(dirfd, path, flags);
}

ssize_t send(int fd, const void *buf, size_t n, int flags) {
    REAL(ssize_t, "send", int, const void *, size_t, int);
    if (network(fd)) count("send", fd, NULL);
    return real(fd, buf, n, flags);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
               socklen_t tolen) {
    REAL(ssize_t, "sendto", int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    if (network(fd)) count("sendto", fd, NULL);
    return real(fd, buf, n, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    REAL(ssize_t, "sendmsg", int, const struct msghdr *, int);
    if (network(fd)) count("sendmsg", fd, NULL);
    return real(fd, msg, flags);
}

int sendmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags) {
    REAL(int, "sendmmsg", int, struct mmsghdr *, unsigned int, int);
    if (network(fd)) count("sendmmsg", fd, NULL);
    return real(fd, msgs, vlen, flags);
}
