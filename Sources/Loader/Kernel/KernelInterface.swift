#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf

/// Everything `KernelDoctor` asks of the running kernel, so its conclusions can be
/// unit-tested against a described kernel instead of this machine's.
public protocol KernelInterface {
    var kernelRelease: String { get }
    var privileges: Privileges { get }
    /// The active LSMs (/sys/kernel/security/lsm), mounting securityfs first if needed;
    /// nil when they cannot be read.
    func activeLSMs() -> [String]?
    var hasBTF: Bool { get }
    /// Loads and attaches a BPF LSM program that decides nothing, then detaches it.
    func loadLSMProbe() -> LoaderError?
    func locateCgroupV2() -> Result<CgroupV2Mount, CgroupV2Error>
    /// The Landlock ABI version, or the errno of the probe (EOPNOTSUPP: disabled at boot).
    func landlockABI() -> Result<Int, FileError>
    /// nil when it cannot be probed (no privileges).
    func ringBufferSupported() -> Bool?
}

/// The machine leash is running on.
public struct LiveKernel: KernelInterface {
    public init() {}

    public var kernelRelease: String {
        var names = utsname()
        uname(&names)
        return withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    public var privileges: Privileges {
        Privileges.parse(euid: geteuid(), procStatus: readSmallFile("/proc/self/status") ?? "")
    }

    static let lsmFile = "/sys/kernel/security/lsm"

    public func activeLSMs() -> [String]? {
        if readSmallFile(Self.lsmFile) == nil {
            // securityfs is often not mounted in containers and minimal systems.
            _ = mount("securityfs", "/sys/kernel/security", "securityfs", 0, nil)
        }
        guard let text = readSmallFile(Self.lsmFile) else { return nil }
        return text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    public var hasBTF: Bool { access("/sys/kernel/btf/vmlinux", R_OK) == 0 }

    public func loadLSMProbe() -> LoaderError? {
        do {
            let object = try BPFObject(embedded: .lsmProbe)
            try object.load()
            _ = try object.program("leash_lsm_probe").attach()
            return nil
        } catch let error as LoaderError {
            return error
        } catch {
            return LoaderError(.load, EmbeddedProgram.lsmProbe.rawValue, code: EINVAL, libbpfLog: "\(error)")
        }
    }

    public func locateCgroupV2() -> Result<CgroupV2Mount, CgroupV2Error> {
        Result { try CgroupV2.locate(mountIfMissing: true) }.mapError { $0 as! CgroupV2Error }
    }

    public func landlockABI() -> Result<Int, FileError> {
        let version = leash_landlock_abi_version()
        if version < 0 { return .failure(FileError(path: "landlock_create_ruleset", code: errno)) }
        return .success(Int(version))
    }

    public func ringBufferSupported() -> Bool? {
        let rc = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nil)
        return rc < 0 ? nil : rc == 1
    }
}
