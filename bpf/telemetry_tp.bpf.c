// SPDX-License-Identifier: GPL-2.0
// The fallback backend's telemetry (issue 7): where BPF LSM cannot load, Landlock and
// cgroup programs decide, and these tracepoint programs record what the sandbox attempted
// and what the kernel answered. They decide nothing.
//
// Scope: a task is watched when its cgroup v2 id is in `scoped_cgroups`, or its process is
// in `scoped_tasks`. Membership is inherited at fork (sched_process_fork), so it survives
// a move to another cgroup, a double fork or setsid; `spawners` enrols the next process a
// given process forks (how `leash run` enrols its child before that child can exec).
//
// One record per operation: sys_enter stashes the attempt (path read with
// bpf_probe_read_user_str, while the caller still holds it) under the thread id; sys_exit
// adds the result and sends it. A result of -EACCES or -EPERM is a deny observed. The rule
// is never known here: userspace recomputes the rule that WOULD decide with the simulator.
#include "vmlinux.h"
#include <asm-generic/errno-base.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "leash_policy.h"  // enum leash_action: the action codes every event carries
#include "telemetry.h"

char LICENSE[] SEC("license") = "GPL";

// x86_64 system call numbers (leash builds its BPF for x86 only, -D__TARGET_ARCH_x86).
#define NR_open 2
#define NR_connect 42
#define NR_sendto 44
#define NR_sendmsg 46
#define NR_execve 59
#define NR_truncate 76
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_creat 85
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_chmod 90
#define NR_chown 92
#define NR_lchown 94
#define NR_mknod 133
#define NR_openat 257
#define NR_mkdirat 258
#define NR_mknodat 259
#define NR_fchownat 260
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_linkat 265
#define NR_symlinkat 266
#define NR_fchmodat 268
#define NR_renameat2 316
#define NR_execveat 322
#define NR_openat2 437
#define NR_fchmodat2 452

#define O_ACCMODE_ 00000003
#define O_CREAT_ 00000100
#define O_EXCL_ 00000200
#define O_TRUNC_ 00001000
#define AT_REMOVEDIR_ 0x200
#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10


/// Set before load: false when cgroup socket programs report network decisions themselves.
const volatile bool trace_network = true;

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __u64);    // cgroup v2 id
    __type(value, __u32);  // sandbox id
} scoped_cgroups SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);    // tgid
    __type(value, __u32);  // sandbox id
} scoped_tasks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);    // tgid whose next forked process joins
    __type(value, __u32);  // sandbox id
} spawners SEC(".maps");

// Attempts in flight, by thread id. Each thread's entry is reused from one call to the
// next (records are built in place, never copied in), and is free when its `syscall` is
// negative. LRU: threads that are gone cannot fill it; an entry evicted while its call
// is in flight makes that call's exit count as lost.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, struct leash_event_buffer);
} stash SEC(".maps");

/// The sandbox of the current task, or 0 when it is not watched.
static __always_inline __u32 current_sandbox(void)
{
    __u64 cgroup_id = bpf_get_current_cgroup_id();
    __u32 *id = bpf_map_lookup_elem(&scoped_cgroups, &cgroup_id);
    if (id)
        return *id ? *id : 1;
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    id = bpf_map_lookup_elem(&scoped_tasks, &tgid);
    if (id)
        return *id ? *id : 1;
    return 0;
}

/// Whether this call is one the telemetry records, decided identically at entry and exit
/// (an exit without its entry counts as lost, so both sides must agree).
static __always_inline int tracked(struct pt_regs *regs, long id)
{
    switch (id) {
    case NR_open: case NR_creat: case NR_openat: case NR_openat2:
    case NR_execve: case NR_execveat:
    case NR_unlink: case NR_unlinkat: case NR_rename: case NR_renameat: case NR_renameat2:
    case NR_mkdir: case NR_mkdirat: case NR_rmdir: case NR_link: case NR_linkat:
    case NR_symlink: case NR_symlinkat: case NR_chmod: case NR_fchmodat: case NR_fchmodat2:
    case NR_chown: case NR_lchown: case NR_fchownat: case NR_truncate:
    case NR_mknod: case NR_mknodat:
        return 1;
    case NR_connect:
        return trace_network;
    case NR_sendto:
        // A send on a connected socket names no address: nothing new is decided.
        return trace_network && BPF_CORE_READ(regs, r8) != 0;
    case NR_sendmsg: {
        if (!trace_network)
            return 0;
        struct user_msghdr *msg = (struct user_msghdr *)BPF_CORE_READ(regs, si);
        void *name = 0;
        if (bpf_probe_read_user(&name, sizeof(name), &msg->msg_name) != 0)
            return 0;
        return name != 0;
    }
    }
    return 0;
}

static __always_inline __u32 open_action(__u32 flags)
{
    if ((flags & O_CREAT_) && (flags & O_EXCL_))
        return LEASH_ACTION_FILE_CREATE;
    if ((flags & O_ACCMODE_) != 0 || (flags & (O_TRUNC_ | O_CREAT_)))
        return LEASH_ACTION_FILE_OPEN_READ_WRITE;
    return LEASH_ACTION_FILE_OPEN_READ_ONLY;
}

/// IPPROTO_TCP or IPPROTO_UDP of the socket open as `fd` in the current task, 0 when it
/// cannot be read (the call then fails with EBADF or ENOTSOCK anyway).
static __always_inline __u16 socket_protocol(long fd)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    unsigned int max_fds = BPF_CORE_READ(fdt, max_fds);
    if (fd < 0 || fd >= max_fds)
        return 0;
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *file = 0;
    if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) != 0 || !file)
        return 0;
    struct socket *sock = (struct socket *)BPF_CORE_READ(file, private_data);
    if (!sock)
        return 0;
    return BPF_CORE_READ(sock, sk, sk_protocol);
}

/// The destination of connect/sendto/sendmsg.
static __always_inline void read_address(struct leash_event *e, const void *user, __u32 length)
{
    __u16 family = 0;
    if (!user || bpf_probe_read_user(&family, sizeof(family), user) != 0)
        return;
    e->family = family;
    if (family == AF_INET_) {
        struct sockaddr_in sin = {};
        bpf_probe_read_user(&sin, sizeof(sin), user);
        e->port = __builtin_bswap16(sin.sin_port);
        __builtin_memcpy(e->addr, &sin.sin_addr, 4);
        e->action = e->syscall == NR_connect ? LEASH_ACTION_NETWORK_CONNECT : LEASH_ACTION_NETWORK_SEND;
    } else if (family == AF_INET6_) {
        struct sockaddr_in6 sin6 = {};
        bpf_probe_read_user(&sin6, sizeof(sin6), user);
        e->port = __builtin_bswap16(sin6.sin6_port);
        __builtin_memcpy(e->addr, &sin6.sin6_addr, 16);
        e->action = e->syscall == NR_connect ? LEASH_ACTION_NETWORK_CONNECT : LEASH_ACTION_NETWORK_SEND;
    } else if (family == AF_UNIX_) {
        // sun_path follows the 2-byte family; an abstract name (leading NUL) reads as empty.
        leash_event_path_user(e, (const char *)user + 2);
        e->action = LEASH_ACTION_UNIX_CONNECT;
    }
}

/// Fills the attempt's action, flags and paths from the syscall's arguments.
static __always_inline void describe(struct leash_event *e, struct pt_regs *regs, long id)
{
    unsigned long a0 = BPF_CORE_READ(regs, di), a1 = BPF_CORE_READ(regs, si);
    unsigned long a2 = BPF_CORE_READ(regs, dx), a3 = BPF_CORE_READ(regs, r10);
    switch (id) {
    case NR_open:
        e->op_flags = a1;
        e->action = open_action(a1);
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_creat:
        e->op_flags = O_CREAT_ | O_TRUNC_ | 1;
        e->action = LEASH_ACTION_FILE_OPEN_READ_WRITE;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_openat:
        e->op_flags = a2;
        e->action = open_action(a2);
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    case NR_openat2: {
        __u64 flags = 0;
        bpf_probe_read_user(&flags, sizeof(flags), (const void *)a2);  // struct open_how.flags
        e->op_flags = flags;
        e->action = open_action(flags);
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    }
    case NR_execve:
        e->action = LEASH_ACTION_PROCESS_EXEC;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_execveat:
        e->action = LEASH_ACTION_PROCESS_EXEC;
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    case NR_unlink:
        e->action = LEASH_ACTION_FILE_UNLINK;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_unlinkat:
        e->op_flags = a2;
        e->action = (a2 & AT_REMOVEDIR_) ? LEASH_ACTION_FILE_RMDIR : LEASH_ACTION_FILE_UNLINK;
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    case NR_rmdir:
        e->action = LEASH_ACTION_FILE_RMDIR;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_mkdir:
        e->action = LEASH_ACTION_FILE_MKDIR;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_mkdirat:
        e->action = LEASH_ACTION_FILE_MKDIR;
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    case NR_mknod:
        e->action = LEASH_ACTION_FILE_CREATE;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_mknodat:
        e->action = LEASH_ACTION_FILE_CREATE;
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    // rename: path = the old name, path2 = the new one (the policy is asked about both).
    // `dirfd` is the first path's; a relative second path is taken relative to the same
    // directory, which is what renameat callers almost always pass.
    case NR_rename:
        e->action = LEASH_ACTION_FILE_RENAME;
        leash_event_path_user(e, (const char *)a0);
        leash_event_path2_user(e, (const char *)a1);
        break;
    case NR_renameat:
    case NR_renameat2:
        e->action = LEASH_ACTION_FILE_RENAME;
        e->op_flags = id == NR_renameat2 ? BPF_CORE_READ(regs, r8) : 0;
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        leash_event_path2_user(e, (const char *)a3);
        break;
    // link and symlink: path = the new name (what the policy is asked about), path2 = the
    // existing file (link) or the target text (symlink).
    case NR_link:
        e->action = LEASH_ACTION_FILE_LINK;
        leash_event_path_user(e, (const char *)a1);
        leash_event_path2_user(e, (const char *)a0);
        break;
    case NR_linkat:
        e->action = LEASH_ACTION_FILE_LINK;
        e->dirfd = a2;
        leash_event_path_user(e, (const char *)a3);
        leash_event_path2_user(e, (const char *)a1);
        break;
    case NR_symlink:
        e->action = LEASH_ACTION_FILE_SYMLINK;
        leash_event_path_user(e, (const char *)a1);
        leash_event_path2_user(e, (const char *)a0);
        break;
    case NR_symlinkat:
        e->action = LEASH_ACTION_FILE_SYMLINK;
        e->dirfd = a1;
        leash_event_path_user(e, (const char *)a2);
        leash_event_path2_user(e, (const char *)a0);
        break;
    case NR_chmod:
        e->action = LEASH_ACTION_FILE_CHMOD;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_fchmodat:
    case NR_fchmodat2:
        e->action = LEASH_ACTION_FILE_CHMOD;
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    case NR_chown:
    case NR_lchown:
        e->action = LEASH_ACTION_FILE_CHOWN;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_fchownat:
        e->action = LEASH_ACTION_FILE_CHOWN;
        e->dirfd = a0;
        leash_event_path_user(e, (const char *)a1);
        break;
    case NR_truncate:
        e->action = LEASH_ACTION_FILE_TRUNCATE;
        leash_event_path_user(e, (const char *)a0);
        break;
    case NR_connect:
        e->protocol = socket_protocol(a0);
        read_address(e, (const void *)a1, a2);
        break;
    case NR_sendto:
        e->protocol = socket_protocol(a0);
        read_address(e, (const void *)BPF_CORE_READ(regs, r8), BPF_CORE_READ(regs, r9));
        break;
    case NR_sendmsg: {
        struct user_msghdr *msg = (struct user_msghdr *)a1;
        void *name = 0;
        bpf_probe_read_user(&name, sizeof(name), &msg->msg_name);
        e->protocol = socket_protocol(a0);
        read_address(e, name, 0);
        break;
    }
    }
}

SEC("tp_btf/sys_enter")
int BPF_PROG(leash_tp_sys_enter, struct pt_regs *regs, long id)
{
    if (!tracked(regs, id))
        return 0;
    __u32 sandbox = current_sandbox();
    if (!sandbox)
        return 0;
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct leash_event_buffer *b = bpf_map_lookup_elem(&stash, &tid);
    if (!b) {
        // This thread's first tracked call: make its entry (contents are overwritten below).
        // On failure its exit finds no attempt and counts it lost, knowing if it was a deny.
        __u32 zero = 0;
        struct leash_event_buffer *blank = bpf_map_lookup_elem(&event_scratch, &zero);
        if (!blank)
            return 0;
        bpf_map_update_elem(&stash, &tid, blank, BPF_NOEXIST);
        b = bpf_map_lookup_elem(&stash, &tid);
        if (!b)
            return 0;
    }
    struct leash_event *e = &b->header;
    leash_event_init(e);
    e->sandbox_id = sandbox;
    e->syscall = id;
    e->mode_flags = LEASH_EVENT_OBSERVED | LEASH_EVENT_ENFORCE;
    describe(e, regs, id);
    return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(leash_tp_sys_exit, struct pt_regs *regs, long ret)
{
    long id = BPF_CORE_READ(regs, orig_ax);
    if (!tracked(regs, id))
        return 0;
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct leash_event_buffer *b = bpf_map_lookup_elem(&stash, &tid);
    int deny = ret == -EACCES || ret == -EPERM;
    int in_scope = current_sandbox() != 0;
    if (!b || b->header.syscall != id) {
        // Entered in scope but the attempt is gone (stash full or evicted): lost, counted.
        if (in_scope)
            leash_event_count_lost(deny);
        return 0;
    }
    if (!in_scope) {
        // A leftover of a thread killed inside its call, now matched by an unrelated thread
        // that reuses the id: not a sandbox operation.
        b->header.syscall = -1;
        return 0;
    }
    struct leash_event *e = &b->header;
    e->verdict = ret < 0 ? (__s32)ret : 0;
    if (deny)
        e->mode_flags |= LEASH_EVENT_DENY;
    if (id == NR_execve || id == NR_execveat) {
        if (ret == 0)
            bpf_get_current_comm(e->comm, sizeof(e->comm));  // the new program's name
    } else if ((e->mode_flags & LEASH_EVENT_PATH_UNREADABLE) && e->path2_len == 0 && e->path_len == 0) {
        // The string's page was not yet faulted in at entry; the kernel has read it since.
        // (Exec replaced the memory, so exec paths cannot be retried.)
        unsigned long a0 = BPF_CORE_READ(regs, di), a1 = BPF_CORE_READ(regs, si);
        switch (id) {
        case NR_open: case NR_creat: case NR_unlink: case NR_rmdir: case NR_mkdir:
        case NR_chmod: case NR_chown: case NR_lchown: case NR_truncate: case NR_mknod:
            leash_event_path_user(e, (const char *)a0);
            break;
        case NR_openat: case NR_openat2: case NR_unlinkat: case NR_mkdirat: case NR_mknodat:
        case NR_fchmodat: case NR_fchmodat2: case NR_fchownat:
            leash_event_path_user(e, (const char *)a1);
            break;
        }
    }
    __u64 hash = leash_event_hash_path(e) ^ ((__u64)(__u32)e->verdict << 32) ^ (__u64)(__u32)e->family
                 ^ ((__u64)e->port << 16) ^ *(__u32 *)e->addr;
    leash_event_submit(e, hash);
    e->syscall = -1;  // the entry is free for this thread's next call
    return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(leash_tp_fork, struct task_struct *parent, struct task_struct *child)
{
    __u32 child_tgid = BPF_CORE_READ(child, tgid);
    __u32 child_pid = BPF_CORE_READ(child, pid);
    if (child_pid != child_tgid)
        return 0;  // a thread: it shares its process's membership
    __u32 sandbox = current_sandbox();
    if (!sandbox) {
        __u32 parent_tgid = BPF_CORE_READ(parent, tgid);
        __u32 *id = bpf_map_lookup_elem(&spawners, &parent_tgid);
        if (!id)
            return 0;
        sandbox = *id;
        bpf_map_delete_elem(&spawners, &parent_tgid);
    }
    // A full table leaves this child's operations unrecorded: counted as a loss so the
    // summary never calls the record complete.
    if (bpf_map_update_elem(&scoped_tasks, &child_tgid, &sandbox, BPF_ANY) != 0)
        leash_event_count_lost(0);
    return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(leash_tp_exit, struct task_struct *task)
{
    // The last thread of a process: its pid may be reused by an unrelated process.
    if (BPF_CORE_READ(task, signal, live.counter) != 0)
        return 0;
    __u32 tgid = BPF_CORE_READ(task, tgid);
    bpf_map_delete_elem(&scoped_tasks, &tgid);
    return 0;
}
