// SPDX-License-Identifier: GPL-2.0
// The DNS-to-address binding map, for every program that decides connects: the sandbox
// network programs (sandbox_net.bpf.c) and the BPF LSM socket hooks. Include after
// vmlinux.h and bpf_helpers.h. Each object that includes this declares its own
// `dns_bindings`; leash creates the map once and every object reuses its fd before load
// (bpf_map__reuse_fd), so the resolver writes one map that all of them read.
//
// Writer: leash's resolver (Sources/Resolver), which installs an allowed name's addresses
// BEFORE it releases the answer to the sandbox, so a client that connects the instant it
// reads the answer finds the binding.
#pragma once

#include "leash_dns.h"

#define LEASH_DNS_BINDINGS_MAX 65536

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, LEASH_DNS_BINDINGS_MAX);
    __type(key, struct leash_dns_binding_key);
    __type(value, struct leash_dns_binding);
} dns_bindings SEC(".maps");

/// The live binding of `addr` (LEASH_FAMILY_INET: 4 bytes then zeros) in `sandbox_id`,
/// or NULL when there is none or it expired. An expired entry is a miss even before the
/// resolver's sweep deletes it; the grace period for connections already open is part of
/// `expires_ns` (set by the resolver), and an established TCP connection is never
/// re-decided: only new connects and unconnected sends look here.
static __always_inline struct leash_dns_binding *
leash_dns_lookup(__u32 sandbox_id, __u32 family, const __u8 addr[16])
{
    struct leash_dns_binding_key key = { .sandbox_id = sandbox_id, .family = family };
    __builtin_memcpy(key.addr, addr, 16);
    struct leash_dns_binding *b = bpf_map_lookup_elem(&dns_bindings, &key);
    if (!b || bpf_ktime_get_ns() >= b->expires_ns)
        return NULL;
    return b;
}
