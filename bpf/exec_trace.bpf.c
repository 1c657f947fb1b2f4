// SPDX-License-Identifier: GPL-2.0
// Reports every exec by a task in a chosen cgroup: which file ran, in which process.
// A tracing program, so it works on kernels that refuse BPF LSM; it decides nothing.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "leash_events.h"

char LICENSE[] SEC("license") = "GPL";

struct leash_decision_event *leash_decision_event_btf __attribute__((unused));

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u64);
    __type(value, __u8);
} scoped_cgroups SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tp_btf/sched_process_exec")
int BPF_PROG(leash_exec_trace, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
    __u64 cgroup_id = bpf_get_current_cgroup_id();
    if (!bpf_map_lookup_elem(&scoped_cgroups, &cgroup_id))
        return 0;
    struct leash_decision_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->cgroup_id = cgroup_id;
    e->dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev);
    e->ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->hook = LEASH_HOOK_EXEC;
    e->verdict = 0;
    e->_pad = 0;
    bpf_ringbuf_submit(e, 0);
    return 0;
}
