// One decision as a person reads it: who (pid, comm, exe), what (action, path or address),
// the answer, and the rule that gave it with its place in the policy source.

import Foundation

/// What happened to one operation.
public enum Decision: String, Sendable, Hashable, CaseIterable {
    case allow
    case deny
    /// Audit mode: allowed, but the policy would deny it.
    case wouldDeny = "would-deny"
    /// Observed by a tracepoint: the syscall failed for a reason other than a denial
    /// (ENOENT and the like). The kernel decided nothing about the policy.
    case failed

    public var isDenial: Bool { self == .deny || self == .wouldDeny }
}

/// A rule of the compiled policy, named for people.
public struct RuleReference: Sendable, Hashable {
    public var index: Int
    public var id: String
    public var effect: String
    public var file: String
    public var line: Int
    public var column: Int
    public var location: String { "\(file):\(line):\(column)" }

    public init(index: Int, id: String, effect: String, file: String, line: Int, column: Int) {
        self.index = index; self.id = id; self.effect = effect
        self.file = file; self.line = line; self.column = column
    }
}

/// Why an observed denial happened, when the rule that would decide says otherwise.
public enum DenialCause: String, Sendable {
    /// The policy denies it (or, in audit mode, would).
    case policy
    /// The kernel refused although the policy allows it: file permissions, another LSM, or
    /// a rule the fallback backend can only approximate.
    case kernel
}

public struct DecisionRecord: Sendable {
    public var time: Date
    public var pid: Int32
    public var ppid: Int32
    public var tid: Int32
    public var comm: String
    /// /proc/PID/exe read when the event arrived; when the process had already exited, the
    /// program its last recorded exec named; nil when neither is known (a process gone
    /// before its records were read whose exec was deduplicated or never recorded).
    public var exe: String?
    public var action: String
    /// The path as the decision saw it: the kernel's for hooks; for tracepoint records the
    /// path as the program passed it, made absolute (see `pathResolution`).
    public var path: String?
    public var path2: String?
    public var pathTruncated: Bool = false
    public var pathUnreadable: Bool = false
    /// How a relative observed path was made absolute: "cwd" or "dirfd" (read from /proc
    /// when the event arrived, best effort), nil when the path was absolute already.
    public var pathResolution: String?
    public var address: String?
    public var port: Int?
    /// "tcp" or "udp" when the kernel told (the socket's protocol).
    public var networkProtocol: String?
    public var domain: String?
    public var decision: Decision
    /// The errno the operation failed with, 0 when it succeeded (observed) or was allowed.
    public var errno: Int32
    public var mode: String
    public var backend: String
    /// True for records from tracepoints (the fallback): the rule is recomputed by the
    /// simulator (the rule that WOULD decide), not reported by the kernel.
    public var observed: Bool
    public var rule: RuleReference?
    /// Observed records: whether the compiled policy allows the operation (the simulator's
    /// answer). It differs from `decision` where Landlock approximates a rule.
    public var policyAllows: Bool?
    public var cause: DenialCause?
    public var sandboxID: UInt32
    public var syscall: String?

    public init(time: Date, pid: Int32, ppid: Int32, tid: Int32, comm: String, exe: String?, action: String,
                decision: Decision, errno: Int32, mode: String, backend: String, observed: Bool, sandboxID: UInt32 = 0) {
        self.time = time; self.pid = pid; self.ppid = ppid; self.tid = tid; self.comm = comm; self.exe = exe
        self.action = action; self.decision = decision; self.errno = errno; self.mode = mode
        self.backend = backend; self.observed = observed; self.sandboxID = sandboxID
    }

    /// The object, as one string for the summary: path, domain, or address:port.
    public var object: String {
        if let path { return path2.map { "\(path) -> \($0)" } ?? path }
        let host = domain ?? address ?? "?"
        return port.map { OperationTarget.hostPort(host, $0) } ?? host
    }

    /// The audit log's JSON object for this record (event "decision").
    public var jsonFields: [String: Any] {
        var o: [String: Any] = [
            "time": DecisionRecord.timeFormatter.string(from: time),
            "pid": pid, "ppid": ppid, "tid": tid, "comm": comm,
            "action": action, "decision": decision.rawValue, "errno": errno,
            "mode": mode, "backend": backend, "observed": observed, "sandbox": sandboxID,
        ]
        o["exe"] = exe ?? NSNull()
        if let path { o["path"] = path }
        if let path2 { o["path2"] = path2 }
        if pathTruncated { o["pathTruncated"] = true }
        if pathUnreadable { o["pathUnreadable"] = true }
        if let pathResolution { o["pathResolution"] = pathResolution }
        if let address { o["address"] = address }
        if let port { o["port"] = port }
        if let networkProtocol { o["protocol"] = networkProtocol }
        if let domain { o["domain"] = domain }
        if let syscall { o["syscall"] = syscall }
        if let cause { o["cause"] = cause.rawValue }
        if let policyAllows { o["policyAllows"] = policyAllows }
        if let rule {
            o["rule"] = ["id": rule.id, "index": rule.index, "effect": rule.effect, "location": rule.location,
                         "file": rule.file, "line": rule.line, "column": rule.column] as [String: Any]
            if observed { o["ruleRecomputed"] = true }
        } else {
            o["rule"] = NSNull()
        }
        return o
    }

    static let timeFormatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
}

enum OperationTarget {
    static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
