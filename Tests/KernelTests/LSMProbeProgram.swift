// A small C program the LSM tests run inside sandboxes: one real system call per mode,
// printing "ok ..." or "errno=NAME". Compiled once per test process with the system cc
// (a Swift test target cannot hold C sources), outside any sandbox.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader

enum LSMProbeProgram {
    static let source = #"""
    #define _GNU_SOURCE
    #include <errno.h>
    #include <fcntl.h>
    #include <linux/io_uring.h>
    #include <linux/openat2.h>
    #include <arpa/inet.h>
    #include <netinet/in.h>
    #include <sched.h>
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/mman.h>
    #include <sys/mount.h>
    #include <sys/ptrace.h>
    #include <sys/socket.h>
    #include <sys/syscall.h>
    #include <sys/un.h>
    #include <sys/wait.h>
    #include <sys/xattr.h>
    #include <unistd.h>

    static int fail(void) { printf("errno=%s\n", strerrorname_np(errno)); return 1; }
    static int dump(int fd) {
        char buf[4096]; ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) return fail();
        printf("ok "); fwrite(buf, 1, n, stdout); return 0;
    }
    static int readpath(const char *p) { int fd = open(p, O_RDONLY); return fd < 0 ? fail() : dump(fd); }

    static int uring_open(const char *path) {
        struct io_uring_params p; memset(&p, 0, sizeof p);
        int ring = syscall(__NR_io_uring_setup, 4, &p);
        if (ring < 0) return fail();
        size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
        size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
        char *sq = mmap(0, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQ_RING);
        char *cq = mmap(0, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_CQ_RING);
        struct io_uring_sqe *sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQES);
        if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) return fail();
        struct io_uring_sqe *e = &sqes[0]; memset(e, 0, sizeof *e);
        e->opcode = IORING_OP_OPENAT; e->fd = AT_FDCWD; e->addr = (unsigned long)path; e->open_flags = O_RDONLY;
        unsigned *tail = (unsigned *)(sq + p.sq_off.tail), *array = (unsigned *)(sq + p.sq_off.array);
        array[*tail & *(unsigned *)(sq + p.sq_off.ring_mask)] = 0;
        __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
        if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, 0, 0) < 0) return fail();
        struct io_uring_cqe *c = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
        unsigned head = *(unsigned *)(cq + p.cq_off.head) & *(unsigned *)(cq + p.cq_off.ring_mask);
        int res = c[head].res;
        if (res < 0) { errno = -res; return fail(); }
        return dump(res);
    }

    static int inet(const char *how, const char *ip, int port) {
        int six = strchr(ip, ':') != 0, udp = strstr(how, "udp") || strstr(how, "sendto");
        struct sockaddr_storage ss; memset(&ss, 0, sizeof ss); socklen_t len;
        if (six) { struct sockaddr_in6 *a = (void *)&ss; a->sin6_family = AF_INET6; a->sin6_port = htons(port); inet_pton(AF_INET6, ip, &a->sin6_addr); len = sizeof *a; }
        else { struct sockaddr_in *a = (void *)&ss; a->sin_family = AF_INET; a->sin_port = htons(port); inet_pton(AF_INET, ip, &a->sin_addr); len = sizeof *a; }
        int s = socket(six ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
        if (s < 0) return fail();
        if (strstr(how, "sendto")) { if (sendto(s, "x", 1, 0, (void *)&ss, len) < 0) return fail(); }
        else if (connect(s, (void *)&ss, len) < 0) return fail();
        printf("ok\n"); return 0;
    }

    // "serve": one operation per line on stdin (fields split by tabs), one answer line per
    // operation on stdout: "ok", "errno=NAME", or for exec "exit=N" / "signal=N". Lives
    // in a sandbox across policy reloads, so it must not open anything of its own after
    // start: files for mmapexec are opened by "preopen" lines while the start policy holds.
    static const char *preopened_path[64]; static int preopened_fd[64]; static int preopened;
    static int answer(int rc) { if (rc < 0) printf("errno=%s\n", strerrorname_np(errno)); else printf("ok\n"); return 0; }
    static int serve_one(char **f, int n) {
        const char *op = f[0], *p = n > 1 ? f[1] : "", *q = n > 2 ? f[2] : "";
        if (!strcmp(op, "preopen")) {
            int fd = open(p, O_RDONLY); if (fd < 0 || preopened == 64) return answer(-1);
            preopened_path[preopened] = strdup(p); preopened_fd[preopened++] = fd; return answer(0);
        }
        if (!strcmp(op, "read")) { int fd = open(p, O_RDONLY); if (fd >= 0) close(fd); return answer(fd); }
        if (!strcmp(op, "write")) { int fd = open(p, O_WRONLY); if (fd >= 0) close(fd); return answer(fd); }
        if (!strcmp(op, "create")) { int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644); if (fd >= 0) close(fd); return answer(fd); }
        if (!strcmp(op, "mkdir")) return answer(mkdir(p, 0755));
        if (!strcmp(op, "rmdir")) return answer(rmdir(p));
        if (!strcmp(op, "unlink")) return answer(unlink(p));
        if (!strcmp(op, "chmod")) return answer(chmod(p, 0600));
        if (!strcmp(op, "chown")) return answer(chown(p, 0, 0));
        if (!strcmp(op, "truncate")) return answer(truncate(p, 0));
        if (!strcmp(op, "setxattr")) return answer(setxattr(p, "trusted.leash", "1", 1, 0));
        if (!strcmp(op, "symlink")) return answer(symlink("target", p));
        if (!strcmp(op, "link")) return answer(link(p, q));
        if (!strcmp(op, "rename")) return answer(rename(p, q));
        if (!strcmp(op, "mmapexec")) {
            for (int i = 0; i < preopened; i++) if (!strcmp(preopened_path[i], p)) {
                void *m = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, preopened_fd[i], 0);
                if (m == MAP_FAILED) return answer(-1);
                munmap(m, 4096); return answer(0);
            }
            printf("not-preopened\n"); return 0;
        }
        if (!strcmp(op, "exec")) {
            pid_t c = fork();
            if (c == 0) {
                char *args[] = { "true", 0 }; char *env[] = { 0 };
                execve(p, args, env);
                _exit(errno == EACCES ? 201 : errno == EPERM ? 202 : 203);
            }
            int st = 0; if (c < 0 || waitpid(c, &st, 0) < 0) return answer(-1);
            if (WIFSIGNALED(st)) printf("signal=%d\n", WTERMSIG(st));
            else if (WEXITSTATUS(st) == 0) printf("ok\n");
            else if (WEXITSTATUS(st) == 201) printf("errno=EACCES\n");
            else if (WEXITSTATUS(st) == 202) printf("errno=EPERM\n");
            else printf("exit=%d\n", WEXITSTATUS(st));
            return 0;
        }
        if (!strcmp(op, "connect") || !strcmp(op, "udpconnect") || !strcmp(op, "sendto")) {
            int six = strchr(p, ':') != 0, udp = strcmp(op, "connect") != 0;
            struct sockaddr_storage ss; memset(&ss, 0, sizeof ss); socklen_t len;
            if (six) { struct sockaddr_in6 *a = (void *)&ss; a->sin6_family = AF_INET6; a->sin6_port = htons(atoi(q)); inet_pton(AF_INET6, p, &a->sin6_addr); len = sizeof *a; }
            else { struct sockaddr_in *a = (void *)&ss; a->sin_family = AF_INET; a->sin_port = htons(atoi(q)); inet_pton(AF_INET, p, &a->sin_addr); len = sizeof *a; }
            int s = socket(six ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
            if (s < 0) return answer(-1);
            int rc = !strcmp(op, "sendto") ? (int)sendto(s, "x", 1, 0, (void *)&ss, len) : connect(s, (void *)&ss, len);
            int saved = errno; close(s); errno = saved;
            return answer(rc);
        }
        if (!strcmp(op, "unix")) {
            struct sockaddr_un u = { .sun_family = AF_UNIX }; strncpy(u.sun_path, p, sizeof u.sun_path - 1);
            int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);  // a full backlog answers EAGAIN, never blocks
            int rc = connect(s, (void *)&u, sizeof u); int saved = errno; close(s); errno = saved;
            return answer(rc);
        }
        printf("unknown-op %s\n", op); return 0;
    }
    static int serve(void) {
        char line[8192];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = 0;
            char *f[4]; int n = 0; char *save = 0;
            for (char *t = strtok_r(line, "\t", &save); t && n < 4; t = strtok_r(0, "\t", &save)) f[n++] = t;
            if (n == 0) { printf("empty\n"); continue; }
            serve_one(f, n);
        }
        return 0;
    }

    int main(int argc, char **argv) {
        if (argc < 2) return 2;
        const char *m = argv[1], *a = argc > 2 ? argv[2] : "";
        setvbuf(stdout, 0, _IONBF, 0);
        if (!strcmp(m, "serve")) return serve();
        if (!strcmp(m, "read")) return readpath(a);
        if (!strcmp(m, "write")) { int fd = open(a, O_WRONLY | O_CREAT, 0644); if (fd < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "opath")) {
            int fd = open(a, O_PATH); if (fd < 0) return fail();
            char p[64]; snprintf(p, sizeof p, "/proc/self/fd/%d", fd); return readpath(p);
        }
        if (!strcmp(m, "reopenrw")) {  // a read-only descriptor re-opened for writing through /proc
            int fd = open(a, O_RDONLY); if (fd < 0) return fail();
            char p[64]; snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
            int w = open(p, O_WRONLY); if (w < 0) return fail();
            printf("ok reopened\n"); return 0;
        }
        if (!strcmp(m, "openat2")) {
            struct open_how how = { .flags = O_RDONLY, .resolve = 0 };
            int fd = syscall(SYS_openat2, AT_FDCWD, a, &how, sizeof how); return fd < 0 ? fail() : dump(fd);
        }
        if (!strcmp(m, "uring")) return uring_open(a);
        if (!strcmp(m, "mmapexec")) {
            int fd = open(a, O_RDONLY); if (fd < 0) return fail();
            void *p = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) return fail();
            printf("ok\n"); return 0;
        }
        if (!strcmp(m, "memfdexec")) {
            int src = open(a, O_RDONLY); if (src < 0) return fail();
            int mfd = memfd_create("payload", MFD_CLOEXEC); char buf[65536]; ssize_t n;
            while ((n = read(src, buf, sizeof buf)) > 0) if (write(mfd, buf, n) != n) return fail();
            char *args[] = { "payload", 0 }; char *env[] = { 0 };
            fexecve(mfd, args, env); return fail();
        }
        if (!strcmp(m, "connect") || !strcmp(m, "udpconnect") || !strcmp(m, "sendto")) return inet(m, a, atoi(argv[3]));
        if (!strcmp(m, "unix")) {
            struct sockaddr_un u = { .sun_family = AF_UNIX }; strncpy(u.sun_path, a, sizeof u.sun_path - 1);
            int s = socket(AF_UNIX, SOCK_STREAM, 0);
            if (connect(s, (void *)&u, sizeof u) < 0) return fail();
            printf("ok\n"); return 0;
        }
        if (!strcmp(m, "setxattr")) { if (setxattr(a, "trusted.leash", "1", 1, 0) < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "bpf")) { char attr[128] = {0}; if (syscall(SYS_bpf, 0, attr, sizeof attr) < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "mount")) { if (mount("none", a, "tmpfs", 0, 0) < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "umount")) { if (umount2(a, MNT_DETACH) < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "pivotroot")) {  // in a mount namespace of its own, so that a pivot that worked changes nobody else's root
            if (unshare(CLONE_NEWNS) < 0) return fail();
            if (syscall(SYS_pivot_root, a, argv[3]) < 0) return fail(); printf("ok\n"); return 0;
        }
        if (!strcmp(m, "chroot")) { if (chroot(a) < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "finitmodule")) {  // a file that is no module: only a refusal before reading it says EPERM
            int fd = open(a, O_RDONLY); if (fd < 0) return fail();
            if (syscall(SYS_finit_module, fd, "", 0) < 0) return fail(); printf("ok\n"); return 0;
        }
        if (!strcmp(m, "initmodule")) {
            static char junk[4096]; if (syscall(SYS_init_module, junk, sizeof junk, "") < 0) return fail(); printf("ok\n"); return 0;
        }
        if (!strcmp(m, "kexec")) {
            int fd = open(a, O_RDONLY); if (fd < 0) return fail();
            if (syscall(SYS_kexec_file_load, fd, -1, 1, "", 4 /* KEXEC_FILE_NO_INITRAMFS */) < 0) return fail(); printf("ok\n"); return 0;
        }
        if (!strcmp(m, "userns")) { if (unshare(CLONE_NEWUSER) < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "ptrace")) { if (ptrace(PTRACE_ATTACH, atoi(a), 0, 0) < 0) return fail(); ptrace(PTRACE_DETACH, atoi(a), 0, 0); printf("ok\n"); return 0; }
        if (!strcmp(m, "signal")) { if (kill(atoi(a), SIGCONT) < 0) return fail(); printf("ok\n"); return 0; }
        if (!strcmp(m, "cgroup")) {
            int fd = open(a, O_WRONLY); if (fd < 0) return fail();
            char pid[32]; int n = snprintf(pid, sizeof pid, "%d\n", getpid());
            if (write(fd, pid, n) < 0) return fail(); printf("ok\n"); return 0;
        }
        if (!strcmp(m, "doublefork")) {
            pid_t p = fork();
            if (p == 0) {
                setsid();
                if (fork() == 0) { usleep(200000); exit(readpath(a)); }
                exit(0);
            }
            waitpid(p, 0, 0); usleep(600000); return 0;
        }
        if (!strcmp(m, "repeat")) {  // N opens of one path: for the kernel's deduplication of allows
            long n = atol(a), ok = 0;
            for (long i = 0; i < n; i++) { int fd = open(argv[3], O_RDONLY); if (fd >= 0) { ok++; close(fd); } }
            printf("ok opened=%ld\n", ok); return 0;
        }
        if (!strcmp(m, "loop")) {  // count reads of a path until a file appears: for reload under load
            long ok = 0, denied = 0, other = 0;
            while (access(argv[3], F_OK) != 0) {
                int fd = open(a, O_RDONLY);
                if (fd >= 0) { ok++; close(fd); } else if (errno == EACCES) denied++; else other++;
            }
            printf("ok allowed=%ld denied=%ld other=%ld\n", ok, denied, other); return 0;
        }
        fprintf(stderr, "unknown mode %s\n", m); return 2;
    }
    """#

    /// Path of the compiled program (built on first use).
    static let path: String = {
        let dir = "/tmp/leash-lsm-probe-\(getpid())"
        mkdir(dir, 0o755)
        let src = dir + "/probe.c", bin = dir + "/probe"
        try? source.write(toFile: src, atomically: true, encoding: .utf8)
        let r = try? run(["/usr/bin/cc", "-O1", "-o", bin, src])
        if r?.status != 0 { print("cc failed: \(r?.stderr ?? "not run")") }
        return bin
    }()
}

/// One operation to the probe's serve mode (tab-separated fields on a line) and its answer
/// line. `buffer` keeps what was read past that line. An operation that blocks would hang
/// the whole suite: after 30 s without an answer it throws, naming the operation.
func askProbe(_ fields: [String], to toProbe: Int32, from fromProbe: Int32, buffer: inout [UInt8]) throws -> String {
    let line = Array((fields.joined(separator: "\t") + "\n").utf8)
    guard line.withUnsafeBytes({ write(toProbe, $0.baseAddress, $0.count) }) == line.count else {
        throw FileError(path: "sandboxed probe", code: errno)
    }
    while true {
        if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            defer { buffer.removeSubrange(...nl) }
            return String(decoding: buffer[..<nl], as: UTF8.self)
        }
        var wake = pollfd(fd: fromProbe, events: Int16(POLLIN), revents: 0)
        guard poll(&wake, 1, 30_000) > 0 else {
            throw FileError(path: "sandboxed probe: no answer to '\(fields.joined(separator: " "))' within 30 s", code: ETIMEDOUT)
        }
        var chunk = [UInt8](repeating: 0, count: 512)
        let n = read(fromProbe, &chunk, chunk.count)
        guard n > 0 else { throw FileError(path: "sandboxed probe (exited)", code: n < 0 ? errno : EPIPE) }
        buffer += chunk[..<n]
    }
}
