/// How `leash run` enforces a policy on this kernel.
public enum Backend: String, Codable, Sendable, CaseIterable {
    /// BPF LSM programs decide every file open, exec and connect (the full design).
    case bpfLSM = "bpf-lsm"
    /// Landlock, cgroup BPF and seccomp, where BPF LSM is unavailable.
    case landlock
    /// Nothing leash can enforce with.
    case none

    /// The backends `leash run` can enforce with today. Doctor never names one that is
    /// missing here, however capable the kernel: it reports what `leash run` will use.
    /// `.bpfLSM`: Sources/LSMSandbox (issue 5).
    public static let built: Set<Backend> = [.bpfLSM, .landlock]

    /// The oldest Landlock ABI the Landlock backend accepts (3: truncate rights, Linux
    /// 6.2); the same number as `LandlockRuleset.minimumABI` in Sources/Sandbox.
    public static let landlockMinimumABI = 3
}
