#define _GNU_SOURCE
#include "leash_syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int leash_landlock_abi_version(void) {
    return (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

uint64_t leash_kernel_dev(dev_t stat_dev) {
    return ((uint64_t)major(stat_dev) << 20) | (uint64_t)minor(stat_dev);
}

enum { MAX_READABLE_DIRS = 16 };

pid_t leash_spawn_landlocked(const char *const readable_dirs[], int count, char *const argv[]) {
    if (count < 0 || count > MAX_READABLE_DIRS) {
        errno = EINVAL;
        return -1;
    }
    // Opened before fork so that a bad directory is reported to the caller, not the child.
    int dirs[MAX_READABLE_DIRS];
    for (int i = 0; i < count; i++) {
        dirs[i] = open(readable_dirs[i], O_PATH | O_CLOEXEC);
        if (dirs[i] < 0) {
            int saved = errno;
            while (i-- > 0) close(dirs[i]);
            errno = saved;
            return -1;
        }
    }
    pid_t pid = fork();
    if (pid != 0) {
        int saved = errno;
        for (int i = 0; i < count; i++) close(dirs[i]);
        errno = saved;
        return pid;
    }
    // Child: ABI 1 read rights only, so the restriction means the same on every
    // Landlock kernel; writes and execution stay unrestricted.
    __u64 rights = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
    struct landlock_ruleset_attr attr = { .handled_access_fs = rights };
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0) _exit(125);
    for (int i = 0; i < count; i++) {
        struct landlock_path_beneath_attr beneath = { .allowed_access = rights, .parent_fd = dirs[i] };
        if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) != 0) _exit(125);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(125);
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) _exit(125);
    execv(argv[0], argv);
    _exit(127);
}
