// SPDX-License-Identifier: GPL-2.0
// Denies open() of chosen inodes to tasks in chosen cgroups. The smallest real
// enforcement: the test bench's proof that BPF LSM programs load, attach and decide.
#include "vmlinux.h"
#include <asm-generic/errno-base.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "leash_events.h"

char LICENSE[] SEC("license") = "GPL";

// Puts the event struct into this object's BTF (types of locals are not recorded), so
// the layout test can compare it with Swift's.
struct leash_decision_event *leash_decision_event_btf __attribute__((unused));

// cgroup v2 ids of the sandboxes this program applies to; every other task is untouched.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u64);
    __type(value, __u8);
} scoped_cgroups SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, struct leash_inode_key);
    __type(value, __u8);
} denied_inodes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} events SEC(".maps");

static void report(__u64 cgroup_id, const struct leash_inode_key *key, __s32 verdict)
{
    struct leash_decision_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return;  // a full ring buffer loses the event, never the decision
    e->cgroup_id = cgroup_id;
    e->dev = key->dev;
    e->ino = key->ino;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->hook = LEASH_HOOK_FILE_OPEN;
    e->verdict = verdict;
    e->_pad = 0;
    bpf_ringbuf_submit(e, 0);
}

SEC("lsm/file_open")
int BPF_PROG(leash_file_open, struct file *file, int ret)
{
    if (ret)
        return ret;
    __u64 cgroup_id = bpf_get_current_cgroup_id();
    if (!bpf_map_lookup_elem(&scoped_cgroups, &cgroup_id))
        return 0;
    struct leash_inode_key key = {
        .dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev),
        .ino = BPF_CORE_READ(file, f_inode, i_ino),
    };
    if (!bpf_map_lookup_elem(&denied_inodes, &key))
        return 0;
    report(cgroup_id, &key, -EPERM);
    return -EPERM;
}
