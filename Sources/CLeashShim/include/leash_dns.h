// Structs shared by the sandbox network programs (bpf/sandbox_net.bpf.c), the BPF LSM
// connect/sendmsg hooks and leash's resolver (Sources/Resolver): which name an address
// was resolved from, for which sandbox, until when. Same layout rules as leash_events.h
// (fixed-width types, largest alignment first, explicit padding); Tests/KernelTests/NetworkLayoutTests.swift
// compares their BTF layout with Swift's.
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/// Longest name the binding keeps (a DNS name is at most 253 characters as text).
#define LEASH_DNS_NAME_MAX 256

/// Address families as the kernel spells them (AF_INET, AF_INET6), so BPF and Swift agree
/// without either including the other's socket headers.
#define LEASH_FAMILY_INET 2
#define LEASH_FAMILY_INET6 10

/// Key of the `dns_bindings` map: one address of one sandbox. IPv4 addresses (and
/// IPv4-mapped IPv6 addresses, converted) are LEASH_FAMILY_INET with the four bytes first
/// and the rest zero, in network byte order, as the policy engine's request holds them.
/// Built in Swift by `BindingKey.cStruct` (Sources/Resolver/Binding/BindingKey.swift).
struct leash_dns_binding_key {
    __u32 sandbox_id;
    __u32 family;
    __u8 addr[16];
};

/// Value of the `dns_bindings` map: the allowed name the address was answered for. The
/// entry counts as absent once `bpf_ktime_get_ns()` (CLOCK_MONOTONIC) passes
/// `expires_ns`, which the resolver sets to answer time + TTL + grace period; the
/// resolver also deletes expired entries. The last allowed answer naming an address wins.
struct leash_dns_binding {
    __u64 expires_ns;
    __u32 name_len;
    __u32 _pad;
    __u8 name[LEASH_DNS_NAME_MAX];
};

/// Per-sandbox settings of the network programs, held in cgroup storage of the sandbox's
/// cgroup: the storage belongs to the cgroup the programs are attached to, so a process in
/// a child cgroup still finds its sandbox's settings. A zero `sandbox_id` means "attached
/// but not configured yet": everything is refused. Policy, mode and flags come from the
/// policy engine's `sandboxes` map under `sandbox_id`.
/// Built in Swift by `NetworkSandboxSettings.cStruct` (Sources/Resolver/Kernel/NetworkPrograms.swift).
struct leash_net_sandbox {
    __u8 resolver_ip6[16];   // where port-53 traffic of IPv6 sockets goes (network order);
                             // all zero: this sandbox has no IPv6 resolver, IPv6 DNS is refused
    __u32 sandbox_id;
    __u32 resolver_ip4;      // where port-53 traffic of IPv4 sockets goes (network order)
    __u16 resolver_port;     // UDP and TCP port of this sandbox's resolver (host order)
    __u16 _pad0;
    __u32 _pad1;
};

/// Values of the `protected_ports` map ({__u16 port, host order} -> value): leash's own
/// endpoints (every sandbox's resolver socket, API ports) that no sandboxed socket may
/// reach, except through the port-53 redirect, which the program itself performs.
enum leash_protected_scope {
    LEASH_PROTECT_LOOPBACK = 1,  // bound to loopback: refused for 127/8, ::1, 0.0.0.0, :: (and mapped)
    LEASH_PROTECT_ANY = 2,       // bound to every address: refused for any destination
};
