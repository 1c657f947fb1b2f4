// System calls and macros Swift cannot reach directly: raw syscall() numbers without a
// glibc wrapper, and dev_t macros. Every function returns -1 and leaves errno set on failure.
#pragma once

#include <stdint.h>
#include <sys/types.h>

/// Landlock ABI version of the running kernel (>= 1), or -1 with errno set
/// (EOPNOTSUPP: built but disabled at boot; ENOSYS: not built).
int leash_landlock_abi_version(void);

/// The kernel's internal encoding of a device number (MKDEV: major << 20 | minor), the
/// one BPF programs read from `super_block.s_dev`; stat() returns another encoding.
uint64_t leash_kernel_dev(dev_t stat_dev);

/// Forks a child that restricts itself with Landlock so that it can read files and list
/// directories only beneath the `count` directories in `readable_dirs`, then execs
/// `argv[0]` with `argv`. Returns the child's pid, or -1 with errno set. The child exits
/// 125 if Landlock refuses to restrict it. Only async-signal-safe calls run between fork
/// and exec.
pid_t leash_spawn_landlocked(const char *const readable_dirs[], int count, char *const argv[]);
