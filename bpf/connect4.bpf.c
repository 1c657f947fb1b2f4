// SPDX-License-Identifier: GPL-2.0
// Denies IPv4 connect() to chosen address:port pairs for every task in the cgroup the
// program is attached to. Works where BPF LSM does not (cgroup BPF needs no trampolines).
#include "vmlinux.h"
#include <asm-generic/errno-base.h>
#include <bpf/bpf_helpers.h>
#include "leash_events.h"

char LICENSE[] SEC("license") = "GPL";

// Puts the event struct into this object's BTF (types of locals are not recorded), so
// the layout test can compare it with Swift's.
struct leash_decision_event *leash_decision_event_btf __attribute__((unused));

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, struct leash_ipv4_key);
    __type(value, __u8);
} denied_destinations SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} events SEC(".maps");

// cgroup/connect4 programs answer 1 to allow and 0 to deny (the caller sees EPERM).
SEC("cgroup/connect4")
int leash_connect4(struct bpf_sock_addr *ctx)
{
    struct leash_ipv4_key key = {
        .addr = ctx->user_ip4,
        .port = (__u16)ctx->user_port,
        ._pad = 0,
    };
    if (!bpf_map_lookup_elem(&denied_destinations, &key))
        return 1;
    struct leash_decision_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (e) {
        __builtin_memset(e, 0, sizeof(*e));
        e->cgroup_id = bpf_get_current_cgroup_id();
        e->pid = bpf_get_current_pid_tgid() >> 32;
        e->hook = LEASH_HOOK_CONNECT4;
        e->verdict = -EPERM;  // what the kernel returns to connect() for a 0 verdict
        bpf_ringbuf_submit(e, 0);
    }
    return 0;
}
