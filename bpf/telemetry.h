// SPDX-License-Identifier: GPL-2.0
// How every leash BPF program reports a decision or an observed operation (issues 5, 7).
//
// Include after vmlinux.h and the libbpf headers. This header defines four maps; three are
// SHARED by every leash object of one `leash run`:
//   events        BPF_MAP_TYPE_RINGBUF, 16 MiB: variable-length `struct leash_event` records
//   event_counts  BPF_MAP_TYPE_PERCPU_ARRAY[1] of `struct leash_event_counts` (sent, lost, ...)
//   allow_seen    BPF_MAP_TYPE_LRU_HASH `struct leash_allow_key` -> __u8: allows already sent
// and one is private to each object:
//   event_scratch BPF_MAP_TYPE_PERCPU_ARRAY[1]: where a record is built before it is sent
//
// Sharing: Swift creates the three shared maps once (`TelemetryMaps` in
// Sources/Loader/Events/TelemetryMaps.swift) and, for every object, calls
// `BPFObject.shareTelemetryMaps(_:)` after opening it and BEFORE `load()`; that calls
// bpf_map__reuse_fd for each of the three names the object defines, so all objects write
// into one ring buffer and one set of counters, which one consumer reads. An object loaded
// without that call gets its own private copies (fine for a test of one object).
//
// Use, in a hook:
//     struct leash_event *e = leash_event_begin();
//     if (!e) return ret;                     // cannot happen: a per-CPU array has entry 0
//     e->sandbox_id = ...; e->policy_id = ...; e->action = LEASH_ACTION_...;
//     e->verdict = -EPERM; e->rule = idx; e->mode_flags = LEASH_EVENT_ENFORCE | LEASH_EVENT_DENY;
//     leash_event_path_kernel(e, name);  or  len = bpf_d_path(p, leash_event_path_buffer(e), LEASH_EVENT_PATH_MAX);
//                                          leash_event_path_done(e, len);
//     leash_event_submit(e, object_hash);     // denies always sent; allows deduplicated
//
// Volume: denies (LEASH_EVENT_DENY set) are always sent. An allow whose
// {object_hash, sandbox, policy, action} was sent before is dropped and counted in
// `deduplicated`. Every record the ring buffer refuses is counted in `lost` (and in
// `lost_denies` when it was a denial): nothing disappears without a count.
#pragma once

#include "leash_events.h"

#define LEASH_EVENTS_RING_BYTES (16 * 1024 * 1024)
#define LEASH_ALLOW_SEEN_ENTRIES 65536

/// A record under construction: the header, then room for two full paths.
struct leash_event_buffer {
    struct leash_event header;
    char data[2 * LEASH_EVENT_PATH_MAX];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, LEASH_EVENTS_RING_BYTES);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct leash_event_counts);
} event_counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, LEASH_ALLOW_SEEN_ENTRIES);
    __type(key, struct leash_allow_key);
    __type(value, __u8);
} allow_seen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct leash_event_buffer);
} event_scratch SEC(".maps");

/// Puts the shared structs into every including object's BTF (locals' types are not
/// recorded), so Tests/LoaderTests can compare their layout with Swift's.
struct leash_event *leash_event_btf __attribute__((unused));

static __always_inline struct leash_event_counts *leash_event_counters(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&event_counts, &zero);
}

/// Fills a record's header in place (any struct leash_event_buffer: the scratch buffer, or
/// a map value of that type): time, task identity, comm and cgroup; rule -1, syscall -1,
/// no paths.
static __always_inline void leash_event_init(struct leash_event *e)
{
    __builtin_memset(e, 0, sizeof(*e));
    __u64 pid_tgid = bpf_get_current_pid_tgid();
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    e->time_ns = bpf_ktime_get_boot_ns();
    e->cgroup_id = bpf_get_current_cgroup_id();
    e->pid = pid_tgid >> 32;
    e->tid = (__u32)pid_tgid;
    e->ppid = BPF_CORE_READ(task, real_parent, tgid);
    e->rule = -1;
    e->syscall = -1;
    e->dirfd = -100;  // AT_FDCWD
    bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/// Starts a record in this CPU's scratch buffer (see leash_event_init). NULL never happens
/// in practice.
static __always_inline struct leash_event *leash_event_begin(void)
{
    __u32 zero = 0;
    struct leash_event_buffer *b = bpf_map_lookup_elem(&event_scratch, &zero);
    if (!b)
        return 0;
    leash_event_init(&b->header);
    return &b->header;
}

/// Where the first path goes (LEASH_EVENT_PATH_MAX bytes), for bpf_d_path and the like.
static __always_inline char *leash_event_path_buffer(struct leash_event *e)
{
    return ((struct leash_event_buffer *)e)->data;
}

/// Records the outcome of a string read into the path buffer: `len` is what
/// bpf_probe_read_*_str or bpf_d_path returned (bytes including the NUL, or -errno).
static __always_inline void leash_event_path_done(struct leash_event *e, long len)
{
    if (len <= 0) {
        e->path_len = 0;
        e->mode_flags |= LEASH_EVENT_PATH_UNREADABLE;
        return;
    }
    if (len >= LEASH_EVENT_PATH_MAX)
        e->mode_flags |= LEASH_EVENT_PATH_TRUNCATED;
    if (len > LEASH_EVENT_PATH_MAX)
        len = LEASH_EVENT_PATH_MAX;
    e->path_len = len - 1;
}

/// Copies a path (or domain) from user memory as the record's first string.
static __always_inline void leash_event_path_user(struct leash_event *e, const char *user)
{
    e->mode_flags &= ~(LEASH_EVENT_PATH_UNREADABLE | LEASH_EVENT_PATH_TRUNCATED);
    long len = bpf_probe_read_user_str(leash_event_path_buffer(e), LEASH_EVENT_PATH_MAX, user);
    leash_event_path_done(e, len);
}

/// Copies a path (or domain) from kernel memory as the record's first string.
static __always_inline void leash_event_path_kernel(struct leash_event *e, const char *kernel)
{
    e->mode_flags &= ~(LEASH_EVENT_PATH_UNREADABLE | LEASH_EVENT_PATH_TRUNCATED);
    long len = bpf_probe_read_kernel_str(leash_event_path_buffer(e), LEASH_EVENT_PATH_MAX, kernel);
    leash_event_path_done(e, len);
}

/// Copies the second path (rename's new name, link's new name, symlink's target) from user
/// memory; call after the first path is in place.
static __always_inline void leash_event_path2_user(struct leash_event *e, const char *user)
{
    __u32 offset = e->path_len & (LEASH_EVENT_PATH_MAX - 1);
    char *dst = leash_event_path_buffer(e) + offset;
    long len = bpf_probe_read_user_str(dst, LEASH_EVENT_PATH_MAX, user);
    if (len <= 0) {
        e->path2_len = 0;
        e->mode_flags |= LEASH_EVENT_PATH_UNREADABLE;
        return;
    }
    if (len >= LEASH_EVENT_PATH_MAX)
        e->mode_flags |= LEASH_EVENT_PATH_TRUNCATED;
    if (len > LEASH_EVENT_PATH_MAX)
        len = LEASH_EVENT_PATH_MAX;
    e->path2_len = len - 1;
}

/// FNV-1a over the record's path bytes (both strings), for the allow dedup key. Bytes
/// are hashed one at a time up to the first path's length only when it is short; long
/// paths are hashed on their first and last 256 bytes plus their length, which is enough
/// to tell build files apart and keeps the verifier's work bounded.
static __always_inline __u64 leash_event_hash_path(struct leash_event *e)
{
    const char *p = leash_event_path_buffer(e);
    __u32 n = (e->path_len + e->path2_len) & (2 * LEASH_EVENT_PATH_MAX - 1);
    __u64 h = 0xcbf29ce484222325ULL ^ n;
    for (__u32 i = 0; i < 256; i++) {
        if (i >= n)
            break;
        h = (h ^ (__u8)p[i]) * 0x100000001b3ULL;
    }
    if (n > 256) {
        __u32 start = n - 256;
        for (__u32 i = 0; i < 256; i++) {
            __u32 at = (start + i) & (2 * LEASH_EVENT_PATH_MAX - 1);
            h = (h ^ (__u8)p[at]) * 0x100000001b3ULL;
        }
    }
    return h;
}

static __always_inline int leash_event_is_deny(const struct leash_event *e)
{
    return (e->mode_flags & LEASH_EVENT_DENY) != 0;
}

/// Sends a record built from `leash_event_begin` (or any struct leash_event_buffer, such
/// as a stashed one). Denies are always sent; an allow already sent for the same
/// {object_hash, sandbox, policy, action} is dropped and counted as deduplicated.
/// Returns 0 when sent or deduplicated, -1 when lost (and counted).
static __always_inline int leash_event_submit(struct leash_event *e, __u64 object_hash)
{
    struct leash_event_counts *counts = leash_event_counters();
    int deny = leash_event_is_deny(e);
    struct leash_allow_key key = {
        .object_hash = object_hash,
        .sandbox_id = e->sandbox_id,
        .policy_id = e->policy_id,
        .action = e->action,
        ._pad = 0,
    };
    if (!deny && bpf_map_lookup_elem(&allow_seen, &key)) {
        if (counts)
            __sync_fetch_and_add(&counts->deduplicated, 1);
        return 0;
    }
    __u64 size = sizeof(struct leash_event) + (e->path_len & (LEASH_EVENT_PATH_MAX - 1))
                 + (e->path2_len & (LEASH_EVENT_PATH_MAX - 1));
    if (bpf_ringbuf_output(&events, e, size, 0) != 0) {
        if (counts) {
            __sync_fetch_and_add(&counts->lost, 1);
            if (deny)
                __sync_fetch_and_add(&counts->lost_denies, 1);
        }
        return -1;
    }
    if (counts)
        __sync_fetch_and_add(&counts->sent, 1);
    if (!deny) {
        __u8 one = 1;
        bpf_map_update_elem(&allow_seen, &key, &one, BPF_ANY);
    }
    return 0;
}

/// Counts a record that could not even be built (a tracepoint exit without its entry).
static __always_inline void leash_event_count_lost(int deny)
{
    struct leash_event_counts *counts = leash_event_counters();
    if (!counts)
        return;
    __sync_fetch_and_add(&counts->lost, 1);
    if (deny)
        __sync_fetch_and_add(&counts->lost_denies, 1);
}
