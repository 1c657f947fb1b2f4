// Structs shared by the BPF programs in bpf/*.bpf.c and the Swift loader.
//
// Rules for every struct here, because two compilers lay them out independently:
// plain fixed-width kernel types (__u32/__u64), fields ordered largest first, explicit
// padding fields, no bitfields, no pointers. Tests/LoaderTests/SharedLayoutTests.swift
// compares each struct's size and field offsets in the compiled BPF object's BTF with
// Swift's MemoryLayout of the imported struct; add a struct here and that test must list it.
#pragma once

#ifndef __VMLINUX_H__
// Userspace: the BPF side gets these types from vmlinux.h instead.
#include <linux/types.h>
#endif

/// One file, as the kernel names it: the superblock's dev_t in the kernel's own encoding
/// (major << 20 | minor, not stat's st_dev encoding) and the inode number.
/// Swift twin: `InodeKey` in Sources/Loader/Maps/InodeKey.swift.
struct leash_inode_key {
    __u64 dev;
    __u64 ino;
};

/// An IPv4 destination in network byte order, as `struct bpf_sock_addr` holds it.
/// Swift twin: `IPv4Destination` in Sources/Loader/Maps/IPv4Destination.swift.
struct leash_ipv4_key {
    __u32 addr;
    __u16 port;
    __u16 _pad;
};

/// Which hook decided. Values of `leash_decision_event.hook`.
enum leash_hook {
    LEASH_HOOK_FILE_OPEN = 1,
    LEASH_HOOK_CONNECT4 = 2,
    LEASH_HOOK_EXEC = 3,  // an observed exec (tracepoint), never a denial
};

/// One decision, sent to userspace through the `events` ring buffer.
/// Swift twin: `DecisionEvent` in Sources/Loader/Events/DecisionEvent.swift.
struct leash_decision_event {
    __u64 cgroup_id;
    __u64 dev;       // file and exec hooks: leash_inode_key.dev; 0 otherwise
    __u64 ino;       // file and exec hooks: leash_inode_key.ino; 0 otherwise
    __u32 pid;       // thread group id (the userspace pid)
    __u32 hook;      // enum leash_hook
    __s32 verdict;   // 0 allowed, otherwise the negative errno returned
    __u32 _pad;
};

// ---------------------------------------------------------------------------------------
// The event contract of issue 5 and 7: every hook (BPF LSM), cgroup program (network, DNS)
// and tracepoint (the fallback's telemetry) reports through these, via bpf/telemetry.h.

/// Bits of `leash_event.mode_flags`.
enum leash_event_flag {
    LEASH_EVENT_ENFORCE          = 1 << 0,  // the sandbox runs in enforce mode: a deny was returned to the caller
    LEASH_EVENT_AUDIT_WOULD_DENY = 1 << 1,  // audit mode: allowed (verdict 0), but the policy would deny
    LEASH_EVENT_OBSERVED         = 1 << 2,  // seen by a tracepoint, not decided by a hook: the verdict is
                                            // the syscall's result and the rule is recomputed in userspace
    LEASH_EVENT_PATH_TRUNCATED   = 1 << 3,  // a path filled its whole buffer: it may be cut (never silently)
    LEASH_EVENT_PATH_UNREADABLE  = 1 << 4,  // the path could not be read (fault, d_path failure): path_len is 0
    LEASH_EVENT_DOMAIN           = 1 << 5,  // the path bytes are a domain name (network events)
    LEASH_EVENT_DENY             = 1 << 6,  // the policy denied (enforce) or would deny (audit); for
                                            // OBSERVED events: the result was -EACCES or -EPERM
};

/// Longest path (or domain) one event carries: the kernel's PATH_MAX, NUL included.
#define LEASH_EVENT_PATH_MAX 4096

/// One decision or observed operation, sent through the shared `events` ring buffer as a
/// variable-length record: this fixed header, then `path_len` bytes of the path (or
/// domain), then `path2_len` bytes of a second path (the new name of a rename or link,
/// the target of a symlink). No NUL terminators; record size = sizeof header + both lengths.
/// Swift twin: `EventHeader` (Sources/Loader/Events/EventHeader.swift), decoded by
/// `RawEvent.decode`.
struct leash_event {
    __u64 time_ns;     // bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME; userspace adds
                       // (CLOCK_REALTIME - CLOCK_BOOTTIME) sampled once at start
    __u64 cgroup_id;   // bpf_get_current_cgroup_id() of the acting task
    __u32 sandbox_id;  // the sandbox the task belongs to (0: scoped by cgroup only)
    __u32 policy_id;   // the policy generation that decided (0 when none did: OBSERVED)
    __u32 pid;         // thread group id (the userspace pid)
    __u32 tid;         // thread id
    __u32 ppid;        // real parent's thread group id
    __u32 action;      // enum leash_action: the index in PolicyCompiler's Vocabulary.actions
    __s32 verdict;     // 0 allowed, else the -errno returned (OBSERVED: the syscall's -errno)
    __s32 rule;        // deciding rule: index in CompiledPolicy.rules, -1 none (default deny/allow)
    __u32 mode_flags;  // enum leash_event_flag bits
    __u32 op_flags;    // the operation's own flags when known: open(2) flags, mmap prot
    __s32 syscall;     // the syscall number when a tracepoint saw it, -1 from a hook
    __s32 dirfd;       // OBSERVED: the directory fd a relative path is relative to
                       // (-100, AT_FDCWD: the working directory); hooks' paths are absolute
    __u16 family;      // AF_INET, AF_INET6, AF_UNIX for network events, else 0
    __u16 protocol;    // IPPROTO_TCP or IPPROTO_UDP, else 0
    __u16 port;        // destination port, host byte order
    __u16 path_len;    // bytes of path (or domain) after the header, at most LEASH_EVENT_PATH_MAX - 1
    __u16 path2_len;   // bytes of the second path after the first
    __u16 _pad;
    __u32 _pad2;
    __u8 addr[16];     // destination address, network order: IPv4 in the first 4 bytes, else IPv6
    char comm[16];     // the task's comm, NUL-padded
};

/// Per-CPU counters of the `event_counts` map (one entry, key 0); userspace sums the CPUs.
/// Swift twin: `EventCounts` (Sources/Loader/Events/EventCounts.swift).
struct leash_event_counts {
    __u64 sent;          // records written to the ring buffer
    __u64 lost;          // records the ring buffer refused (full), and tracepoint exits whose
                         // entry was not stashed: every one of them is counted here
    __u64 lost_denies;   // of `lost`, how many were denials (enforced, would-deny or observed)
    __u64 deduplicated;  // allows not sent because the same allow was sent before
};

/// Key of the shared `allow_seen` LRU map: an allow already reported is not sent again.
/// The policy id is part of the key so a reloaded policy's allows are reported afresh.
struct leash_allow_key {
    __u64 object_hash;   // the caller's hash of the object (path bytes, inode, address)
    __u32 sandbox_id;
    __u32 policy_id;
    __u32 action;
    __u32 _pad;
};
