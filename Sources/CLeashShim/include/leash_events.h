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
