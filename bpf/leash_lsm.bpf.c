// SPDX-License-Identifier: GPL-2.0
// leash's BPF LSM backend: every file, exec, mmap-exec and connect decision of a
// sandboxed task, made in the kernel from the compiled policy (bpf/policy_engine.h),
// reported through bpf/telemetry.h. Tasks outside every sandbox return at the first
// lookup. Membership: lsm_membership.h; paths: lsm_path.h; self-protection: lsm_guard.h.
// Loaded by Sources/LSMSandbox, one object per `leash run`.
#include "vmlinux.h"
#include <asm-generic/errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "policy_engine.h"
#include "telemetry.h"
#include "dns_binding.h"
#include "lsm_membership.h"
#include "lsm_path.h"
#include "lsm_guard.h"
#include "lsm_decide.h"

char LICENSE[] SEC("license") = "GPL";

// A hot reload deletes the old policy's tables once the sandbox is bound to the new one;
// a decision that read the old binding just before must not find them half gone. Writing
// an element of a map-of-maps makes the kernel wait for every running BPF program to
// finish (synchronize_rcu, and these hooks run inside one RCU read section), so
// LSMSandbox.reload writes this map between the bind and the delete. Never read here.
struct lsm_barrier_inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 1);
    __type(key, __u32);
    __array(values, struct lsm_barrier_inner);
} lsm_rcu_barrier SEC(".maps");

// Entry 0, written by leash before the hooks attach: 1 when the sandbox's cgroup network
// programs (bpf/sandbox_net.bpf.c: DNS redirect to leash's resolver, decisions with the
// name an address was resolved from) decide IPv4/IPv6 connects and sends, so these hooks
// leave them alone. Members cannot leave that cgroup (cgroup writes are guarded below)
// and are born in it. 0: these hooks decide by address (and by a DNS binding if any).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} lsm_inet_by_cgroup SEC(".maps");

#define LSM_FMODE_WRITE 0x2
#define LSM_FMODE_EXEC 0x20
#define LSM_O_FMODE_EXEC 0x20  // __FMODE_EXEC, in f_flags
#define LSM_PROT_EXEC 0x4
#define LSM_VM_EXEC 0x4
#define LSM_MSG_FASTOPEN 0x20000000
#define LSM_SOCK_STREAM 1
#define LSM_AF_UNIX 1

// ---- files --------------------------------------------------------------------------

SEC("lsm/file_open")
int BPF_PROG(leash_file_open, struct file *file, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    unsigned int fmode = file->f_mode;
    // The open of a program for execve: bprm_check_security decides the exec itself.
    // Kernels before 6.8 keep the exec intent in f_flags only (__FMODE_EXEC, which open()
    // strips from what user space passes), not in f_mode: without this an exec allowed by
    // ProcessExec was refused as a read (found by LSMOperationTests on Debian's 6.1).
    if ((fmode & LSM_FMODE_EXEC) || (file->f_flags & LSM_O_FMODE_EXEC))
        return 0;
    int write = (fmode & LSM_FMODE_WRITE) != 0;
    // Moving a task to another cgroup, or changing its limits, is a write here.
    if (write && lsm_is_cgroup_fs(file->f_inode->i_sb))
        return lsm_guard_deny(sandbox, LSM_GUARD_CGROUP_WRITE);
    struct lsm_target t = { .path = (struct path *)&file->f_path, .kind = LSM_PATH_D_PATH, .op_flags = file->f_flags };
    return lsm_decide_file(sandbox, write ? LEASH_ACTION_FILE_OPEN_READ_WRITE : LEASH_ACTION_FILE_OPEN_READ_ONLY, &t);
}

/// A path_* hook on a new or existing name under `dir`.
static __always_inline int lsm_name_hook(const struct path *dir, struct dentry *dentry, __u32 action)
{
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct lsm_target t = { .mnt = LSM_READ(dir, mnt), .dentry = dentry, .kind = LSM_PATH_WALK };
    return lsm_decide_file(sandbox, action, &t);
}

SEC("lsm/path_mknod")  // mknod, mkfifo, and open(O_CREAT) of a new file
int BPF_PROG(leash_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode, unsigned int dev, int ret)
{
    return ret ? ret : lsm_name_hook(dir, dentry, LEASH_ACTION_FILE_CREATE);
}

SEC("lsm/path_mkdir")
int BPF_PROG(leash_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
    return ret ? ret : lsm_name_hook(dir, dentry, LEASH_ACTION_FILE_MKDIR);
}

SEC("lsm/path_rmdir")
int BPF_PROG(leash_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
    return ret ? ret : lsm_name_hook(dir, dentry, LEASH_ACTION_FILE_RMDIR);
}

SEC("lsm/path_symlink")
int BPF_PROG(leash_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name, int ret)
{
    return ret ? ret : lsm_name_hook(dir, dentry, LEASH_ACTION_FILE_SYMLINK);
}

SEC("lsm/path_unlink")
int BPF_PROG(leash_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (sandbox && lsm_is_bpf_fs(dentry))
        return lsm_guard_deny(sandbox, LSM_GUARD_BPF_FS);
    return lsm_name_hook(dir, dentry, LEASH_ACTION_FILE_UNLINK);
}

/// A hard link or a rename must not make a file reachable under a name where the policy
/// grants what it denies under the old name (read or write): otherwise `ln /denied/key
/// ~/work/key` would be the way around a read rule. Returns the hook's answer.
static __always_inline int lsm_no_gain(__u32 sandbox, struct vfsmount *old_mnt, struct dentry *old_dentry,
                                       struct vfsmount *new_mnt, struct dentry *new_dentry, __u32 action)
{
    struct lsm_paths *p = lsm_paths();
    if (!p)
        return lsm_deny_errno(action);
    int old_len = lsm_walk(old_mnt, old_dentry, p->first);
    int new_len = lsm_walk(new_mnt, new_dentry, p->second);
    if (old_len < 0 || new_len < 0)
        return lsm_deny_errno(action);
    for (__u32 access = LEASH_ACTION_FILE_OPEN_READ_ONLY; access <= LEASH_ACTION_FILE_OPEN_READ_WRITE; access++) {
        __s32 old_rule = -1, new_rule = -1;
        int old_ok = lsm_allows(sandbox, access, p->first, old_len, &old_rule);
        int new_ok = lsm_allows(sandbox, access, p->second, new_len, &new_rule);
        if (!old_ok && new_ok) {
            struct lsm_target t = { .mnt = old_mnt, .dentry = old_dentry, .kind = LSM_PATH_WALK };
            return lsm_refuse_gain(sandbox, action, &t, old_rule);
        }
    }
    return 0;
}

SEC("lsm/path_link")
int BPF_PROG(leash_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct vfsmount *mnt = LSM_READ(new_dir, mnt);
    struct lsm_target t = { .mnt = mnt, .dentry = new_dentry, .kind = LSM_PATH_WALK };
    int verdict = lsm_decide_file(sandbox, LEASH_ACTION_FILE_LINK, &t);
    if (verdict)
        return verdict;
    return lsm_no_gain(sandbox, mnt, old_dentry, mnt, new_dentry, LEASH_ACTION_FILE_LINK);
}

SEC("lsm/path_rename")  // rename, renameat2 (RENAME_EXCHANGE asks the same of both ends)
int BPF_PROG(leash_path_rename, const struct path *old_dir, struct dentry *old_dentry,
             const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    if (lsm_is_bpf_fs(old_dentry))
        return lsm_guard_deny(sandbox, LSM_GUARD_BPF_FS);
    struct vfsmount *old_mnt = LSM_READ(old_dir, mnt), *new_mnt = LSM_READ(new_dir, mnt);
    struct lsm_target from = { .mnt = old_mnt, .dentry = old_dentry, .kind = LSM_PATH_WALK };
    int verdict = lsm_decide_file(sandbox, LEASH_ACTION_FILE_RENAME, &from);
    if (verdict)
        return verdict;
    struct lsm_target to = { .mnt = new_mnt, .dentry = new_dentry, .kind = LSM_PATH_WALK };
    verdict = lsm_decide_file(sandbox, LEASH_ACTION_FILE_RENAME, &to);
    if (verdict)
        return verdict;
    return lsm_no_gain(sandbox, old_mnt, old_dentry, new_mnt, new_dentry, LEASH_ACTION_FILE_RENAME);
}

/// A path_* hook on an existing file.
static __always_inline int lsm_path_hook(const struct path *path, __u32 action)
{
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct lsm_target t = { .mnt = LSM_READ(path, mnt), .dentry = LSM_READ(path, dentry), .kind = LSM_PATH_WALK };
    return lsm_decide_file(sandbox, action, &t);
}

SEC("lsm/path_chmod")
int BPF_PROG(leash_path_chmod, const struct path *path, umode_t mode, int ret)
{
    return ret ? ret : lsm_path_hook(path, LEASH_ACTION_FILE_CHMOD);
}

SEC("lsm/path_chown")
int BPF_PROG(leash_path_chown, const struct path *path, unsigned int uid, unsigned int gid, int ret)
{
    return ret ? ret : lsm_path_hook(path, LEASH_ACTION_FILE_CHOWN);
}

SEC("lsm/path_truncate")  // truncate, ftruncate and open(O_TRUNC) on 6.1 (file_truncate is 6.2+)
int BPF_PROG(leash_path_truncate, const struct path *path, int ret)
{
    return ret ? ret : lsm_path_hook(path, LEASH_ACTION_FILE_TRUNCATE);
}

/// The xattr hooks get a dentry only; the path is named through its file system's first mount.
static __always_inline int lsm_xattr_hook(struct dentry *dentry)
{
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct lsm_target t = { .mnt = lsm_first_mount(dentry), .dentry = dentry, .kind = LSM_PATH_WALK };
    return lsm_decide_file(sandbox, LEASH_ACTION_FILE_SETXATTR, &t);
}

SEC("lsm/inode_setxattr")  // the first argument is a user namespace on 6.1, an idmap later
int BPF_PROG(leash_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
             const void *value, size_t size, int flags, int ret)
{
    return ret ? ret : lsm_xattr_hook(dentry);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(leash_inode_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
    return ret ? ret : lsm_xattr_hook(dentry);
}

// ---- programs -----------------------------------------------------------------------

SEC("lsm/bprm_check_security")  // every binary of an exec: a script, then its interpreter
int BPF_PROG(leash_bprm_check, struct linux_binprm *bprm, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct lsm_target t = { .path = (struct path *)&bprm->file->f_path, .kind = LSM_PATH_D_PATH };
    return lsm_decide_file(sandbox, LEASH_ACTION_PROCESS_EXEC, &t);
}

SEC("lsm/mmap_file")  // what ld.so does to run a program it was handed, and to load libraries
int BPF_PROG(leash_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
             unsigned long flags, int ret)
{
    if (ret)
        return ret;
    if (!file || !(prot & LSM_PROT_EXEC))
        return 0;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct lsm_target t = { .path = (struct path *)&file->f_path, .kind = LSM_PATH_D_PATH, .op_flags = (__u32)prot };
    return lsm_decide_file(sandbox, LEASH_ACTION_PROCESS_MMAP_EXEC, &t);
}

SEC("lsm/file_mprotect")  // making a file mapping executable after the fact
int BPF_PROG(leash_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot, int ret)
{
    if (ret)
        return ret;
    struct file *file = vma->vm_file;
    if (!file || !(prot & LSM_PROT_EXEC) || (vma->vm_flags & LSM_VM_EXEC))
        return 0;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct lsm_target t = { .mnt = LSM_READ(file, f_path.mnt), .dentry = LSM_READ(file, f_path.dentry),
                            .kind = LSM_PATH_WALK, .op_flags = (__u32)prot };
    return lsm_decide_file(sandbox, LEASH_ACTION_PROCESS_MMAP_EXEC, &t);
}

// ---- network ------------------------------------------------------------------------

/// An IPv4 or IPv6 destination in a sockaddr copied into the kernel; other families are
/// not decided here (unix sockets are decided by path in the unix_* hooks below).
static __always_inline int lsm_sockaddr_hook(__u32 sandbox, struct socket *sock, struct sockaddr *address, __u32 action)
{
    __u16 family = BPF_CORE_READ(address, sa_family);
    if (family != AF_INET && family != AF_INET6)
        return 0;
    __u32 zero = 0;
    __u32 *by_cgroup = bpf_map_lookup_elem(&lsm_inet_by_cgroup, &zero);
    if (by_cgroup && *by_cgroup)
        return 0;
    __u8 addr[16] = {};
    __u16 port;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)address;
        __u32 a4 = BPF_CORE_READ(in, sin_addr.s_addr);
        __builtin_memcpy(addr, &a4, 4);
        port = bpf_ntohs(BPF_CORE_READ(in, sin_port));
    } else if (family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
        bpf_probe_read_kernel(addr, 16, &in6->sin6_addr);
        port = bpf_ntohs(BPF_CORE_READ(in6, sin6_port));
    } else {
        return 0;
    }
    __u32 proto = BPF_CORE_READ(sock, sk, sk_protocol);
    return lsm_decide_address(sandbox, action, family, proto, port, addr);
}

SEC("lsm/socket_connect")  // TCP connect, and UDP connect (which fixes a datagram socket's peer)
int BPF_PROG(leash_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    return lsm_sockaddr_hook(sandbox, sock, address, LEASH_ACTION_NETWORK_CONNECT);
}

SEC("lsm/socket_sendmsg")  // sendto/sendmsg with a destination; a connected socket was decided at connect
int BPF_PROG(leash_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox)
        return 0;
    struct sockaddr *name = BPF_CORE_READ(msg, msg_name);
    if (!name || BPF_CORE_READ(msg, msg_namelen) == 0)
        return 0;
    // On a stream socket a destination only matters for a TCP Fast Open connect.
    __u32 action = BPF_CORE_READ(sock, type) == LSM_SOCK_STREAM ? LEASH_ACTION_NETWORK_CONNECT
                                                                 : LEASH_ACTION_NETWORK_SEND;
    return lsm_sockaddr_hook(sandbox, sock, name, action);
}

/// A unix socket peer, by the path the kernel bound it to (so relative names and
/// symlinks to a socket meet the same rule). Abstract and unnamed sockets have no path
/// and are not decided.
static __always_inline int lsm_unix_peer(struct sock *other)
{
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox || !other)
        return 0;
    struct unix_sock *peer = (struct unix_sock *)other;
    struct dentry *dentry = LSM_READ(peer, path.dentry);
    if (!dentry)
        return 0;
    struct lsm_target t = { .mnt = LSM_READ(peer, path.mnt), .dentry = dentry, .kind = LSM_PATH_WALK };
    return lsm_decide_file(sandbox, LEASH_ACTION_UNIX_CONNECT, &t);
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(leash_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk, int ret)
{
    return ret ? ret : lsm_unix_peer(other);
}

SEC("lsm/unix_may_send")  // datagram connect and sendto
int BPF_PROG(leash_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
    return ret ? ret : lsm_unix_peer(BPF_CORE_READ(other, sk));
}

// ---- self-protection ----------------------------------------------------------------

/// Refuses the operation to every member: `guard` names it in the event.
static __always_inline int lsm_refuse_members(__u32 guard)
{
    __u32 sandbox = lsm_current_sandbox();
    return sandbox ? lsm_guard_deny(sandbox, guard) : 0;
}

SEC("lsm/bpf")
int BPF_PROG(leash_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_BPF);
}

SEC("lsm/sb_mount")
int BPF_PROG(leash_sb_mount, const char *dev_name, const struct path *path, const char *type,
             unsigned long flags, void *data, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_MOUNT);
}

SEC("lsm/sb_umount")
int BPF_PROG(leash_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_MOUNT);
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(leash_sb_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_MOUNT);
}

SEC("lsm/move_mount")
int BPF_PROG(leash_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_MOUNT);
}

SEC("lsm/path_chroot")  // a chroot would change what bpf_d_path names
int BPF_PROG(leash_path_chroot, const struct path *path, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_MOUNT);
}

SEC("lsm/userns_create")  // a user namespace would let a task gain mount rights over its own tree
int BPF_PROG(leash_userns_create, const struct cred *cred, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_USERNS);
}

SEC("lsm/kernel_read_file")
int BPF_PROG(leash_kernel_read_file, struct file *file, int id, bool contents, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_KERNEL_LOAD);
}

SEC("lsm/kernel_load_data")
int BPF_PROG(leash_kernel_load_data, int id, bool contents, int ret)
{
    return ret ? ret : lsm_refuse_members(LSM_GUARD_KERNEL_LOAD);
}

SEC("lsm/ptrace_access_check")  // ptrace attach, /proc/PID/mem, process_vm_readv/writev
int BPF_PROG(leash_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox || lsm_sandbox_of(child) == sandbox)
        return 0;
    return lsm_guard_deny(sandbox, LSM_GUARD_PTRACE);
}

SEC("lsm/task_kill")  // kill -9 of leash from inside would leave the sandbox unsupervised
int BPF_PROG(leash_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
             const struct cred *cred, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox || sig == 0 || lsm_sandbox_of(p) == sandbox)
        return 0;
    return lsm_guard_deny(sandbox, LSM_GUARD_SIGNAL);
}
