// One sandbox of the BPF LSM backend: its own copy of bpf/leash_lsm.bpf.c's programs,
// attached and pinned, reading a compiled policy from the engine's shared maps.
//
// Every hook first looks up the calling task's membership in this object's task storage,
// so two sandboxes (two objects) never see each other's tasks, and tasks outside every
// sandbox are decided by nothing. See bpf/lsm_membership.h for why enrolment is race-free.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf
import Foundation
import Loader
import PolicyCompiler

public final class LSMSandbox {
    /// Unique among live sandboxes on this machine: leash's pid and a per-process count.
    public let id: UInt32
    public let mode: SandboxMode
    public let store: KernelPolicyStore
    public let telemetry: TelemetryMaps
    public private(set) var policy: CompiledPolicy
    public private(set) var policyID: PolicyID
    public private(set) var flags: UInt64 = 0
    let object: BPFObject
    private var links: [BPFLink] = []
    private var pins: LSMPins?
    private var barrierInner: Int32 = -1

    private static var created: UInt32 = 0

    /// Loads and attaches the hooks and installs `policy`. `store` and `telemetry` are the
    /// shared maps (made here when nil); `pin` keeps enforcement alive if leash is killed.
    /// `inetByCgroup`: the sandbox's cgroup network programs (Sources/Resolver's
    /// RunNetwork) decide IPv4/IPv6 traffic, with DNS names; the hooks then decide unix
    /// sockets only. `bindingMapFD`: the resolver's `dns_bindings`, for the hooks' own
    /// address decisions.
    public init(policy: CompiledPolicy, mode: SandboxMode, store: KernelPolicyStore? = nil,
                telemetry: TelemetryMaps? = nil, pin: Bool = true, inetByCgroup: Bool = false,
                bindingMapFD: Int32? = nil) throws {
        Self.created &+= 1
        id = UInt32(truncatingIfNeeded: getpid()) << 10 | (Self.created & 0x3ff)
        self.mode = mode
        self.policy = policy
        do {
            self.store = try store ?? KernelPolicyStore()
            self.telemetry = try telemetry ?? TelemetryMaps()
            object = try BPFObject(embedded: .leashLSM)
            try self.store.share(with: object)
            try object.shareTelemetryMaps(self.telemetry)
            if let bindingMapFD { try object.reuseMap("dns_bindings", fd: bindingMapFD) }
            try object.load()
            try object.map("lsm_inet_by_cgroup").update(UInt32(0), UInt32(inetByCgroup ? 1 : 0))
        } catch { throw LSMSandboxError.kernel("loading the BPF LSM programs", error) }
        do {
            policyID = try self.store.install(policy)
            try self.store.bind(sandbox: id, policy: policyID, mode: mode, flags: 0)
        } catch { throw LSMSandboxError.kernel("installing the policy", error) }
        do {
            if pin { pins = try LSMPins(sandbox: id) }
            for name in object.programNames {
                let link = try object.program(name).attach()
                try pins.map { try link.pin(at: $0.path(name)) }
                links.append(link)
            }
            try pins.map { try object.map("lsm_live_members").pin(at: $0.path(LSMPins.membersPin)) }
        } catch {
            pins?.remove()
            throw LSMSandboxError.kernel("attaching the BPF LSM programs", error)
        }
    }

    /// Tasks the command left behind (daemons, background jobs) keep the sandbox: while
    /// any is alive its pins, binding and policy stay, so leash's exit never unconfines
    /// them. `LSMPins.sweepStale` removes them once the last one is gone.
    deinit {
        if barrierInner >= 0 { close(barrierInner) }
        if pins != nil && !waitForNoMembers() { return }
        pins?.remove()
        links.removeAll()
        try? store.unbind(sandbox: id)
        try? store.remove(policyID)
    }

    /// A reaped task leaves the count when the kernel frees it, an RCU grace period after
    /// wait() returns; waits up to half a second for that.
    private func waitForNoMembers() -> Bool {
        for _ in 0..<50 {
            if liveMembers == 0 { return true }
            usleep(10_000)
        }
        return liveMembers == 0
    }

    /// The hooks decide IPv4/IPv6 connects and sends themselves, by address (when the
    /// cgroup network programs could not start).
    public func decideInetByAddress() throws {
        do { try object.map("lsm_inet_by_cgroup").update(UInt32(0), UInt32(0)) }
        catch { throw LSMSandboxError.kernel("switching network decisions to the hooks", error) }
    }

    /// Where the links are pinned, when they are.
    public var pinDirectory: String? { pins?.directory }

    /// Tasks currently in the sandbox.
    public var liveMembers: UInt64 {
        ((try? object.map("lsm_live_members").lookup(UInt32(0), as: UInt64.self)) ?? nil) ?? 0
    }

    /// Replaces the policy atomically: the new tables go in under a fresh id, one update
    /// of the sandbox's binding switches every later decision over, then the old tables go.
    /// A decision reads the binding once, so it is made wholly by the old or the new policy.
    public func reload(_ newPolicy: CompiledPolicy) throws {
        let old = policyID
        let fresh: PolicyID
        do { fresh = try store.install(newPolicy) } catch { throw LSMSandboxError.kernel("installing the new policy", error) }
        // Flags keep their meaning by name: a flag the new policy also has stays as it was.
        var newFlags: UInt64 = 0
        for (bit, name) in newPolicy.flags.enumerated() where bit < 64 {
            if let oldBit = policy.flags.firstIndex(of: name), oldBit < 64, flags & (1 << UInt64(oldBit)) != 0 {
                newFlags |= 1 << UInt64(bit)
            }
        }
        do { try store.bind(sandbox: id, policy: fresh, mode: mode, flags: newFlags) }
        catch {
            try? store.remove(fresh)
            throw LSMSandboxError.kernel("switching to the new policy", error)
        }
        policyID = fresh
        policy = newPolicy
        flags = newFlags
        // Decisions that read the old binding may still be walking the old tables.
        try waitForRunningHooks()
        try? store.remove(old)
    }

    /// Returns once every hook invocation that started before the call has finished:
    /// the kernel waits for an RCU grace period when a map-of-maps element is written
    /// (bpf/leash_lsm.bpf.c, `lsm_rcu_barrier`).
    func waitForRunningHooks() throws {
        if barrierInner < 0 {
            barrierInner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lsm_barrier", 4, 4, 1, nil)
            if barrierInner < 0 { throw LSMSandboxError(.kernel, "creating the reload barrier map: \(String(cString: strerror(-barrierInner)))", code: -barrierInner) }
        }
        do { try object.map("lsm_rcu_barrier").update(UInt32(0), barrierInner) }
        catch { throw LSMSandboxError.kernel("waiting for running hooks", error) }
    }

    /// Turns a context flag of the policy on or off, with no reload.
    public func setFlag(_ name: String, _ on: Bool) throws {
        guard let bit = policy.flags.firstIndex(of: name), bit < 64 else {
            throw LSMSandboxError(.policy, "the policy has no context flag '\(name)' (it has: \(policy.flags.joined(separator: ", ")))")
        }
        let newFlags = on ? flags | (1 << UInt64(bit)) : flags & ~(1 << UInt64(bit))
        do { try store.setFlags(sandbox: id, newFlags) } catch { throw LSMSandboxError.kernel("setting flag \(name)", error) }
        flags = newFlags
    }

    /// Starts `path` as the sandbox's first task. Only this calling thread is marked as
    /// enrolling, only while posix_spawn creates the child, so the child is a member from
    /// the moment it exists and no other process of leash's is.
    public func spawn(path: String, argv: [String], environment: [(String, String)], stdio: [Int32]? = nil) throws -> pid_t {
        let tid = try Self.currentThreadID()
        let enrolling: BPFMap
        do {
            enrolling = try object.map("lsm_enrolling")
            try enrolling.update(tid, id)
        } catch { throw LSMSandboxError.kernel("enrolling the command", error) }
        defer { try? enrolling.delete(tid) }
        return try LSMSpawn.spawn(path: path, argv: argv, environment: environment, stdio: stdio)
    }

    /// The kernel's id of the calling thread (glibc's gettid is not visible to Swift):
    /// /proc/thread-self links to "PID/task/TID".
    static func currentThreadID() throws -> UInt32 {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard n > 0, let tid = UInt32(String(cString: buffer).split(separator: "/").last ?? "") else {
            throw LSMSandboxError(.kernel, "cannot read /proc/thread-self: \(String(cString: strerror(errno)))", code: errno)
        }
        return tid
    }
}
