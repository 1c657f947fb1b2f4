/// How `leash run` enforces a policy on this kernel.
public enum Backend: String, Codable, Sendable {
    /// BPF LSM programs decide every file open, exec and connect (the full design).
    case bpfLSM = "bpf-lsm"
    /// Landlock, cgroup BPF and seccomp, where BPF LSM is unavailable.
    case landlock
    /// Nothing leash can enforce with.
    case none

    /// Whether leash contains a Landlock enforcement backend yet. Until it does, doctor
    /// reports backend "none" on kernels without usable BPF LSM even when Landlock is
    /// active, because `leash run` could not use it. The fallback backend flips this.
    public static let landlockBackendBuilt = false
}
