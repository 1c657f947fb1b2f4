// SPDX-License-Identifier: GPL-2.0
// The sandbox's network, enforced by cgroup socket-address programs attached to the
// sandbox's cgroup v2 (they need no BPF LSM, so the Landlock backend uses them too):
//   - every destination on port 53 (UDP and TCP, IPv4 and IPv6, any server) is rewritten
//     to this sandbox's resolver on loopback; recvmsg and getpeername rewrite the
//     resolver's address back to the server the process asked, so stub resolvers that
//     check where the answer came from accept it;
//   - leash's own endpoints (`protected_ports`) are refused, so the resolver is only
//     reachable through that rewrite;
//   - every other connect (and unconnected UDP send) is decided by the policy engine with
//     the name the resolver bound to the address (`dns_bindings`), or the address alone;
//   - inet sockets other than TCP and UDP (raw, ICMP "ping", SCTP) cannot be created:
//     the connect hooks never see their traffic.
// Which sandbox a socket belongs to comes from cgroup storage of the cgroup the programs
// are attached to (`net_config`), so child cgroups inherit the sandbox.
#include "vmlinux.h"
#include <asm-generic/errno-base.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "policy_engine.h"
#include "telemetry.h"
#include "dns_binding.h"

char LICENSE[] SEC("license") = "GPL";

// Put the shared structs into this object's BTF for the layout test.
struct leash_net_sandbox *leash_net_sandbox_btf __attribute__((unused));
struct leash_dns_binding_key *leash_dns_binding_key_btf __attribute__((unused));
struct leash_dns_binding *leash_dns_binding_btf __attribute__((unused));

#define DNS_PORT 53
#define SOCK_STREAM_TYPE 1
#define SOCK_DGRAM_TYPE 2

struct {
    __uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
    __type(key, __u64);  // a cgroup id: one storage shared by all attach types
    __type(value, struct leash_net_sandbox);
} net_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u16);
    __type(value, __u8);  // enum leash_protected_scope
} protected_ports SEC(".maps");

/// Where a socket's redirected DNS traffic was meant to go, by socket cookie; recvmsg and
/// getpeername report it instead of the resolver.
struct dns_origin {
    __u8 addr[16];
    __u32 family;
    __u16 port;  // network order
    __u16 _pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, struct dns_origin);
} dns_origins SEC(".maps");

/// A destination: IPv4 (and IPv4-mapped IPv6) as LEASH_FAMILY_INET in addr[0..3].
struct destination {
    __u8 addr[16];
    __u32 family;
    __u16 port;  // host order
    __u16 _pad;
};

static __always_inline void read_ip4(struct bpf_sock_addr *ctx, struct destination *d)
{
    __builtin_memset(d, 0, sizeof(*d));
    __u32 ip = ctx->user_ip4;
    __builtin_memcpy(d->addr, &ip, 4);
    d->family = LEASH_FAMILY_INET;
    d->port = bpf_ntohs((__u16)ctx->user_port);
}

/// Returns 1 when the IPv6 address was IPv4-mapped (then d holds the IPv4 address).
static __always_inline int read_ip6(struct bpf_sock_addr *ctx, struct destination *d)
{
    __builtin_memset(d, 0, sizeof(*d));
    __u32 w0 = ctx->user_ip6[0], w1 = ctx->user_ip6[1], w2 = ctx->user_ip6[2], w3 = ctx->user_ip6[3];
    d->port = bpf_ntohs((__u16)ctx->user_port);
    if (w0 == 0 && w1 == 0 && w2 == bpf_htonl(0x0000ffff)) {
        __builtin_memcpy(d->addr, &w3, 4);
        d->family = LEASH_FAMILY_INET;
        return 1;
    }
    __builtin_memcpy(d->addr, &w0, 4);
    __builtin_memcpy(d->addr + 4, &w1, 4);
    __builtin_memcpy(d->addr + 8, &w2, 4);
    __builtin_memcpy(d->addr + 12, &w3, 4);
    d->family = LEASH_FAMILY_INET6;
    return 0;
}

/// 127/8, 0.0.0.0, ::1 and :: all reach a socket bound to loopback.
static __always_inline int is_local(const struct destination *d)
{
    if (d->family == LEASH_FAMILY_INET)
        return d->addr[0] == 127 || (d->addr[0] | d->addr[1] | d->addr[2] | d->addr[3]) == 0;
    __u8 rest = 0;
#pragma unroll
    for (int i = 0; i < 15; i++)
        rest |= d->addr[i];
    return rest == 0 && (d->addr[15] == 0 || d->addr[15] == 1);
}

static __always_inline int is_protected(const struct destination *d)
{
    __u16 port = d->port;
    __u8 *scope = bpf_map_lookup_elem(&protected_ports, &port);
    if (!scope)
        return 0;
    return *scope == LEASH_PROTECT_ANY || is_local(d);
}

static __always_inline __u64 destination_hash(const struct destination *d, __u32 action)
{
    __u64 h = 0xcbf29ce484222325ULL ^ action;
#pragma unroll
    for (int i = 0; i < 16; i++)
        h = (h ^ d->addr[i]) * 0x100000001b3ULL;
    h = (h ^ d->port) * 0x100000001b3ULL;
    return (h ^ d->family) * 0x100000001b3ULL;
}

static __always_inline __u32 protocol_of(struct bpf_sock_addr *ctx)
{
    return ctx->type == SOCK_STREAM_TYPE ? LEASH_IPPROTO_TCP : LEASH_IPPROTO_UDP;
}

/// What `report` writes into an event; plain scalars, so `report` can be its own
/// subprogram (its stack frame then does not add to the engine's).
struct net_verdict {
    __u32 sandbox_id;
    __u32 policy_id;
    __u32 action;
    __u32 proto;
    __s32 rule;
    __u32 mode_flags;  // LEASH_EVENT_* bits
    __s32 verdict;
    __u32 named;       // 1: the request's string (scratch) is the bound name
};

static __noinline void report(const struct destination *d, const struct net_verdict *v)
{
    struct leash_event *e = leash_event_begin();
    if (!e)
        return;
    e->sandbox_id = v->sandbox_id;
    e->policy_id = v->policy_id;
    e->action = v->action;
    e->rule = v->rule;
    e->mode_flags = v->mode_flags;
    e->verdict = v->verdict;
    e->family = d->family;
    e->protocol = v->proto;
    e->port = d->port;
    __builtin_memcpy(e->addr, d->addr, 16);
    struct leash_request *req = leash_request_scratch();
    if (v->named && req) {
        leash_event_path_kernel(e, req->str);
        e->mode_flags |= LEASH_EVENT_DOMAIN;
    }
    leash_event_submit(e, destination_hash(d, v->action));
}

/// 1 to let the connect or send proceed, 0 to refuse it (EPERM).
static __always_inline int decide(struct bpf_sock_addr *ctx, const struct leash_net_sandbox *cfg,
                                  const struct destination *d, __u32 action)
{
    __u32 proto = protocol_of(ctx);
    __u32 id = cfg->sandbox_id;
    struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, &id);
    struct net_verdict v = {
        .sandbox_id = id, .policy_id = sb ? sb->policy : 0, .action = action, .proto = proto,
        .rule = -1, .mode_flags = LEASH_EVENT_DENY | LEASH_EVENT_ENFORCE, .verdict = -EPERM,
    };
    // leash's own endpoints, and a sandbox without a policy: refused in every mode.
    if (is_protected(d) || !sb) {
        report(d, &v);
        return 0;
    }
    struct leash_request *req = leash_request_scratch();
    if (!req)
        return 0;
    req->flags = sb->flags;
    req->policy = sb->policy;
    req->action = action;
    req->tool_len = 0;
    req->family = d->family;
    req->proto = proto;
    req->port = d->port;
    __builtin_memcpy(req->addr, d->addr, 16);
    req->str_len = 0;
    struct leash_dns_binding *binding = leash_dns_lookup(id, d->family, d->addr);
    if (binding) {
        __builtin_memcpy(req->str, binding->name, LEASH_DNS_NAME_MAX);
        __u32 n = binding->name_len;
        req->str_len = n < LEASH_DNS_NAME_MAX ? n : LEASH_DNS_NAME_MAX - 1;
    }
    struct leash_decision dec = {};
    leash_decide(req, &dec);  // a failed decision is a deny by no rule
    int enforce = sb->mode == LEASH_MODE_ENFORCE;
    v.rule = dec.rule;
    v.named = binding != 0;
    if (dec.allow) {
        v.mode_flags = enforce ? LEASH_EVENT_ENFORCE : 0;
        v.verdict = 0;
    } else if (!enforce) {
        v.mode_flags = LEASH_EVENT_DENY | LEASH_EVENT_AUDIT_WOULD_DENY;
        v.verdict = 0;
    }
    report(d, &v);
    return dec.allow || !enforce;
}

static __noinline void remember_origin(struct bpf_sock_addr *ctx, const struct destination *d)
{
    __u64 cookie = bpf_get_socket_cookie(ctx);
    struct dns_origin o = { .family = d->family, .port = bpf_htons(d->port) };
    __builtin_memcpy(o.addr, d->addr, 16);
    bpf_map_update_elem(&dns_origins, &cookie, &o, BPF_ANY);
}

static __always_inline struct leash_net_sandbox *sandbox_settings(void)
{
    struct leash_net_sandbox *cfg = bpf_get_local_storage(&net_config, 0);
    return cfg && cfg->sandbox_id ? cfg : 0;
}

static __always_inline int on_ip4(struct bpf_sock_addr *ctx, __u32 action)
{
    struct leash_net_sandbox *cfg = sandbox_settings();
    if (!cfg)
        return 0;
    struct destination d;
    read_ip4(ctx, &d);
    if (d.port == DNS_PORT) {
        remember_origin(ctx, &d);
        ctx->user_ip4 = cfg->resolver_ip4;
        ctx->user_port = bpf_htons(cfg->resolver_port);
        return 1;
    }
    return decide(ctx, cfg, &d, action);
}

static __always_inline int on_ip6(struct bpf_sock_addr *ctx, __u32 action)
{
    struct leash_net_sandbox *cfg = sandbox_settings();
    if (!cfg)
        return 0;
    struct destination d;
    int mapped = read_ip6(ctx, &d);
    if (d.port == DNS_PORT) {
        if (mapped) {
            ctx->user_ip6[0] = 0;
            ctx->user_ip6[1] = 0;
            ctx->user_ip6[2] = bpf_htonl(0x0000ffff);
            ctx->user_ip6[3] = cfg->resolver_ip4;
        } else {
            __u32 w[4];
            __builtin_memcpy(w, cfg->resolver_ip6, 16);
            if ((w[0] | w[1] | w[2] | w[3]) == 0)
                return 0;  // no IPv6 resolver: the stub falls back to an IPv4 server
            ctx->user_ip6[0] = w[0];
            ctx->user_ip6[1] = w[1];
            ctx->user_ip6[2] = w[2];
            ctx->user_ip6[3] = w[3];
        }
        remember_origin(ctx, &d);
        ctx->user_port = bpf_htons(cfg->resolver_port);
        return 1;
    }
    return decide(ctx, cfg, &d, action);
}

SEC("cgroup/connect4")
int leash_net_connect4(struct bpf_sock_addr *ctx) { return on_ip4(ctx, LEASH_ACTION_NETWORK_CONNECT); }

SEC("cgroup/connect6")
int leash_net_connect6(struct bpf_sock_addr *ctx) { return on_ip6(ctx, LEASH_ACTION_NETWORK_CONNECT); }

SEC("cgroup/sendmsg4")
int leash_net_sendmsg4(struct bpf_sock_addr *ctx) { return on_ip4(ctx, LEASH_ACTION_NETWORK_SEND); }

SEC("cgroup/sendmsg6")
int leash_net_sendmsg6(struct bpf_sock_addr *ctx) { return on_ip6(ctx, LEASH_ACTION_NETWORK_SEND); }

/// The resolver's address becomes the server the process asked (recvmsg, getpeername).
static __always_inline void restore4(struct bpf_sock_addr *ctx)
{
    struct leash_net_sandbox *cfg = sandbox_settings();
    if (!cfg || ctx->user_ip4 != cfg->resolver_ip4 || bpf_ntohs((__u16)ctx->user_port) != cfg->resolver_port)
        return;
    __u64 cookie = bpf_get_socket_cookie(ctx);
    struct dns_origin *o = bpf_map_lookup_elem(&dns_origins, &cookie);
    if (!o || o->family != LEASH_FAMILY_INET)
        return;
    __u32 ip;
    __builtin_memcpy(&ip, o->addr, 4);
    ctx->user_ip4 = ip;
    ctx->user_port = o->port;
}

static __always_inline void restore6(struct bpf_sock_addr *ctx)
{
    struct leash_net_sandbox *cfg = sandbox_settings();
    if (!cfg || bpf_ntohs((__u16)ctx->user_port) != cfg->resolver_port)
        return;
    __u64 cookie = bpf_get_socket_cookie(ctx);
    struct dns_origin *o = bpf_map_lookup_elem(&dns_origins, &cookie);
    if (!o)
        return;
    __u32 w[4];
    __builtin_memcpy(w, o->addr, 16);
    if (o->family == LEASH_FAMILY_INET) {
        ctx->user_ip6[0] = 0;
        ctx->user_ip6[1] = 0;
        ctx->user_ip6[2] = bpf_htonl(0x0000ffff);
        ctx->user_ip6[3] = w[0];
    } else {
        ctx->user_ip6[0] = w[0];
        ctx->user_ip6[1] = w[1];
        ctx->user_ip6[2] = w[2];
        ctx->user_ip6[3] = w[3];
    }
    ctx->user_port = o->port;
}

SEC("cgroup/recvmsg4")
int leash_net_recvmsg4(struct bpf_sock_addr *ctx) { restore4(ctx); return 1; }

SEC("cgroup/recvmsg6")
int leash_net_recvmsg6(struct bpf_sock_addr *ctx) { restore6(ctx); return 1; }

SEC("cgroup/getpeername4")
int leash_net_getpeername4(struct bpf_sock_addr *ctx) { restore4(ctx); return 1; }

SEC("cgroup/getpeername6")
int leash_net_getpeername6(struct bpf_sock_addr *ctx) { restore6(ctx); return 1; }

/// Only TCP and UDP inet sockets: raw and ICMP sockets never pass the connect hooks.
SEC("cgroup/sock_create")
int leash_net_sock_create(struct bpf_sock *sk)
{
    if (sk->family != LEASH_FAMILY_INET && sk->family != LEASH_FAMILY_INET6)
        return 1;
    return sk->protocol == LEASH_IPPROTO_TCP || sk->protocol == LEASH_IPPROTO_UDP;
}
