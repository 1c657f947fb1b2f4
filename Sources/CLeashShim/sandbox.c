#define _GNU_SOURCE
#include "leash_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// The kernel's struct landlock_ruleset_attr as of ABI 6 (`scoped` last); the size passed
// tells the kernel which fields exist.
struct leash_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct leash_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

struct leash_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};

enum { LEASH_RULE_PATH_BENEATH = 1, LEASH_RULE_NET_PORT = 2 };

int leash_open_path(const char *path) { return open(path, O_PATH | O_CLOEXEC); }

int leash_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int leash_landlock_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped) {
    struct leash_ruleset_attr attr = { .handled_access_fs = handled_fs, .handled_access_net = handled_net, .scoped = scoped };
    // Older kernels reject a larger struct with unknown non-zero fields only, so the
    // net field needs ABI 4 and `scoped` ABI 6; an fs-only ruleset stays valid on ABI 1.
    size_t size = scoped ? 24 : handled_net ? 16 : 8;
    return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

int leash_landlock_allow_path(int ruleset, int fd, uint64_t rights) {
    struct leash_path_beneath_attr a = { .allowed_access = rights, .parent_fd = fd };
    return (int)syscall(SYS_landlock_add_rule, ruleset, LEASH_RULE_PATH_BENEATH, &a, 0);
}

int leash_landlock_allow_port(int ruleset, uint64_t port, uint64_t rights) {
    struct leash_net_port_attr a = { .allowed_access = rights, .port = port };
    return (int)syscall(SYS_landlock_add_rule, ruleset, LEASH_RULE_NET_PORT, &a, 0);
}

static void fail(int report_fd, int32_t step) {
    struct leash_spawn_failure f = { .step = step, .error = errno };
    ssize_t ignored = write(report_fd, &f, sizeof f);
    (void)ignored;
    _exit(127);
}

#define LEASH_DENY(nr) \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

int leash_install_escape_filter(void) {
    const uint32_t namespaces = CLONE_NEWUSER | CLONE_NEWNS;
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        // x32 system calls carry bit 30 and would bypass every number below.
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        LEASH_DENY(SYS_bpf),
        LEASH_DENY(SYS_mount),
        LEASH_DENY(SYS_umount2),
        LEASH_DENY(SYS_pivot_root),
        LEASH_DENY(SYS_fsopen),
        LEASH_DENY(SYS_fsmount),
        LEASH_DENY(SYS_fsconfig),
        LEASH_DENY(SYS_move_mount),
        LEASH_DENY(SYS_open_tree),
        LEASH_DENY(SYS_mount_setattr),
        LEASH_DENY(SYS_kexec_load),
        LEASH_DENY(SYS_kexec_file_load),
        LEASH_DENY(SYS_init_module),
        LEASH_DENY(SYS_finit_module),
        LEASH_DENY(SYS_delete_module),
        LEASH_DENY(SYS_open_by_handle_at),
        LEASH_DENY(SYS_setns),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        // unshare(flags) and clone(flags, …): the flags are the first argument on x86-64.
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, namespaces, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

pid_t leash_spawn_sandboxed(const char *path, char *const argv[], char *const envp[],
                            int ruleset, int escape_filter, int report_fd) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    // The command starts as a shell would start it: leash ignores SIGINT/SIGQUIT while it
    // waits, and whatever started leash may have blocked or ignored others (test runners,
    // supervisors); a command that cannot be stopped with SIGTERM is not what was asked.
    // Same set as the bpf-lsm backend's spawn (Sources/LSMSandbox/LSMSpawn.swift).
    static const int defaults[] = { SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGPIPE, SIGTERM };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) signal(defaults[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(report_fd, 1);
    if (ruleset >= 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) fail(report_fd, 2);
    if (ruleset >= 0) close(ruleset);
    // Last, so that the filter never sees leash's own set-up calls.
    if (escape_filter && leash_install_escape_filter() != 0) fail(report_fd, 4);
    execve(path, argv, envp);
    fail(report_fd, 3);
    return -1;
}
