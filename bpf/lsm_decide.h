// The one place where leash_lsm.bpf.c's hooks turn an operation into a verdict: find the
// sandbox's binding, fill the engine's request (bpf/policy_engine.h), decide, apply the
// sandbox's mode, and report through bpf/telemetry.h.
//
// Fail closed: a member whose sandbox has no binding, whose path cannot be named, or
// whose policy tables are missing or torn is denied (status != OK is a deny by no rule),
// in audit mode too reported as a would-deny. Only non-members return early.
#pragma once

// What a file request's path is taken from.
enum lsm_path_kind {
    LSM_PATH_D_PATH = 0,  // bpf_d_path(path): sleepable-list hooks only
    LSM_PATH_WALK = 1,    // lsm_walk(mnt, dentry): any hook
};

struct lsm_target {
    struct path *path;        // LSM_PATH_D_PATH
    struct vfsmount *mnt;     // LSM_PATH_WALK
    struct dentry *dentry;    // LSM_PATH_WALK
    __u32 kind;
    __u32 op_flags;           // open flags, mmap prot: reported, not decided on
};

static __always_inline int lsm_deny_errno(__u32 action)
{
    // Files answer like DAC and Landlock ("Permission denied"); network like cgroup
    // programs and netfilter ("Operation not permitted").
    return action >= LEASH_ACTION_UNIX_CONNECT ? -EPERM : -EACCES;
}

/// Applies the decision to the sandbox's mode, sends the event, returns the hook's answer.
/// `salt` tells apart objects with the same path bytes (addresses and ports), for the
/// kernel's deduplication of allows.
static __always_inline int lsm_conclude(struct leash_event *e, struct leash_sandbox *sb, __u32 sandbox,
                                        __u32 policy, __u32 action, struct leash_decision *d, __u64 salt)
{
    int deny = !d->allow;
    int enforce = !sb || sb->mode != LEASH_MODE_AUDIT;
    int verdict = deny && enforce ? lsm_deny_errno(action) : 0;
    e->sandbox_id = sandbox;
    e->policy_id = policy;
    e->action = action;
    e->rule = d->rule;
    e->verdict = verdict;
    e->mode_flags |= enforce ? LEASH_EVENT_ENFORCE : 0;
    if (deny)
        e->mode_flags |= enforce ? LEASH_EVENT_DENY : (LEASH_EVENT_DENY | LEASH_EVENT_AUDIT_WOULD_DENY);
    leash_event_submit(e, leash_event_hash_path(e) ^ salt);
    return verdict;
}

/// Decides a file action for a member of `sandbox`. The path goes straight into the
/// event's buffer (which has room for two paths, so the walk's masked offsets stay
/// inside it) and is copied into the engine's request from there.
static __always_inline int lsm_decide_file(__u32 sandbox, __u32 action, struct lsm_target *t)
{
    struct leash_event *e = leash_event_begin();
    struct leash_request *req = leash_request_scratch();
    if (!e || !req)
        return lsm_deny_errno(action);
    e->op_flags = t->op_flags;
    char *text = leash_event_path_buffer(e);
    int len = t->kind == LSM_PATH_D_PATH ? lsm_d_path(t->path, text) : lsm_walk(t->mnt, t->dentry, text);
    struct leash_decision d = { .rule = -1, .allow = 0, .status = LEASH_DECIDE_BAD_REQUEST };
    struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, &sandbox);
    __u32 policy = sb ? sb->policy : 0;
    if (len < 0 || len >= LEASH_STRING_MAX) {
        e->path_len = 0;
        e->mode_flags |= LEASH_EVENT_PATH_UNREADABLE;
        return lsm_conclude(e, sb, sandbox, policy, action, &d, 0);
    }
    // Pipes, sockets and anonymous inodes re-opened through /proc/self/fd have names
    // like "pipe:[123]": they are not in the file namespace a policy speaks about.
    if (text[0] != '/')
        return 0;
    e->path_len = len;
    if (sb) {
        req->policy = sb->policy;
        req->flags = sb->flags;
        req->action = action;
        req->str_len = len;
        req->tool_len = 0;
        bpf_probe_read_kernel(req->str, len & (LEASH_STRING_MAX - 1), text);
        leash_decide(req, &d);
    }
    return lsm_conclude(e, sb, sandbox, policy, action, &d, 0);
}

/// Decides a connect or send to an IPv4/IPv6 address for a member of `sandbox`.
/// `addr` is in network order (IPv4 in the first 4 bytes); mapped IPv6 is decided as IPv4.
static __always_inline int lsm_decide_address(__u32 sandbox, __u32 action, __u32 family, __u32 proto,
                                              __u16 port, const __u8 *addr)
{
    struct leash_event *e = leash_event_begin();
    struct leash_request *req = leash_request_scratch();
    if (!e || !req)
        return lsm_deny_errno(action);
    struct leash_decision d = { .rule = -1, .allow = 0, .status = LEASH_DECIDE_BAD_REQUEST };
    struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, &sandbox);
    __u32 policy = sb ? sb->policy : 0;
    __u8 a[16] = {};
    __builtin_memcpy(a, addr, 16);
    int mapped = family == AF_INET6 && a[10] == 0xff && a[11] == 0xff;
#pragma unroll
    for (int k = 0; k < 10; k++)
        mapped = mapped && a[k] == 0;
    if (mapped) {
        family = AF_INET;
        a[0] = a[12]; a[1] = a[13]; a[2] = a[14]; a[3] = a[15];
#pragma unroll
        for (int k = 4; k < 16; k++)
            a[k] = 0;
    }
    e->family = family;
    e->protocol = proto;
    e->port = port;
    __builtin_memcpy(e->addr, a, 16);
    if (sb) {
        req->policy = sb->policy;
        req->flags = sb->flags;
        req->action = action;
        req->family = family;
        req->proto = proto;
        req->port = port;
        req->tool_len = 0;
        req->str_len = 0;
        __builtin_memcpy(req->addr, a, 16);
        // The name leash's resolver answered for this address, when it bound one.
        struct leash_dns_binding *b = leash_dns_lookup(sandbox, family, a);
        if (b && b->name_len > 0 && b->name_len < LEASH_DNS_NAME_MAX) {
            __u32 n = b->name_len & (LEASH_DNS_NAME_MAX - 1);
            bpf_probe_read_kernel(req->str, n, b->name);
            req->str_len = n;
            bpf_probe_read_kernel(leash_event_path_buffer(e), n, b->name);
            e->path_len = n;
            e->mode_flags |= LEASH_EVENT_DOMAIN;
        }
        leash_decide(req, &d);
    }
    __u64 salt = ((__u64)port << 32 | (__u64)proto << 24 | family) * 0x9e3779b97f4a7c15ULL;
#pragma unroll
    for (int k = 0; k < 16; k++)
        salt = (salt ^ a[k]) * 0x100000001b3ULL;
    return lsm_conclude(e, sb, sandbox, policy, action, &d, salt);
}

/// Whether the sandbox's policy allows `action` on the path in `text` (a map value), with
/// no event: for comparisons (lsm_no_gain). *rule gets the deciding rule.
static __always_inline int lsm_allows(__u32 sandbox, __u32 action, const char *text, int len, __s32 *rule)
{
    struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, &sandbox);
    struct leash_request *req = leash_request_scratch();
    if (!sb || !req || len < 0 || len >= LEASH_STRING_MAX)
        return 0;
    struct leash_decision d = { .rule = -1 };
    req->policy = sb->policy;
    req->flags = sb->flags;
    req->action = action;
    req->str_len = len;
    req->tool_len = 0;
    // Masked in an instruction the compiler cannot drop: 6.1's verifier loses the bound
    // of a 32-bit value spilled to the stack, and clang knows the mask is redundant.
    __u64 n = (__u32)len;
    asm volatile("%0 &= 4095" : "+r"(n));
    bpf_probe_read_kernel(req->str, n, text);
    leash_decide(req, &d);
    *rule = d.rule;
    return d.status == LEASH_DECIDE_OK && d.allow;
}

/// Refuses a link or rename that would grant `access` under the new name while the
/// old name's rule `rule` denies it; reported as `action` on the old name with that rule.
static __always_inline int lsm_refuse_gain(__u32 sandbox, __u32 action, struct lsm_target *t, __s32 rule)
{
    struct leash_event *e = leash_event_begin();
    if (!e)
        return lsm_deny_errno(action);
    int len = lsm_walk(t->mnt, t->dentry, leash_event_path_buffer(e));
    if (len >= 0 && len < LEASH_STRING_MAX)
        e->path_len = len;
    else
        e->mode_flags |= LEASH_EVENT_PATH_UNREADABLE;
    struct leash_sandbox *sb = bpf_map_lookup_elem(&sandboxes, &sandbox);
    struct leash_decision d = { .rule = rule, .allow = 0, .status = LEASH_DECIDE_OK };
    return lsm_conclude(e, sb, sandbox, sb ? sb->policy : 0, action, &d, 0);
}
