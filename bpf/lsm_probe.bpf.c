// SPDX-License-Identifier: GPL-2.0
// `leash doctor` loads and attaches this to learn whether BPF LSM really works here:
// a kernel can list `bpf` among its LSMs and still refuse LSM programs (no trampolines).
// It never changes a decision.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(leash_lsm_probe, struct file *file, int ret)
{
    return ret;
}
