// SPDX-License-Identifier: Apache-2.0
// Times N iterations of one system call pattern and prints the mean cost per iteration as
// one JSON line per operation. Run bare and under a sandbox by Benchmarks/run: the
// difference of the two is what the sandbox adds per call.
//
//   syscalls [--linger-ms MS] [--rate PER_SECOND] ITERATIONS OP...
//   OP: open (open+close of a file in the working directory), stat, exec (posix_spawn of
//   /bin/true and waitpid), connect (TCP connect to a listener on 127.0.0.1, accept, close),
//   distinct (open of a different missing name each time, paced at --rate: every one is a
//   new event for a telemetry that deduplicates repeats)
//
// --linger-ms keeps the process alive after printing, so BPF run-time statistics can be
// read while the sandbox's programs are still loaded.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fail(const char *what) {
    // errno first: fprintf may change it.
    int e = errno;
    fprintf(stderr, "syscalls: %s: %s\n", what, strerror(e));
    exit(1);
}

static const char *target = "syscalls-target.txt";

static long long run_open(long n) {
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(target, O_RDONLY | O_CLOEXEC);
        if (fd < 0) fail("open");
        close(fd);
    }
    return now_ns() - t0;
}

static long long run_stat(long n) {
    struct stat st;
    long long t0 = now_ns();
    for (long i = 0; i < n; i++)
        if (stat(target, &st) != 0) fail("stat");
    return now_ns() - t0;
}

static long long run_exec(long n) {
    char *argv[] = {"true", NULL};
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid;
        int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
        if (rc != 0) { errno = rc; fail("posix_spawn /bin/true"); }
        int status;
        if (waitpid(pid, &status, 0) < 0) fail("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { errno = EPERM; fail("/bin/true did not exit 0"); }
    }
    return now_ns() - t0;
}

static long long run_connect(long n) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) fail("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0) fail("bind 127.0.0.1");
    if (listen(listener, 64) != 0) fail("listen");
    if (getsockname(listener, (struct sockaddr *)&addr, &len) != 0) fail("getsockname");
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) fail("socket");
        if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) fail("connect 127.0.0.1");
        int a = accept(listener, NULL, NULL);
        if (a < 0) fail("accept");
        // RST instead of FIN: closing thousands of connections must not fill TIME_WAIT.
        struct linger lg = {1, 0};
        setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(s);
        close(a);
    }
    long long elapsed = now_ns() - t0;
    close(listener);
    return elapsed;
}

static long long run_distinct(long n, long rate) {
    char name[64];
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (rate > 0) {
            // Pace by the clock, not by sleeping per call: the sleeps' own cost would cap the rate.
            long long due = t0 + (long long)((double)i * 1e9 / rate);
            while (now_ns() < due) {}
        }
        snprintf(name, sizeof name, "missing-%ld", i);
        int fd = open(name, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
    }
    return now_ns() - t0;
}

int main(int argc, char **argv) {
    long linger_ms = 0, rate = 0;
    int i = 1;
    for (;;) {
        if (i + 1 < argc && strcmp(argv[i], "--linger-ms") == 0) { linger_ms = atol(argv[i + 1]); i += 2; }
        else if (i + 1 < argc && strcmp(argv[i], "--rate") == 0) { rate = atol(argv[i + 1]); i += 2; }
        else break;
    }
    if (i + 1 >= argc) {
        fprintf(stderr, "usage: syscalls [--linger-ms MS] [--rate PER_SECOND] ITERATIONS open|stat|exec|connect|distinct...\n");
        return 64;
    }
    long n = atol(argv[i++]);
    if (n <= 0) { fprintf(stderr, "syscalls: ITERATIONS must be positive\n"); return 64; }
    int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("create the target file in the working directory");
    if (write(fd, "x\n", 2) != 2) fail("write");
    close(fd);
    for (; i < argc; i++) {
        const char *op = argv[i];
        long long ns;
        // exec is ~1000x dearer than the others: fewer iterations keep every op near the same time.
        long iters = strcmp(op, "exec") == 0 ? (n / 200 > 0 ? n / 200 : 1) : strcmp(op, "connect") == 0 ? n / 10 : n;
        if (iters <= 0) iters = 1;
        if (strcmp(op, "open") == 0) ns = run_open(iters);
        else if (strcmp(op, "stat") == 0) ns = run_stat(iters);
        else if (strcmp(op, "exec") == 0) ns = run_exec(iters);
        else if (strcmp(op, "connect") == 0) ns = run_connect(iters);
        else if (strcmp(op, "distinct") == 0) ns = run_distinct(iters, rate);
        else { fprintf(stderr, "syscalls: unknown op '%s'\n", op); return 64; }
        printf("{\"op\":\"%s\",\"iterations\":%ld,\"ns_per_op\":%.1f}\n", op, iters, (double)ns / iters);
    }
    fflush(stdout);
    if (linger_ms > 0) usleep(linger_ms * 1000);
    return 0;
}
