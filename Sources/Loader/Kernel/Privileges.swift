#if canImport(Glibc)
import Glibc
#endif

/// What the process may do, as far as leash cares: loading BPF programs needs CAP_BPF
/// (or CAP_SYS_ADMIN on older kernels) and, for LSM and cgroup programs, CAP_SYS_ADMIN
/// or CAP_PERFMON/CAP_NET_ADMIN; leash simply asks for root.
public struct Privileges: Codable, Equatable, Sendable {
    public var euid: UInt32
    public var capSysAdmin: Bool
    public var capBPF: Bool

    enum CodingKeys: String, CodingKey {
        case euid
        case capSysAdmin = "cap_sys_admin"
        case capBPF = "cap_bpf"
    }

    public init(euid: UInt32, capSysAdmin: Bool, capBPF: Bool) {
        self.euid = euid
        self.capSysAdmin = capSysAdmin
        self.capBPF = capBPF
    }

    public var canLoadBPF: Bool { capSysAdmin || capBPF }

    static let capSysAdminBit = 21
    static let capBPFBit = 39

    /// Reads the effective capability set from the `CapEff:` line of /proc/self/status.
    public static func parse(euid: UInt32, procStatus: String) -> Privileges {
        var effective: UInt64 = 0
        for line in procStatus.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingWhitespace()
            effective = UInt64(hex, radix: 16) ?? 0
        }
        return Privileges(euid: euid,
                          capSysAdmin: effective & (1 << capSysAdminBit) != 0,
                          capBPF: effective & (1 << capBPFBit) != 0)
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var s = self
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
