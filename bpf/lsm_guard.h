// Self-protection for leash_lsm.bpf.c: operations a sandboxed task could use to blind,
// unload or leave its enforcement. They are refused to every member whatever the policy
// says and in audit mode too (audit is about the policy, not about leash's own integrity),
// and reported with one of these codes as the event's action (outside leash_action's range,
// so the audit log can name them without mistaking them for a policy decision).
#pragma once

enum lsm_guard {
    LSM_GUARD_BPF = 100,             // the bpf() system call
    LSM_GUARD_MOUNT = 101,           // mount, umount, pivot_root, move_mount, chroot
    LSM_GUARD_PTRACE = 102,          // ptrace (and /proc/PID/mem, process_vm_*) of a non-member
    LSM_GUARD_SIGNAL = 103,          // a signal to a task outside the sandbox (leash itself)
    LSM_GUARD_CGROUP_WRITE = 104,    // opening a cgroup control file for writing
    LSM_GUARD_USERNS = 105,          // creating a user namespace
    LSM_GUARD_KERNEL_LOAD = 106,     // module, kexec image, firmware, policy loading
    LSM_GUARD_BPF_FS = 107,          // unlinking or renaming pinned BPF objects
};

#define LSM_CGROUP_SUPER_MAGIC 0x27e0eb
#define LSM_CGROUP2_SUPER_MAGIC 0x63677270
#define LSM_BPF_FS_MAGIC 0xcafe4a11

static __always_inline int lsm_guard_deny(__u32 sandbox, __u32 guard)
{
    struct leash_event *e = leash_event_begin();
    if (e) {
        e->sandbox_id = sandbox;
        e->action = guard;
        e->verdict = -EPERM;
        e->mode_flags = LEASH_EVENT_ENFORCE | LEASH_EVENT_DENY;
        leash_event_submit(e, guard);
    }
    return -EPERM;
}

static __always_inline int lsm_is_cgroup_fs(struct super_block *sb)
{
    unsigned long magic = BPF_CORE_READ(sb, s_magic);
    return magic == LSM_CGROUP_SUPER_MAGIC || magic == LSM_CGROUP2_SUPER_MAGIC;
}

static __always_inline int lsm_is_bpf_fs(struct dentry *dentry)
{
    return BPF_CORE_READ(dentry, d_sb, s_magic) == LSM_BPF_FS_MAGIC;
}
