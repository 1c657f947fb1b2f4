/// What `leash doctor` found. Its JSON form (`leash doctor --json`) is a stable interface:
/// keys are only ever added.
public struct KernelReport: Codable, Equatable, Sendable {
    public struct BPFLSM: Codable, Equatable, Sendable {
        /// `bpf` appears in /sys/kernel/security/lsm.
        public var listed: Bool
        /// A trivial LSM program really loaded and attached.
        public var loadable: Bool
        /// The kernel's active LSMs in order, empty when unreadable.
        public var activeLSMs: [String]
        /// Why `loadable` is false, when a load was tried or skipped.
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case listed, loadable, error
            case activeLSMs = "active_lsms"
        }
    }

    public var kernel: String
    public var backend: Backend
    /// One sentence on why this backend was chosen.
    public var backendReason: String
    public var bpfLSM: BPFLSM
    /// 0 when Landlock is not available.
    public var landlockABI: Int
    public var cgroupV2: Bool
    /// Where the cgroup v2 hierarchy is mounted, when it is.
    public var cgroupV2Mount: String?
    public var cgroupV2MountedByLeash: Bool
    public var btf: Bool
    /// nil when it could not be probed (no privileges).
    public var ringBuffer: Bool?
    public var privileges: Privileges
    /// What is missing for a better backend, each with how to get it.
    public var missing: [String]

    enum CodingKeys: String, CodingKey {
        case kernel, backend, btf, privileges, missing
        case backendReason = "backend_reason"
        case bpfLSM = "bpf_lsm"
        case landlockABI = "landlock_abi"
        case cgroupV2 = "cgroup_v2"
        case cgroupV2Mount = "cgroup_v2_mount"
        case cgroupV2MountedByLeash = "cgroup_v2_mounted_by_leash"
        case ringBuffer = "ring_buffer"
    }
}
