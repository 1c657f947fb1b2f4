// Turns a kernel record into a DecisionRecord: names the action and the rule, reads the
// process's exe, converts boot time to wall time, and for tracepoint records makes the
// path absolute and recomputes the rule with the simulator.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler

public final class EventInterpreter: @unchecked Sendable {
    public let backend: String
    public let mode: String
    private var policy: CompiledPolicy
    private var locator: RuleLocator
    private var observed: ObservedDecision
    /// Rule tables of every policy generation the kernel may still name (hot reload): a
    /// record's `policy_id` picks the one its rule index belongs to.
    private var generations: [UInt32: RuleLocator] = [:]
    let inspector: ProcessInspector
    /// Wall-clock time minus boot time, sampled once: records carry CLOCK_BOOTTIME.
    let bootToWall: Double
    private let lock = NSLock()
    private var flagsOn: Set<String>
    /// The program each process was last seen exec'ing, for records of processes that are
    /// gone by the time their records arrive (short-lived commands).
    private var execs: [Int32: String] = [:]

    public init(policy: CompiledPolicy, policyID: UInt32? = nil, backend: String, mode: String, flags: Set<String> = [],
                inspector: ProcessInspector = LiveProcessInspector(), bootToWall: Double? = nil) {
        self.policy = policy
        self.backend = backend
        self.mode = mode
        self.locator = RuleLocator(policy: policy)
        self.observed = ObservedDecision(simulator: Simulator(policy))
        self.inspector = inspector
        self.bootToWall = bootToWall ?? Self.sampleBootToWall()
        self.flagsOn = flags
        if let policyID { generations[policyID] = locator }
    }

    /// A reloaded policy: new records are named from it; records of `id` use its rules.
    public func policyChanged(to policy: CompiledPolicy, id: UInt32?) {
        lock.lock(); defer { lock.unlock() }
        self.policy = policy
        locator = RuleLocator(policy: policy)
        observed = ObservedDecision(simulator: Simulator(policy))
        if let id { generations[id] = locator }
    }

    /// The rule a kernel record names, from the policy generation that decided.
    private func kernelRule(_ h: EventHeader) -> RuleReference? {
        lock.lock(); defer { lock.unlock() }
        return (generations[h.policy_id] ?? locator).rule(Int(h.rule))
    }

    private var currentLocator: RuleLocator {
        lock.lock(); defer { lock.unlock() }
        return locator
    }

    private var currentObserved: ObservedDecision {
        lock.lock(); defer { lock.unlock() }
        return observed
    }

    /// Context flags now on (the simulator's view when it recomputes an observed rule).
    public var flags: Set<String> {
        get { lock.lock(); defer { lock.unlock() }; return flagsOn }
        set { lock.lock(); flagsOn = newValue; lock.unlock() }
    }

    static func sampleBootToWall() -> Double {
        var wall = timespec(), boot = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        return Double(wall.tv_sec - boot.tv_sec) + Double(wall.tv_nsec - boot.tv_nsec) / 1e9
    }

    public func actionName(_ code: UInt32) -> String { Self.actionName(code) }

    /// The self-protection guards of the BPF LSM backend (`enum lsm_guard` in
    /// bpf/lsm_guard.h, codes from 100; a test reads the header): they are not Cedar
    /// actions, no policy can allow them, so they get names of their own.
    public static let guardNames: [UInt32: String] = [
        100: "Guard:bpf", 101: "Guard:mount", 102: "Guard:ptrace", 103: "Guard:signal",
        104: "Guard:cgroup-write", 105: "Guard:user-namespace", 106: "Guard:kernel-load", 107: "Guard:bpf-fs",
    ]

    public static func actionName(_ code: UInt32) -> String {
        if Int(code) < Vocabulary.actions.count { return Vocabulary.actions[Int(code)].name }
        return guardNames[code] ?? "action \(code)"
    }

    /// What a record says was decided, from its header alone.
    public static func decision(of raw: RawEvent) -> Decision {
        let flags = raw.flags, verdict = raw.header.verdict
        if flags.contains(.auditWouldDeny) { return .wouldDeny }
        if flags.contains(.observed) {
            return verdict == 0 ? .allow : (verdict == -EACCES || verdict == -EPERM) ? .deny : .failed
        }
        return (verdict != 0 || flags.contains(.deny)) ? .deny : .allow
    }

    /// For a record that is only counted (no audit log asks for it): keeps what later
    /// records need from it (the program an allowed exec started) and nothing else.
    public func note(_ raw: RawEvent, decision: Decision) {
        let action = actionName(raw.header.action)
        guard action == "ProcessExec", decision == .allow, raw.path.first == UInt8(ascii: "/") else { return }
        lock.lock(); defer { lock.unlock() }
        execs[Int32(bitPattern: raw.header.pid)] = String(decoding: raw.path, as: UTF8.self)
    }

    public func interpret(_ raw: RawEvent) -> DecisionRecord {
        let h = raw.header
        let flags = raw.flags
        let isObserved = flags.contains(.observed)
        let verdict = h.verdict
        let decision = Self.decision(of: raw)

        let pid = Int32(bitPattern: h.pid)
        let time = Date(timeIntervalSince1970: Double(h.time_ns) / 1e9 + bootToWall)
        var record = DecisionRecord(
            time: time, pid: pid, ppid: Int32(bitPattern: h.ppid), tid: Int32(bitPattern: h.tid), comm: raw.comm,
            exe: nil, action: actionName(h.action), decision: decision,
            errno: verdict < 0 ? -verdict : 0, mode: mode, backend: backend, observed: isObserved, sandboxID: h.sandbox_id)
        record.pathTruncated = flags.contains(.pathTruncated)
        record.pathUnreadable = flags.contains(.pathUnreadable)
        if h.syscall >= 0 { record.syscall = SyscallNames.name(h.syscall) }
        record.exe = executable(pid: pid, raw: raw, action: record.action, decision: decision)

        let text = String(decoding: raw.path, as: UTF8.self)
        let text2 = raw.path2.isEmpty ? nil : String(decoding: raw.path2, as: UTF8.self)
        let family = Int32(h.family)
        if family == AF_INET || family == AF_INET6 {
            let bytes = withUnsafeBytes(of: h.addr) { Array($0) }
            let ip = Self.address(family: family, bytes: bytes)
            record.address = ip.canonicalText
            record.port = Int(h.port)
            record.networkProtocol = h.protocol == 6 ? "tcp" : h.protocol == 17 ? "udp" : nil
            if flags.contains(.domain), !text.isEmpty { record.domain = text }
            if isObserved {
                // Unknown protocol (the socket could not be read): connect is taken as TCP, send as UDP.
                let proto = record.networkProtocol ?? (record.action == "NetworkSend" ? "udp" : "tcp")
                let answer = currentObserved.answer(action: record.action, ip: ip, port: Int(h.port), proto: proto, flags: self.flags)
                apply(answer, to: &record)
            } else {
                record.rule = kernelRule(h)
            }
            return record
        }
        if raw.path.isEmpty && !record.pathUnreadable && family == AF_UNIX {
            record.path = "(abstract unix socket)"
            return record
        }
        guard !record.pathUnreadable || !raw.path.isEmpty else {
            if !isObserved { record.rule = kernelRule(h) }
            return record
        }
        if isObserved {
            let (path, how) = PathResolution.resolve(text, pid: pid, dirfd: h.dirfd, inspector: inspector)
            record.path = path
            record.pathResolution = how
            // A denied O_CREAT open of a file that does not exist was a creation: Landlock
            // decided it as one (make_reg), so the rule is recomputed for FileCreate.
            if record.action == "FileOpenReadWrite" && decision == .deny && h.op_flags & UInt32(O_CREAT) != 0
                && path.hasPrefix("/") && !inspector.exists(path) {
                record.action = "FileCreate"
            }
            var asked = [path]
            if let text2 {
                if record.action == "FileSymlink" {
                    record.path2 = text2  // the link's target text: never resolved, never asked about
                } else {
                    let (second, _) = PathResolution.resolve(text2, pid: pid, dirfd: h.dirfd, inspector: inspector)
                    record.path2 = second
                    if record.action == "FileRename" { asked.append(second) }
                }
            }
            apply(currentObserved.answer(action: record.action, paths: asked, flags: self.flags), to: &record)
        } else {
            record.path = text
            record.path2 = text2
            record.rule = kernelRule(h)
            if decision.isDenial { record.cause = .policy }
        }
        return record
    }

    /// /proc/PID/exe when the process is still there; else the program its last recorded
    /// successful exec named (as the caller spelled it); else nil.
    private func executable(pid: Int32, raw: RawEvent, action: String, decision: Decision) -> String? {
        lock.lock(); defer { lock.unlock() }
        if action == "ProcessExec" && decision == .allow && !raw.path.isEmpty && raw.path.first == UInt8(ascii: "/") {
            execs[pid] = String(decoding: raw.path, as: UTF8.self)
        }
        return inspector.executable(pid: pid) ?? execs[pid]
    }

    /// Fills an observed record's rule and cause from the policy's recomputed answer.
    private func apply(_ answer: PolicyAnswer?, to record: inout DecisionRecord) {
        guard let answer else { return }
        record.policyAllows = answer.allow
        record.rule = answer.rule.flatMap { currentLocator.rule($0) }
        if record.decision == .deny { record.cause = answer.allow ? .kernel : .policy }
    }

    /// IPv4-mapped IPv6 (::ffff:a.b.c.d) is decided as the IPv4 address, as the kernel tables do.
    static func address(family: Int32, bytes: [UInt8]) -> IPNet {
        if family == AF_INET { return IPNet(isV6: false, bytes: Array(bytes[0..<4]), prefix: 32) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return IPNet(isV6: false, bytes: Array(bytes[12..<16]), prefix: 32)
        }
        return IPNet(isV6: true, bytes: bytes, prefix: 128)
    }
}

extension EventInterpreter {
    /// Whether the record's operation would be allowed with `flag` on as well (nil when it
    /// cannot be asked: no path, or a network record).
    public func wouldAllow(_ record: DecisionRecord, withFlag flag: String) -> Bool? {
        guard let path = record.path, path.hasPrefix("/") else { return nil }
        var paths = [path]
        if record.action == "FileRename", let p2 = record.path2 { paths.append(p2) }
        return currentObserved.answer(action: record.action, paths: paths, flags: flags.union([flag]))?.allow
    }
}
