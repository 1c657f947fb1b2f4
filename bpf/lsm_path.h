// Paths for leash_lsm.bpf.c, always as the kernel resolved them: the hooks are handed a
// file, a path or a dentry the kernel already looked up, so symlinks, `..`,
// /proc/self/fd/N, openat2 and io_uring all arrive here as the same object.
//
// Two ways of turning that object into text:
//   - bpf_d_path, the kernel's own d_path, where the verifier allows it: on 6.1 only in
//     hooks on the sleepable list (file_open, mmap_file, bprm_check_security among ours).
//     It names the path from the calling task's root and appends " (deleted)" to
//     unlinked files.
//   - lsm_walk, a bounded walk up d_parent that crosses mount points through
//     mount->mnt_mountpoint, for the path_* hooks, where bpf_d_path is refused. Like
//     d_path it stops at the calling task's root (so both agree inside a chroot; chroot
//     itself is denied to sandboxes), but it writes no " (deleted)" suffix, and it gives
//     up (error, so a deny) on paths deeper than LSM_WALK_DEPTH components rather than
//     deciding on a truncated name.
#pragma once

#define LSM_PATH_MAX 4096
#define LSM_NAME_MAX 256
// Room for one more component past the limit, so masked offsets never leave the buffer.
#define LSM_PATH_BUFFER (LSM_PATH_MAX + LSM_NAME_MAX)
// BPF_CORE_READ for const members (newer kernels declare f_path and d_name const): the
// local it reads into drops the qualifier.
#define LSM_READ(src, field) ({ \
    __typeof_unqual__((src)->field) __lsm_r; \
    bpf_core_read(&__lsm_r, sizeof(__lsm_r), &(src)->field); \
    __lsm_r; \
})

#define LSM_WALK_DEPTH 64  // a power of two: indexes are masked with it for the verifier

// Per-CPU scratch: hooks run with preemption off, so one CPU's buffer is never shared.
struct lsm_walk_scratch {
    const unsigned char *names[LSM_WALK_DEPTH];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct lsm_walk_scratch);
} lsm_walk_scratch SEC(".maps");

/// The `struct mount` around a vfsmount (the kernel's real_mount), with the offset
/// relocated for the running kernel.
static __always_inline struct mount *lsm_real_mount(struct vfsmount *vfsmnt)
{
    return (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

// Linux 6.1 keeps a superblock's mounts on a list (`s_mounts`, linked through
// `mount.mnt_instance`); later kernels keep a pointer to the first mount. These flavours
// let one object read whichever the running kernel has.
struct super_block___list {
    struct list_head s_mounts;
} __attribute__((preserve_access_index));

struct mount___list {
    struct list_head mnt_instance;
} __attribute__((preserve_access_index));

/// A vfsmount for hooks handed only a dentry (inode_setxattr, inode_removexattr): the
/// first mount of the dentry's superblock. Exact unless the file system is mounted more
/// than once (bind mounts), when the path is named through the first of its mounts.
static __always_inline struct vfsmount *lsm_first_mount(struct dentry *dentry)
{
    struct super_block *sb = BPF_CORE_READ(dentry, d_sb);
    char *at = (char *)sb + bpf_core_field_offset(struct super_block___list, s_mounts);
    void *first = 0;
    bpf_probe_read_kernel(&first, sizeof(first), at);
    if (!first)
        return 0;
    struct mount *m;
    if (bpf_core_field_size(struct super_block___list, s_mounts) == sizeof(struct list_head)) {
        if (first == (void *)at)
            return 0;  // an empty list
        m = (struct mount *)((char *)first - bpf_core_field_offset(struct mount___list, mnt_instance));
    } else {
        m = first;  // a pointer to the first mount
    }
    return (struct vfsmount *)((char *)m + bpf_core_field_offset(struct mount, mnt));
}

struct lsm_walk_up {
    struct lsm_walk_scratch *s;
    struct mount *mnt;
    struct dentry *mnt_root;
    struct dentry *dentry;
    struct mount *root_mnt;       // the task's root (chroot), where d_path stops too
    struct dentry *root_dentry;
    __u32 count;
    __u32 reached_root;  // 1: done at the root; 2: too deep
};

/// One step up: a component, or a jump from a mount's root to where it is mounted.
/// bpf_loop callbacks are verified once, not once per iteration.
static long lsm_walk_up_step(__u64 i, void *data)
{
    struct lsm_walk_up *w = data;
    struct dentry *dentry = w->dentry;
    if (dentry == w->root_dentry && w->mnt == w->root_mnt) {
        w->reached_root = 1;
        return 1;
    }
    struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
    if (dentry == w->mnt_root || dentry == parent) {
        // Locals, not w->…: CO-RE reads must not relocate this struct's own fields.
        struct mount *mnt = w->mnt;
        struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
        if (dentry != w->mnt_root || up == mnt) {
            w->reached_root = 1;  // the root of the root mount (or of a detached tree)
            return 1;
        }
        w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
        w->mnt = up;
        w->mnt_root = BPF_CORE_READ(up, mnt.mnt_root);
        return 0;
    }
    if (w->count >= LSM_WALK_DEPTH) {
        w->reached_root = 2;
        return 1;
    }
    w->s->names[w->count & (LSM_WALK_DEPTH - 1)] = LSM_READ(dentry, d_name.name);
    w->count++;
    w->dentry = parent;
    return 0;
}

struct lsm_walk_down {
    struct lsm_walk_scratch *s;
    char *out;
    __u32 count;
    __u32 len;
    __u32 failed;
};

/// Appends "/" and component count-1-i.
static long lsm_walk_down_step(__u64 i, void *data)
{
    struct lsm_walk_down *w = data;
    if (i >= w->count)
        return 1;
    __u32 len = w->len;
    if (len > LSM_PATH_MAX - LSM_NAME_MAX - 2) {
        w->failed = 1;
        return 1;
    }
    __u32 index = (w->count - 1 - (__u32)i) & (LSM_WALK_DEPTH - 1);
    w->out[len & (LSM_PATH_MAX - 1)] = '/';
    len++;
    long n = bpf_probe_read_kernel_str(&w->out[len & (LSM_PATH_MAX - 1)], LSM_NAME_MAX, w->s->names[index]);
    if (n < 1) {
        w->failed = 1;
        return 1;
    }
    w->len = len + (__u32)(n - 1);
    return 0;
}

/// Writes the absolute path of (mnt, dentry) into out, a map value of LSM_PATH_BUFFER
/// bytes, and returns its length without the NUL, or a negative errno. At most
/// LSM_PATH_MAX-1 bytes of it are path.
static __always_inline int lsm_walk(struct vfsmount *vfsmnt, struct dentry *dentry, char *out)
{
    __u32 zero = 0;
    struct lsm_walk_scratch *s = bpf_map_lookup_elem(&lsm_walk_scratch, &zero);
    if (!s || !vfsmnt || !dentry)
        return -EINVAL;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct lsm_walk_up up = {
        .s = s, .mnt = lsm_real_mount(vfsmnt), .mnt_root = BPF_CORE_READ(vfsmnt, mnt_root), .dentry = dentry,
        .root_mnt = lsm_real_mount(BPF_CORE_READ(task, fs, root.mnt)),
        .root_dentry = BPF_CORE_READ(task, fs, root.dentry),
    };
    // Components plus mount crossings; a path this deep is refused, never cut.
    bpf_loop(LSM_WALK_DEPTH * 2, lsm_walk_up_step, &up, 0);
    if (up.reached_root != 1)
        return -ENAMETOOLONG;
    if (up.count == 0) {
        out[0] = '/';
        out[1] = 0;
        return 1;
    }
    struct lsm_walk_down down = { .s = s, .out = out, .count = up.count };
    bpf_loop(LSM_WALK_DEPTH, lsm_walk_down_step, &down, 0);
    if (down.failed)
        return -ENAMETOOLONG;
    out[down.len & (LSM_PATH_MAX - 1)] = 0;
    return down.len;
}

/// bpf_d_path into out[0..LSM_PATH_MAX): the length without the NUL, or a negative errno.
static __always_inline int lsm_d_path(struct path *path, char *out)
{
    long n = bpf_d_path(path, out, LSM_PATH_MAX);
    return n < 1 ? (n < 0 ? (int)n : -EINVAL) : (int)(n - 1);
}

/// Two more path buffers, for the hooks that compare a file's old and new names.
struct lsm_paths {
    char first[LSM_PATH_BUFFER];
    char second[LSM_PATH_BUFFER];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct lsm_paths);
} lsm_path_pairs SEC(".maps");

static __always_inline struct lsm_paths *lsm_paths(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&lsm_path_pairs, &zero);
}
