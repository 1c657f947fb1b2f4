// The fallback backend's telemetry programs (bpf/telemetry_tp.bpf.c), loaded with the
// shared telemetry maps and attached to the syscall and scheduler tracepoints.

#if canImport(Glibc)
import Glibc
#endif
import Loader

public final class TracepointTelemetry {
    public static let programNames = ["leash_tp_sys_enter", "leash_tp_sys_exit", "leash_tp_fork", "leash_tp_exit"]

    let object: BPFObject
    private var links: [BPFLink] = []

    /// `traceNetwork`: false when cgroup socket programs report network decisions already
    /// (their records would be duplicated).
    public init(maps: TelemetryMaps, traceNetwork: Bool = true) throws {
        let object = try BPFObject(embedded: .telemetryTP)
        try object.setReadOnlyGlobal("trace_network", to: traceNetwork)
        try object.shareTelemetryMaps(maps)
        try object.load()
        self.object = object
        for name in Self.programNames { links.append(try object.program(name).attach()) }
    }

    /// Watches every task in the cgroup v2 `cgroupID` (and, through fork, their children).
    public func watch(cgroupID: UInt64, sandbox: UInt32) throws {
        try object.map("scoped_cgroups").update(cgroupID, sandbox)
    }

    /// Watches the next process `pid` forks, and its descendants: how `leash run` enrols its
    /// child before the child runs a single instruction (the fork tracepoint runs before the
    /// new task is woken).
    public func watchNextChild(of pid: Int32, sandbox: UInt32) throws {
        try object.map("spawners").update(UInt32(bitPattern: pid), sandbox)
    }

    /// Watches one running process (and its future children).
    public func watch(pid: Int32, sandbox: UInt32) throws {
        try object.map("scoped_tasks").update(UInt32(bitPattern: pid), sandbox)
    }

    public var recursionMisses: UInt64 { object.recursionMisses() }

    /// Detaches the programs.
    public func stop() { links.removeAll() }
}
