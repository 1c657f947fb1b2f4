// The sandbox backend's calls into Landlock and the fork/exec that applies it. Debian 12's
// <linux/landlock.h> stops at ABI 1, so the ABI 2-7 rights and the full ruleset attribute
// are spelled out here with the kernel's values.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#define LEASH_LL_FS_EXECUTE     (1ULL << 0)
#define LEASH_LL_FS_WRITE_FILE  (1ULL << 1)
#define LEASH_LL_FS_READ_FILE   (1ULL << 2)
#define LEASH_LL_FS_READ_DIR    (1ULL << 3)
#define LEASH_LL_FS_REMOVE_DIR  (1ULL << 4)
#define LEASH_LL_FS_REMOVE_FILE (1ULL << 5)
#define LEASH_LL_FS_MAKE_CHAR   (1ULL << 6)
#define LEASH_LL_FS_MAKE_DIR    (1ULL << 7)
#define LEASH_LL_FS_MAKE_REG    (1ULL << 8)
#define LEASH_LL_FS_MAKE_SOCK   (1ULL << 9)
#define LEASH_LL_FS_MAKE_FIFO   (1ULL << 10)
#define LEASH_LL_FS_MAKE_BLOCK  (1ULL << 11)
#define LEASH_LL_FS_MAKE_SYM    (1ULL << 12)
#define LEASH_LL_FS_REFER       (1ULL << 13)  /* ABI 2 */
#define LEASH_LL_FS_TRUNCATE    (1ULL << 14)  /* ABI 3 */
#define LEASH_LL_FS_IOCTL_DEV   (1ULL << 15)  /* ABI 5 */
#define LEASH_LL_NET_BIND_TCP    (1ULL << 0)  /* ABI 4 */
#define LEASH_LL_NET_CONNECT_TCP (1ULL << 1)  /* ABI 4 */

/// open(path, O_PATH | O_CLOEXEC): a handle for a Landlock rule (O_PATH needs _GNU_SOURCE).
int leash_open_path(const char *path);

/// pipe2(fds, O_CLOEXEC).
int leash_pipe_cloexec(int fds[2]);

/// A new Landlock ruleset handling these rights, or -1 with errno set.
// `scoped`: LANDLOCK_SCOPE_* bits (ABI 6), 0 on older kernels.
int leash_landlock_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped);

/// Allows `rights` beneath the file or directory open as `fd` (O_PATH is enough).
/// 0, or -1 with errno set.
int leash_landlock_allow_path(int ruleset, int fd, uint64_t rights);

/// Allows `rights` (LEASH_LL_NET_*) on one TCP port. 0, or -1 with errno set.
int leash_landlock_allow_port(int ruleset, uint64_t port, uint64_t rights);

/// Forks a child that sets no_new_privs, restricts itself with `ruleset` (when >= 0),
/// installs the escape filter when `escape_filter` is non-zero (see
/// leash_install_escape_filter), and execs `path` with `argv` and `envp`. Returns the pid, or -1 with errno set when fork
/// fails. If the child cannot restrict itself or exec, it writes a `leash_spawn_failure`
/// to `report_fd` (a close-on-exec pipe) and exits 127; a successful exec closes the pipe
/// with nothing written. Only async-signal-safe calls run between fork and exec.
pid_t leash_spawn_sandboxed(const char *path, char *const argv[], char *const envp[],
                            int ruleset, int escape_filter, int report_fd);

/// Installs, in the calling thread, a seccomp filter that answers EPERM to the system
/// calls a sandbox could use to blind or leave its enforcement: bpf, mount and the new
/// mount API, pivot_root, kexec, module loading, open_by_handle_at, setns, and
/// unshare/clone creating user or mount namespaces (clone3, whose flags a filter cannot
/// read, gets ENOSYS so libc falls back to clone). Other ABIs (x32, i386) are refused.
/// Needs no_new_privs or CAP_SYS_ADMIN. 0, or -1 with errno set.
int leash_install_escape_filter(void);

/// What the child reports before exiting when it never reached the command.
struct leash_spawn_failure {
    int32_t step;  /* 1 no_new_privs, 2 landlock_restrict_self, 3 execve, 4 seccomp */
    int32_t error; /* errno */
};
