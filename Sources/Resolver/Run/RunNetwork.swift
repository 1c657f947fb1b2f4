// The network half of `leash run`, for either backend: the policy in the engine's maps,
// the sandbox's cgroup with the network programs attached, and its resolver forwarding
// to the system's DNS server. The command must start inside the cgroup: `spawnInside`.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler

public final class RunNetwork {
    public let sandbox: UInt32
    public let cgroup: Cgroup
    public let upstream: SocketAddress
    let store: KernelPolicyStore
    let programs: NetworkPrograms
    let network: SandboxNetwork
    let gate: UpstreamGate
    let pins: NetworkPins?

    /// - Parameters:
    ///   - store: the engine's maps; nil installs `policy` in maps of its own.
    ///   - telemetry: the shared event maps, so connect decisions reach the audit log.
    ///   - bindingMapFD: the BPF LSM hooks' `dns_bindings` map, so they see the same bindings.
    public init(policy: CompiledPolicy, sandbox: UInt32, mode: SandboxMode = .enforce, store: KernelPolicyStore? = nil,
                telemetry: TelemetryMaps? = nil, bindingMapFD: Int32? = nil, upstream: SocketAddress = SystemResolver.upstream(),
                settings: ResolverSettings = ResolverSettings(), pin: Bool = true,
                report: @escaping @Sendable (ResolverEvent) -> Void) throws {
        NetworkPins.sweepStale()
        let store = try store ?? KernelPolicyStore()
        if try store.binding(sandbox: sandbox) == nil {
            try store.bind(sandbox: sandbox, policy: try store.install(policy), mode: mode, flags: 0)
        }
        let programs = try NetworkPrograms(policies: store, telemetry: telemetry, bindingMapFD: bindingMapFD)
        let cgroup = try Cgroup(parent: try CgroupV2.locate().path, name: "leash-\(getpid())-net")
        let gate = UpstreamGate(NetworkUpstream(server: upstream))
        self.network = try SandboxNetwork(programs: programs, cgroup: cgroup, sandbox: sandbox, policy: policy,
                                          upstream: gate, settings: settings, report: report)
        self.sandbox = sandbox; self.cgroup = cgroup; self.upstream = upstream
        self.store = store; self.programs = programs; self.gate = gate
        do { pins = pin ? try NetworkPins(network.attachment) : nil }
        catch { network.stop(); throw error }
    }

    /// The port of the sandbox's resolver on loopback (not reachable from the sandbox).
    public var resolverPort: UInt16 { network.server.port }

    /// Runs `spawn` (which forks the command and waits for it) so that the command is born
    /// in the sandbox's cgroup: leash joins the cgroup, and a watcher moves leash back out
    /// the moment a second process (the child, which stays) appears there. The resolver
    /// forwards nothing until leash is out, so its own upstream sockets (whose cgroup is
    /// fixed when they are created) never fall under the sandbox's programs.
    public func spawnInside<T>(_ spawn: () throws -> T) throws -> T {
        let me = getpid()
        let home = try Self.ownCgroupDirectory()
        try Self.join(cgroup.procsFile, pid: me)
        let done = UpstreamGate.Flag()
        let watcher = Thread { [cgroup] in
            while !done.isSet {
                let pids = ((try? String(contentsOfFile: cgroup.procsFile, encoding: .utf8)) ?? "").split(separator: "\n")
                if pids.contains(where: { Int32($0) != me }) { break }
                usleep(200)
            }
            try? Self.join(home + "/cgroup.procs", pid: me)
            done.set()
        }
        watcher.start()
        defer {
            done.set()
            try? Self.join(home + "/cgroup.procs", pid: me)
            gate.open()
        }
        // The child may ask its first question before the watcher ran: answers wait for it.
        Thread { [gate] in
            while !done.isSet { usleep(200) }
            gate.open()
        }.start()
        return try spawn()
    }

    /// After a hot reload of the kernel tables (shared with this sandbox's programs): the
    /// resolver decides names by the new policy too.
    public func replace(policy: CompiledPolicy) {
        network.server.handler?.replace(policy: NamePolicy(policy))
    }

    /// The `dns_bindings` map, for the BPF LSM hooks to share (bpf_map__reuse_fd).
    public var bindingMapFD: Int32 { programs.bindings.fd }

    /// Stops the resolver. The programs stay pinned while processes the command left
    /// behind still run in the cgroup (they stay confined; DNS finds no resolver).
    public func stop() {
        gate.open()
        network.stop()
        // leash exits without running deinitializers: remove the cgroup here when nothing
        // is left in it (a later leash's sweep removes it otherwise).
        if pins?.removeIfEmpty(cgroup: cgroup.path) ?? NetworkPins.isEmpty(cgroup.path) { rmdir(cgroup.path) }
    }

    static func join(_ procs: String, pid: pid_t) throws {
        let fd = open(procs, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: procs, code: errno) }
        defer { close(fd) }
        let text = Array("\(pid)\n".utf8)
        if write(fd, text, text.count) < 0 { throw FileError(path: procs, code: errno) }
    }

    /// leash's own cgroup v2 directory, from /proc/self/cgroup's `0::/path` line.
    static func ownCgroupDirectory() throws -> String {
        let root = try CgroupV2.locate().path
        let text = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return root }
        let relative = line.dropFirst(3)
        return relative == "/" ? root : root + relative
    }
}

/// Holds every upstream exchange until `open()`: see RunNetwork.spawnInside.
final class UpstreamGate: Upstream, @unchecked Sendable {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
        func set() { lock.lock(); value = true; lock.unlock() }
    }

    let inner: Upstream
    private let condition = NSCondition()
    private var isOpen = false

    init(_ inner: Upstream) { self.inner = inner }

    func open() {
        condition.lock(); isOpen = true; condition.broadcast(); condition.unlock()
    }

    func exchange(_ query: [UInt8], tcp: Bool) throws -> [UInt8] {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
        return try inner.exchange(query, tcp: tcp)
    }
}
