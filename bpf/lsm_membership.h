// Sandbox membership for leash_lsm.bpf.c: which sandbox, if any, a task belongs to.
//
// Membership lives in task storage, one entry per task, so it follows the task itself and
// not its cgroup, session or parent: moving to another cgroup, setsid or a double fork
// cannot shed it. It is given in two ways only:
//   - enrolment: leash marks the one thread that spawns the command (`enrolling`, keyed
//     by that thread's id) for the duration of the spawn; a task created by a marked
//     thread is a member from birth (task_alloc runs in the parent, before the child can
//     be scheduled), so the command never runs one instruction outside its sandbox;
//   - inheritance: every task created by a member (fork, vfork, clone, threads) is a
//     member of the same sandbox, copied in task_alloc.
// Neither path can be taken by the sandbox to leave: there is no hook that removes an
// entry, and only root outside the sandbox can write `enrolling` (bpf() is denied inside).
#pragma once

struct lsm_member {
    __u32 sandbox;  // the sandbox id leash chose (its pid), never 0
    __u32 _pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, struct lsm_member);
} lsm_members SEC(".maps");

// Thread id (the kernel's pid of one thread) -> sandbox id, while that thread spawns.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u32);
} lsm_enrolling SEC(".maps");

// Entry 0: live member tasks, so that leash can tell when programs left pinned by a
// killed leash (Sources/LSMSandbox/LSMPins.swift) no longer confine anyone. A map rather
// than a global so that it can be pinned and read without the object.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} lsm_live_members SEC(".maps");

static __always_inline void lsm_count_member(__s64 delta)
{
    __u32 zero = 0;
    __u64 *live = bpf_map_lookup_elem(&lsm_live_members, &zero);
    if (live)
        __sync_fetch_and_add(live, delta);
}

static __always_inline __u32 lsm_sandbox_of(struct task_struct *task)
{
    struct lsm_member *m = bpf_task_storage_get(&lsm_members, task, 0, 0);
    return m ? m->sandbox : 0;
}

static __always_inline __u32 lsm_current_sandbox(void)
{
    return lsm_sandbox_of(bpf_get_current_task_btf());
}

SEC("lsm/task_alloc")
int BPF_PROG(leash_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
    if (ret)
        return ret;
    __u32 sandbox = lsm_current_sandbox();
    if (!sandbox) {
        __u32 tid = (__u32)bpf_get_current_pid_tgid();
        __u32 *enrolled = bpf_map_lookup_elem(&lsm_enrolling, &tid);
        if (!enrolled)
            return 0;
        sandbox = *enrolled;
    }
    struct lsm_member *m = bpf_task_storage_get(&lsm_members, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!m)
        return -ENOMEM;  // a child that cannot carry its membership is never created
    m->sandbox = sandbox;
    lsm_count_member(1);
    return 0;
}

SEC("lsm/task_free")
int BPF_PROG(leash_task_free, struct task_struct *task)
{
    if (lsm_sandbox_of(task))
        lsm_count_member(-1);
    return 0;
}
