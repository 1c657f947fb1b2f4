// SPDX-License-Identifier: GPL-2.0
// The in-kernel policy engine: decides a request from the compiled tables exactly as
// PolicyCompiler's Simulator.decide does. Included by .bpf.c files; not compiled alone.
//
// How a program gets a request decided
//   1. Find the task's sandbox (how is the hook's business) and its binding:
//          struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, &sandbox_id);
//   2. Fill the per-CPU request (4 KiB of string does not fit the 512-byte stack):
//          struct leash_request *req = leash_request_scratch();
//          req->policy = sb->policy; req->flags = sb->flags; req->action = LEASH_ACTION_…;
//      then the resource: `str`/`str_len` (a path from bpf_d_path: str_len = ret - 1), or
//      for a network action family/proto/port/addr and, when the resolver bound a name,
//      the name in `str` (str_len = 0 when none: the engine writes the address's canonical
//      text itself). IPv4-mapped IPv6 may be passed as is; the engine decides it as IPv4.
//   3. struct leash_decision d; leash_decide(req, &d);
//      d.allow, d.rule (index into CompiledPolicy.rules, -1 for the default deny),
//      d.status (not OK: tables missing or torn; d is then a deny). sb->mode says whether
//      to enforce the deny or only report it.
//   leash_decide writes into *req (the formatted address, the IPv4 form of a mapped
//   address), so a request is decided once.
//
// How maps are shared between objects
//   Every object that includes this header declares the same policy maps below. The loader
//   creates them once (Sources/Loader/Policy/KernelPolicyStore.swift) and, before an
//   object is loaded, points that object's maps at the shared ones with
//   bpf_map__reuse_fd (KernelPolicyStore.share(with:)). So the hooks, the cgroup network
//   programs and the probe all read one copy, and a hot reload or a flag flip written
//   once is seen by all of them. The per-CPU scratch maps (`leash_requests`,
//   `leash_walks`) are per object and never shared.
//
// Hot reload: the new policy's tables go in under a fresh policy id, then one update of
// `sandboxes[id]` switches the sandbox over, then the old id's tables are deleted. A
// decision reads the policy id once (it is in the request), so it sees one policy.
//
// Caveat: per-CPU scratch assumes one decision at a time per CPU. BPF programs run with
// migration disabled, and under preempt=none or voluntary (the host's and Debian's
// defaults) a non-sleepable program is not preempted; under preempt=full two hooks could
// interleave on one CPU and one could decide on the other's string. Known limitation.
// A sleepable program must fill the request after its last sleeping helper call, never
// before one (another task's hook may run on this CPU while it sleeps).
//
// Interface history: additive changes only; existing names and signatures are stable.
#pragma once

#include "leash_policy.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define LEASH_IPPROTO_TCP 6
#define LEASH_IPPROTO_UDP 17

// --- Shared maps (created once by the loader, reused by every object) ---------------
// Sizes: a 10,000-rule policy of the benchmark's families needs about 50k states, 46k
// transitions, 12k nodes, 16k edges, 2k ports and 2k address entries, so these hold
// several such policies at once (a hot reload holds two). Hash maps are not
// preallocated; what a map costs before any entry is its bucket array (16 bytes per
// slot, about 13 MiB for all of them).

/// Sandbox id -> {policy id, mode, flags}.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, struct leash_sandbox);
} sandboxes SEC(".maps");

/// Policy id -> roots and per-policy constants. A policy exists iff it has an entry here.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, struct leash_policy_info);
} policies SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 8192);
    __type(key, struct leash_automaton_key);
    __type(value, struct leash_automaton);
} policy_automata SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 1 << 18);
    __type(key, struct leash_state_key);
    __type(value, struct leash_state);
} policy_states SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 1 << 18);
    __type(key, struct leash_transition_key);
    __type(value, __u32);
} policy_transitions SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 1 << 15);
    __type(key, struct leash_port_key);
    __type(value, struct leash_port_interval);
} policy_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 1 << 15);
    __type(key, struct leash_ip_key);
    __type(value, __u32);
} policy_ips SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 1 << 16);
    __type(key, struct leash_node_key);
    __type(value, struct leash_node);
} policy_nodes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 1 << 17);
    __type(key, struct leash_edge_key);
    __type(value, __u32);
} policy_edges SEC(".maps");

// --- Per-object scratch ------------------------------------------------------------

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct leash_request);
} leash_requests SEC(".maps");

/// One automaton walk's result, valid while `stamp` equals the decision's stamp.
struct leash_walk {
    __u64 mask;
    __u32 cls;
    __u32 stamp;
};

struct leash_walk_cache {
    __u32 stamp;
    __u32 _pad;
    struct leash_walk walks[LEASH_MAX_AUTOMATA];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct leash_walk_cache);
} leash_walks SEC(".maps");

/// This CPU's request buffer (never NULL in practice; check anyway for the verifier).
static __always_inline struct leash_request *leash_request_scratch(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&leash_requests, &zero);
}

// --- The engine ----------------------------------------------------------------------

struct leash_walk_ctx {
    struct leash_request *req;
    __u32 policy;
    __u32 automaton;
    __u32 state;
    __u32 len;
    __u32 reversed;
    __u32 is_tool;
    __u32 failed;
    __u32 _pad;
    __u64 mask;
    struct leash_state current;
};

/// One byte of an automaton walk: state = trans[state, byte] ?? default[state];
/// mask |= emit[state].
static long __attribute__((unused)) leash_walk_step(__u64 i, void *data)
{
    struct leash_walk_ctx *w = data;
    __u32 at = w->reversed ? w->len - 1 - (__u32)i : (__u32)i;
    __u8 byte;
    if (w->is_tool)
        byte = w->req->tool[at & (LEASH_TOOL_MAX - 1)];
    else
        byte = w->req->str[at & (LEASH_STRING_MAX - 1)];
    struct leash_transition_key tk = {
        .policy = w->policy, .automaton = w->automaton, .state = w->state, .byte = byte,
    };
    __u32 *next = bpf_map_lookup_elem(&policy_transitions, &tk);
    __u32 state = next ? *next : w->current.next_default;
    // A loop back to the same state (a `*`) changes nothing: no second lookup.
    if (state == w->state)
        return 0;
    struct leash_state_key sk = { .policy = w->policy, .automaton = w->automaton, .state = state };
    struct leash_state *s = bpf_map_lookup_elem(&policy_states, &sk);
    if (!s) {
        w->failed = 1;
        return 1;
    }
    w->state = state;
    w->current = *s;
    w->mask |= s->emit;
    // No pattern can change its mind past a sink: the rest of the string is not read.
    return s->flags & LEASH_STATE_SINK ? 1 : 0;
}

/// Walks automaton `index` over the request's string; 0 on success.
static __always_inline int leash_walk_automaton(struct leash_request *req, __u32 policy, __u32 index,
                                                __u32 *cls, __u64 *mask)
{
    struct leash_automaton_key ak = { .policy = policy, .automaton = index };
    struct leash_automaton *a = bpf_map_lookup_elem(&policy_automata, &ak);
    if (!a)
        return -1;
    struct leash_walk_ctx w = {
        .req = req, .policy = policy, .automaton = index, .state = a->start,
        .reversed = a->reversed,
    };
    if (a->dim == LEASH_STRING_MCP_TOOL) {
        w.is_tool = 1;
        w.len = req->tool_len;
    } else {
        w.len = req->str_len;
    }
    struct leash_state_key sk = { .policy = policy, .automaton = index, .state = a->start };
    struct leash_state *s = bpf_map_lookup_elem(&policy_states, &sk);
    if (!s)
        return -1;
    w.current = *s;
    w.mask = s->emit;
    if (w.len > 0 && !(s->flags & LEASH_STATE_SINK))
        bpf_loop(w.len, leash_walk_step, &w, 0);
    if (w.failed)
        return -1;
    *cls = w.current.class_;
    *mask = w.mask;
    return 0;
}

struct leash_decide_ctx {
    struct leash_request *req;
    struct leash_policy_info *info;
    struct leash_walk_cache *cache;
    struct leash_decision *out;
    __u32 node;
    __u32 done;
};

struct leash_port_ctx {
    struct leash_request *req;
    __u32 lo;
    __u32 hi;
    __u32 failed;
    __u32 _pad;
};

/// One halving of the search for the last interval whose start is <= port.
static long __attribute__((unused)) leash_port_step(__u64 i, void *data)
{
    struct leash_port_ctx *p = data;
    if (p->lo >= p->hi)
        return 1;
    __u32 mid = (p->lo + p->hi + 1) / 2;
    struct leash_port_key pk = { .policy = p->req->policy, .index = mid };
    struct leash_port_interval *iv = bpf_map_lookup_elem(&policy_ports, &pk);
    if (!iv) {
        p->failed = 1;
        return 1;
    }
    if (iv->start <= p->req->port)
        p->lo = mid;
    else
        p->hi = mid - 1;
    return 0;
}

/// The class of the request's port: the last interval whose start is <= port. Through
/// bpf_loop: an unrolled search was 85,000 of the 115,000 instructions the verifier
/// walked for each cgroup network program, at every `leash run`.
static __always_inline int leash_port_class(struct leash_decide_ctx *c, __u32 *cls)
{
    __u32 count = c->info->port_count;
    if (count == 0)
        return -1;
    struct leash_port_ctx p = { .req = c->req, .lo = 0, .hi = count - 1 };
    // 17 halvings cover 65,536 intervals, more than there are ports.
    bpf_loop(17, leash_port_step, &p, 0);
    if (p.failed)
        return -1;
    struct leash_port_key pk = { .policy = c->req->policy, .index = p.lo };
    struct leash_port_interval *iv = bpf_map_lookup_elem(&policy_ports, &pk);
    if (!iv)
        return -1;
    *cls = iv->class_;
    return 0;
}

struct leash_ip_ctx {
    struct leash_request *req;
    struct leash_policy_info *info;
    __u32 found;
    __u32 cls;
};

/// Tries the i-th longest prefix length the policy uses; stops at the first hit.
static long __attribute__((unused)) leash_ip_step(__u64 i, void *data)
{
    struct leash_ip_ctx *c = data;
    struct leash_request *req = c->req;
    int v4 = req->family == AF_INET;
    __u32 len;
    if (v4) {
        if (i >= sizeof(c->info->ip4_lengths))
            return 1;
        len = c->info->ip4_lengths[i];
    } else {
        if (i >= sizeof(c->info->ip6_lengths))
            return 1;
        len = c->info->ip6_lengths[i];
    }
    struct leash_ip_key k = { .policy = req->policy, .family = req->family, .prefixlen = len };
    // The address as a 128-bit big-endian number in two halves; clear the bits past len.
    // Straight-line arithmetic: a per-byte loop multiplies the verifier's states.
    __u64 hi, lo;
    __builtin_memcpy(&hi, req->addr, 8);
    __builtin_memcpy(&lo, req->addr + 8, 8);
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap64(lo);
    __u64 keep_hi = len >= 64 ? ~0ULL : len == 0 ? 0 : ~0ULL << (64 - len);
    __u64 keep_lo = len <= 64 ? 0 : len >= 128 ? ~0ULL : ~0ULL << (128 - len);
    hi = __builtin_bswap64(hi & keep_hi);
    lo = __builtin_bswap64(lo & keep_lo);
    __builtin_memcpy(k.addr, &hi, 8);
    __builtin_memcpy(k.addr + 8, &lo, 8);
    __u32 *cls = bpf_map_lookup_elem(&policy_ips, &k);
    if (!cls)
        return 0;
    c->found = 1;
    c->cls = *cls;
    return 1;
}

/// The class of the longest entry containing the address, else the family's default.
static __always_inline __u32 leash_ip_class(struct leash_decide_ctx *c)
{
    struct leash_ip_ctx ic = { .req = c->req, .info = c->info };
    __u32 count = c->req->family == AF_INET ? c->info->ip4_length_count : c->info->ip6_length_count;
    if (count)
        bpf_loop(count, leash_ip_step, &ic, 0);
    if (ic.found)
        return ic.cls;
    return c->req->family == AF_INET ? c->info->ip4_default : c->info->ip6_default;
}

/// One diagram step: read the node; a leaf ends the walk, a branch moves to the child
/// for the request's value of the node's dimension.
static long __attribute__((unused)) leash_diagram_step(__u64 i, void *data)
{
    struct leash_decide_ctx *c = data;
    struct leash_decision *out = c->out;
    struct leash_node_key nk = { .policy = c->req->policy, .node = c->node };
    struct leash_node *n = bpf_map_lookup_elem(&policy_nodes, &nk);
    if (!n) {
        out->status = LEASH_DECIDE_TABLE_MISS;
        c->done = 1;
        return 1;
    }
    if (n->kind == LEASH_NODE_LEAF) {
        out->allow = n->allow ? 1 : 0;
        out->rule = n->rule;
        out->status = LEASH_DECIDE_OK;
        c->done = 1;
        return 1;
    }
    out->steps += 1;
    __u32 value = 0;
    switch (n->kind) {
    case LEASH_NODE_AUTOMATON_CLASS:
    case LEASH_NODE_AUTOMATON_BIT: {
        // Class and emit bits of one automaton are separate dimensions: walk once, remember.
        struct leash_walk *w = &c->cache->walks[n->index & (LEASH_MAX_AUTOMATA - 1)];
        int cacheable = n->index < LEASH_MAX_AUTOMATA;
        __u32 cls = 0;
        __u64 mask = 0;
        if (cacheable && w->stamp == c->cache->stamp) {
            cls = w->cls;
            mask = w->mask;
        } else {
            if (leash_walk_automaton(c->req, c->req->policy, n->index, &cls, &mask)) {
                out->status = LEASH_DECIDE_TABLE_MISS;
                c->done = 1;
                return 1;
            }
            if (cacheable) {
                w->cls = cls;
                w->mask = mask;
                w->stamp = c->cache->stamp;
            }
        }
        value = n->kind == LEASH_NODE_AUTOMATON_CLASS ? cls : (__u32)((mask >> (n->bit & 63)) & 1);
        break;
    }
    case LEASH_NODE_IP:
        value = leash_ip_class(c);
        break;
    case LEASH_NODE_PORT:
        if (leash_port_class(c, &value)) {
            out->status = LEASH_DECIDE_TABLE_MISS;
            c->done = 1;
            return 1;
        }
        break;
    case LEASH_NODE_PROTO:
        value = c->req->proto == LEASH_IPPROTO_TCP ? c->info->proto_tcp
              : c->req->proto == LEASH_IPPROTO_UDP ? c->info->proto_udp : c->info->proto_other;
        break;
    case LEASH_NODE_FLAG:
        value = n->index < 64 ? (__u32)((c->req->flags >> n->index) & 1) : 0;
        break;
    default:
        out->status = LEASH_DECIDE_TABLE_MISS;
        c->done = 1;
        return 1;
    }
    struct leash_edge_key ek = { .policy = c->req->policy, .node = c->node, .value = value };
    __u32 *child = bpf_map_lookup_elem(&policy_edges, &ek);
    c->node = child ? *child : n->default_child;
    return 0;
}

struct leash_format_ctx {
    struct leash_request *req;
    __u32 pos;
    __s32 best;       // first group of the longest zero run (>= 2 groups), or -1
    __u32 best_len;
    __s32 run_start;  // first group of the zero run being scanned, or -1
};

static __always_inline __u32 leash_group(struct leash_request *req, __u64 k)
{
    return (__u32)req->addr[(2 * k) & 15] << 8 | req->addr[(2 * k + 1) & 15];
}

/// Finds the longest zero run, one group per call (k == 8 closes a trailing run).
/// Loops run through bpf_loop, so the verifier checks one iteration, not every path.
static long __attribute__((unused)) leash_zero_run_step(__u64 k, void *data)
{
    struct leash_format_ctx *f = data;
    if (k < 8 && leash_group(f->req, k) == 0) {
        if (f->run_start < 0)
            f->run_start = k;
    } else if (f->run_start >= 0) {
        __u32 len = k - f->run_start;
        if (len > f->best_len) {
            f->best = f->run_start;
            f->best_len = len;
        }
        f->run_start = -1;
    }
    return 0;
}

/// Writes group k: hex without leading zeros, ':' before it unless it starts the text
/// or follows "::"; the groups of the longest zero run become "::".
static long __attribute__((unused)) leash_group_step(__u64 k, void *data)
{
    struct leash_format_ctx *f = data;
    char *str = f->req->str;
    if (k >= 8)
        return 1;
    if (f->best >= 0 && k >= f->best && k < f->best + f->best_len) {
        if (k == f->best) {
            str[f->pos++ & 63] = ':';
            str[f->pos++ & 63] = ':';
        }
        return 0;
    }
    if (k > 0 && !(f->best >= 0 && k == f->best + f->best_len))
        str[f->pos++ & 63] = ':';
    __u32 v = leash_group(f->req, k);
    int started = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
        __u32 d = (v >> shift) & 15;
        if (d || started || shift == 0) {
            str[f->pos++ & 63] = d < 10 ? '0' + d : 'a' + d - 10;
            started = 1;
        }
    }
    return 0;
}

/// Writes the address's canonical text (IPNet.canonicalText: dotted quad, RFC 5952
/// IPv6) into req->str. The text is at most 39 bytes, so it is built in the first 64.
static __always_inline void leash_format_address(struct leash_request *req)
{
    char *str = req->str;
    if (req->family == AF_INET) {
        __u32 pos = 0;
#pragma unroll
        for (int k = 0; k < 4; k++) {
            __u32 v = req->addr[k];
            if (k)
                str[pos++ & 63] = '.';
            if (v >= 100)
                str[pos++ & 63] = '0' + v / 100;
            if (v >= 10)
                str[pos++ & 63] = '0' + (v / 10) % 10;
            str[pos++ & 63] = '0' + v % 10;
        }
        req->str_len = pos;
        return;
    }
    struct leash_format_ctx f = { .req = req, .best = -1, .run_start = -1 };
    bpf_loop(9, leash_zero_run_step, &f, 0);
    if (f.best_len < 2)
        f.best = -1;
    bpf_loop(8, leash_group_step, &f, 0);
    req->str_len = f.pos & 63;
}

/// Decides `req` by the tables of policy `req->policy`, as Simulator.decide does.
/// `req` must be a map value (leash_request_scratch()). Returns 0 when the policy
/// answered (out->status == OK), otherwise -1 with out a deny by no rule.
static __always_inline int leash_decide(struct leash_request *req, struct leash_decision *out)
{
    out->rule = -1;
    out->allow = 0;
    out->status = LEASH_DECIDE_BAD_REQUEST;
    out->steps = 0;
    if (req->action >= LEASH_ACTION_COUNT || req->action >= LEASH_ROOTS_MAX)
        return -1;
    if (req->str_len > LEASH_STRING_MAX || req->tool_len > LEASH_TOOL_MAX)
        return -1;
    if (req->action == LEASH_ACTION_NETWORK_CONNECT || req->action == LEASH_ACTION_NETWORK_SEND) {
        if (req->family == AF_INET6) {
            __u8 *a = req->addr;
            int mapped = a[10] == 0xff && a[11] == 0xff;
#pragma unroll
            for (int k = 0; k < 10; k++)
                mapped = mapped && a[k] == 0;
            if (mapped) {
                req->family = AF_INET;
                a[0] = a[12]; a[1] = a[13]; a[2] = a[14]; a[3] = a[15];
#pragma unroll
                for (int k = 4; k < 16; k++)
                    a[k] = 0;
            }
        } else if (req->family != AF_INET) {
            return -1;
        }
        if (req->str_len == 0)
            leash_format_address(req);
    }
    __u32 policy = req->policy;
    struct leash_policy_info *info = bpf_map_lookup_elem(&policies, &policy);
    if (!info) {
        out->status = LEASH_DECIDE_NO_POLICY;
        return -1;
    }
    __u32 zero = 0;
    struct leash_walk_cache *cache = bpf_map_lookup_elem(&leash_walks, &zero);
    if (!cache) {
        out->status = LEASH_DECIDE_TABLE_MISS;
        return -1;
    }
    // A fresh stamp invalidates every remembered walk without clearing them; 0 is never
    // a stamp, so never-written slots never look valid.
    cache->stamp += 1;
    if (cache->stamp == 0)
        cache->stamp = 1;
    struct leash_decide_ctx c = {
        .req = req, .info = info, .cache = cache, .out = out,
        .node = info->roots[req->action & (LEASH_ROOTS_MAX - 1)],
    };
    out->status = LEASH_DECIDE_TOO_DEEP;
    // maxDepth branch steps, then the leaf.
    bpf_loop(LEASH_MAX_DEPTH + 1, leash_diagram_step, &c, 0);
    if (out->status != LEASH_DECIDE_OK) {
        out->allow = 0;
        out->rule = -1;
        return -1;
    }
    return 0;
}
