// The compiled policy as the kernel holds it: map keys and values shared by
// bpf/policy_engine.h (the BPF side) and Sources/Loader/Policy (the Swift side that
// writes them). docs/kernel-policy.md describes every map.
//
// Same rules as leash_events.h, because two compilers lay these out independently:
// fixed-width kernel types, largest fields first, explicit padding, no bitfields, no
// pointers. Tests/LoaderTests/PolicyLayoutTests.swift compares each struct's size and
// field offsets in the compiled BPF object's BTF with Swift's MemoryLayout; a struct
// added here must be listed there.
//
// Every table key starts with the policy id, so one set of maps holds several policies at
// once (one per sandbox, plus the new one during a hot reload).
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/// The longest string the automata walk (a path, a host name, an MCP server): PATH_MAX.
#define LEASH_STRING_MAX 4096
/// The longest MCP tool name.
#define LEASH_TOOL_MAX 1024
/// Room for the diagram roots, one per action; more than `LEASH_ACTION_COUNT`.
#define LEASH_ROOTS_MAX 32
/// The diagram loop's bound: a policy whose longest decision path is longer is refused at
/// install (CompiledPolicy.maxDepth).
#define LEASH_MAX_DEPTH 256
/// Automata per policy whose walks one decision can remember.
#define LEASH_MAX_AUTOMATA 256

/// The action of a request: its index in `Vocabulary.actions` (PolicyCompiler), in that
/// order. A unit test checks the two agree.
enum leash_action {
    LEASH_ACTION_FILE_OPEN_READ_ONLY = 0,
    LEASH_ACTION_FILE_OPEN_READ_WRITE = 1,
    LEASH_ACTION_FILE_CREATE = 2,
    LEASH_ACTION_FILE_UNLINK = 3,
    LEASH_ACTION_FILE_RENAME = 4,
    LEASH_ACTION_FILE_MKDIR = 5,
    LEASH_ACTION_FILE_RMDIR = 6,
    LEASH_ACTION_FILE_LINK = 7,
    LEASH_ACTION_FILE_SYMLINK = 8,
    LEASH_ACTION_FILE_CHMOD = 9,
    LEASH_ACTION_FILE_CHOWN = 10,
    LEASH_ACTION_FILE_TRUNCATE = 11,
    LEASH_ACTION_FILE_SETXATTR = 12,
    LEASH_ACTION_PROCESS_EXEC = 13,
    LEASH_ACTION_PROCESS_MMAP_EXEC = 14,
    LEASH_ACTION_UNIX_CONNECT = 15,
    LEASH_ACTION_NETWORK_CONNECT = 16,
    LEASH_ACTION_NETWORK_SEND = 17,
    LEASH_ACTION_MCP_CALL = 18,
    LEASH_ACTION_COUNT = 19,
};

/// `leash_sandbox.mode`.
enum leash_mode {
    LEASH_MODE_ENFORCE = 0,
    /// Allow everything; report what would have been denied.
    LEASH_MODE_AUDIT = 1,
};

/// `leash_decision.status`: why a decision is the fail-closed deny rather than the
/// policy's answer. Anything but OK means allow = 0 and rule = -1.
enum leash_decide_status {
    LEASH_DECIDE_OK = 0,
    /// No tables under the request's policy id (never installed, or already removed).
    LEASH_DECIDE_NO_POLICY = 1,
    /// Unknown action, unknown family for a network action, or a string longer than its buffer.
    LEASH_DECIDE_BAD_REQUEST = 2,
    /// A node, state or automaton the tables point at is missing: torn or damaged tables.
    LEASH_DECIDE_TABLE_MISS = 3,
    /// The diagram walk did not reach a leaf within LEASH_MAX_DEPTH steps.
    LEASH_DECIDE_TOO_DEEP = 4,
};

/// What a diagram node branches on (`Dimension.Kind`); LEAF for a leaf.
enum leash_node_kind {
    LEASH_NODE_LEAF = 0,
    LEASH_NODE_AUTOMATON_CLASS = 1,
    LEASH_NODE_AUTOMATON_BIT = 2,
    LEASH_NODE_IP = 3,
    LEASH_NODE_PORT = 4,
    LEASH_NODE_PROTO = 5,
    LEASH_NODE_FLAG = 6,
};

/// Which string of the request an automaton walks (`StringDim`).
enum leash_string_dim {
    LEASH_STRING_PATH = 0,
    LEASH_STRING_HOST = 1,
    LEASH_STRING_MCP_SERVER = 2,
    LEASH_STRING_MCP_TOOL = 3,
};

/// `sandboxes` value, keyed by the __u32 sandbox id. A hot reload installs the new
/// policy's tables under a fresh id and then rewrites this value in one update: every
/// decision sees either the old policy or the new one, never a mix.
/// Swift twin: `SandboxBinding` in Sources/Loader/Policy/KernelPolicyStore.swift.
struct leash_sandbox {
    __u64 flags;     // context flag i of the policy is bit i
    __u32 policy;    // policy id: the first field of every table key below
    __u32 mode;      // enum leash_mode
};

/// One request, as a hook hands it to leash_decide(). Too large for the BPF stack: hooks
/// fill the per-CPU one that policy_engine.h provides (leash_request_scratch()).
struct leash_request {
    __u64 flags;     // the sandbox's flag word (leash_sandbox.flags)
    __u32 policy;    // leash_sandbox.policy
    __u32 action;    // enum leash_action
    /// Bytes used in `str`: the resolved path (file actions), the host name the address was
    /// resolved from (network actions), the MCP server. For a network action, 0 means "no
    /// name is known": leash_decide writes the address's canonical text into `str` itself.
    __u32 str_len;
    __u32 tool_len;  // bytes used in `tool` (McpCall only)
    __u32 family;    // network actions: AF_INET (2) or AF_INET6 (10)
    __u32 proto;     // network actions: IPPROTO_TCP (6) or IPPROTO_UDP (17)
    __u32 port;      // network actions: host byte order
    __u32 _pad;
    /// Network actions, network byte order. IPv4 in addr[0..3]. An IPv4-mapped IPv6
    /// address (::ffff:a.b.c.d) may be passed as is: leash_decide decides it as the IPv4
    /// address a.b.c.d (docs/policy-compiler.md: the tables see IPv4 peers as IPv4).
    __u8 addr[16];
    char str[LEASH_STRING_MAX];
    char tool[LEASH_TOOL_MAX];
};

/// leash_decide()'s answer.
struct leash_decision {
    __s32 rule;      // the deciding rule's index in CompiledPolicy.rules, or -1 (no rule)
    __u32 allow;     // 1 allow, 0 deny
    __u32 status;    // enum leash_decide_status
    __u32 steps;     // diagram nodes visited (for tests and `leash explain`)
};

/// The context of bpf/policy_probe.bpf.c's `SEC("syscall")` program: the request in, the
/// decision written back (the kernel copies a syscall program's context back to the caller).
/// A nonzero `sandbox` makes the probe take the request's policy and flags from
/// `sandboxes[sandbox]`, as a hook does.
struct leash_probe_args {
    struct leash_decision decision;
    struct leash_request request;
    __u32 sandbox;
    __u32 _pad;
};

/// `policies` value, keyed by the __u32 policy id: what a decision needs before the first
/// diagram step. Its presence is what makes a policy id valid; the loader writes it last
/// on install and deletes it first on removal.
struct leash_policy_info {
    __u32 roots[LEASH_ROOTS_MAX];  // diagram node of each action (enum leash_action)
    __u32 automaton_count;
    __u32 port_count;     // intervals in `policy_ports`
    __u32 ip4_default;    // class of an IPv4 address no entry contains
    __u32 ip6_default;
    __u32 proto_tcp;      // class of each protocol (index in CompiledPolicy.protocols)
    __u32 proto_udp;
    __u32 proto_other;    // CompiledPolicy.protocols.count
    __u32 max_depth;      // CompiledPolicy.maxDepth, <= LEASH_MAX_DEPTH
    __u32 ip4_length_count;
    __u32 ip6_length_count;
    __u8 ip4_lengths[36];   // distinct prefix lengths of IPv4 entries, longest first
    __u8 ip6_lengths[132];  // the same for IPv6 (0..128)
};

/// `policy_automata` key and value.
struct leash_automaton_key {
    __u32 policy;
    __u32 automaton;
};
struct leash_automaton {
    __u32 start;
    __u32 dim;        // enum leash_string_dim
    __u32 reversed;   // 1: walk from the last byte to the first
    __u32 state_count;
};

/// `leash_state.flags`.
enum leash_state_flags {
    /// No byte leaves this state (no explicit transition, the default loops back): a walk
    /// that reaches it can stop, its class and emit bits are final.
    LEASH_STATE_SINK = 1,
};

/// `policy_states` key and value: per state, the transition for bytes without an explicit
/// one, the class when the walk ends here, and the emit bits collected on entering it.
struct leash_state_key {
    __u32 policy;
    __u32 automaton;
    __u32 state;
};
struct leash_state {
    __u64 emit;
    __u32 next_default;
    __u32 class_;
    __u32 flags;      // enum leash_state_flags
    __u32 _pad;
};

/// `policy_transitions` key ({policy, automaton, state, byte}); the value is the __u32 next state.
struct leash_transition_key {
    __u32 policy;
    __u32 automaton;
    __u32 state;
    __u32 byte;
};

/// `policy_ports` key ({policy, interval index}) and value: interval i covers ports
/// start[i] .. start[i+1]-1; intervals are in ascending order, the first starts at 0.
struct leash_port_key {
    __u32 policy;
    __u32 index;
};
struct leash_port_interval {
    __u32 start;
    __u32 class_;
};

/// `policy_ips` key; the value is the __u32 class. Longest-prefix match by hash lookups:
/// for each prefix length the policy uses (leash_policy_info.ip4_lengths, longest first),
/// the address with the bits past that length cleared. Not an LPM trie because sleepable
/// programs (and BPF_PROG_TYPE_SYSCALL, the probe) may not use LPM tries.
struct leash_ip_key {
    __u32 policy;
    __u32 family;     // AF_INET or AF_INET6
    __u32 prefixlen;
    __u8 addr[16];    // network byte order, bits past prefixlen zero; IPv4 in addr[0..3]
};

/// `policy_nodes` key and value. A leaf carries its outcome (allow, rule) directly, so
/// the last step needs no further lookup.
struct leash_node_key {
    __u32 policy;
    __u32 node;
};
struct leash_node {
    __u32 kind;           // enum leash_node_kind
    __u32 index;          // automaton index or flag bit
    __u32 bit;            // emit bit (AUTOMATON_BIT)
    __u32 default_child;  // the child for every value without an edge
    __s32 rule;           // leaf: deciding rule or -1
    __u32 allow;          // leaf: 1 allow, 0 deny
};

/// `policy_edges` key ({policy, node, value}); the value is the __u32 child node.
struct leash_edge_key {
    __u32 policy;
    __u32 node;
    __u32 value;
};

#ifndef __VMLINUX_H__
/// Userspace: returns once every non-sleepable BPF program that was running when it was
/// called has finished (membarrier's global command is synchronize_rcu(), and those
/// programs run inside an RCU read-side section). Removing a policy's tables after this
/// means no decision that read the old policy id can meet them half-deleted.
/// 0, or -1 with errno (EINVAL on nohz_full kernels).
static inline int leash_policy_wait_for_decisions(void)
{
    return (int)syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}
#endif
