// SPDX-License-Identifier: GPL-2.0
// Asks the in-kernel policy engine directly. `leash_probe` is a SEC("syscall") program:
// userspace runs it with BPF_PROG_TEST_RUN, the context in is a leash_probe_args holding
// a request, and the decision comes back in the same buffer. It loads on kernels without
// BPF LSM too, so the engine is tested against the simulator on any host.
// `leash_probe_file_open` is the same engine inside a non-sleepable LSM hook: it decides
// open() for tasks of the cgroups in `probe_cgroups`, proving the engine passes the
// verifier where the real hooks will call it (the loader skips it where LSM is refused).
#include "vmlinux.h"
#include <asm-generic/errno-base.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "policy_engine.h"

char LICENSE[] SEC("license") = "GPL";

// Put the shared structs into this object's BTF (types of locals are not recorded), so
// the layout test can compare them with Swift's.
struct leash_probe_args *leash_probe_args_btf __attribute__((unused));
struct leash_sandbox *leash_sandbox_btf __attribute__((unused));
struct leash_policy_info *leash_policy_info_btf __attribute__((unused));
struct leash_automaton_key *leash_automaton_key_btf __attribute__((unused));
struct leash_automaton *leash_automaton_btf __attribute__((unused));
struct leash_state_key *leash_state_key_btf __attribute__((unused));
struct leash_state *leash_state_btf __attribute__((unused));
struct leash_transition_key *leash_transition_key_btf __attribute__((unused));
struct leash_port_key *leash_port_key_btf __attribute__((unused));
struct leash_port_interval *leash_port_interval_btf __attribute__((unused));
struct leash_ip_key *leash_ip_key_btf __attribute__((unused));
struct leash_node_key *leash_node_key_btf __attribute__((unused));
struct leash_node *leash_node_btf __attribute__((unused));
struct leash_edge_key *leash_edge_key_btf __attribute__((unused));

SEC("syscall")
int leash_probe(struct leash_probe_args *args)
{
    struct leash_request *req = leash_request_scratch();
    if (!req)
        return -1;
    // The context is kernel memory, but only constant offsets of it may be read directly;
    // the engine indexes the strings, so it works on a map copy. Only the bytes in use are
    // copied, so the kernel's run time is the decision's, not a 5 KiB copy's.
    const struct leash_request *in = &args->request;
    if (bpf_probe_read_kernel(req, __builtin_offsetof(struct leash_request, str), in))
        return -1;
    __u32 n = req->str_len;
    if (n > LEASH_STRING_MAX)
        n = LEASH_STRING_MAX;
    if (n && bpf_probe_read_kernel(req->str, n, in->str))
        return -1;
    n = req->tool_len;
    if (n > LEASH_TOOL_MAX)
        n = LEASH_TOOL_MAX;
    if (n && bpf_probe_read_kernel(req->tool, n, in->tool))
        return -1;
    __u32 sandbox = args->sandbox;
    if (sandbox) {
        // As a hook does: the policy and flags are the sandbox's, read once.
        struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, &sandbox);
        if (!sb) {
            struct leash_decision none = { .rule = -1, .status = LEASH_DECIDE_NO_POLICY };
            args->decision = none;
            return 0;
        }
        req->policy = sb->policy;
        req->flags = sb->flags;
    }
    struct leash_decision d;
    leash_decide(req, &d);
    args->decision = d;
    return d.allow;
}

// cgroup id -> sandbox id, for the LSM use below.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u64);
    __type(value, __u32);
} probe_cgroups SEC(".maps");

#define LEASH_FMODE_WRITE 0x2

SEC("lsm/file_open")
int BPF_PROG(leash_probe_file_open, struct file *file, int ret)
{
    if (ret)
        return ret;
    __u64 cgroup_id = bpf_get_current_cgroup_id();
    __u32 *sandbox = bpf_map_lookup_elem(&probe_cgroups, &cgroup_id);
    if (!sandbox)
        return 0;
    // From here on every failure denies: a scoped task is never let through by an error.
    struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, sandbox);
    struct leash_request *req = leash_request_scratch();
    if (!sb || !req)
        return -EPERM;
    long n = bpf_d_path((struct path *)&file->f_path, req->str, LEASH_STRING_MAX);
    if (n <= 0)
        return -EPERM;
    req->str_len = n - 1;
    req->tool_len = 0;
    req->policy = sb->policy;
    req->flags = sb->flags;
    req->action = (file->f_mode & LEASH_FMODE_WRITE) ? LEASH_ACTION_FILE_OPEN_READ_WRITE
                                                     : LEASH_ACTION_FILE_OPEN_READ_ONLY;
    struct leash_decision d;
    leash_decide(req, &d);
    if (d.allow || sb->mode == LEASH_MODE_AUDIT)
        return 0;
    return -EPERM;
}
