// The BPF LSM backend of `leash run` (issue 5).
