import Foundation

// The exit summary: counts per action and decision, the most frequent denials with their
// rules' locations, what was lost, and which backend enforced.

public struct LossReport: Sendable, Equatable {
    /// Records the kernel side wrote into the ring buffer.
    public var sent: UInt64 = 0
    /// Records the consumer read and decoded.
    public var received: UInt64 = 0
    /// Records the ring buffer refused, or attempts the tracepoints could not pair.
    public var lost: UInt64 = 0
    /// Of `lost`, denials.
    public var lostDenies: UInt64 = 0
    /// Allows not sent because they were sent before (kernel-side dedup).
    public var deduplicated: UInt64 = 0
    /// Program runs the kernel skipped (bpf_prog_info.recursion_misses): each may be an
    /// operation that was never recorded.
    public var missedRuns: UInt64 = 0
    /// Records whose layout did not decode.
    public var malformed: UInt64 = 0

    public init() {}

    /// Sent but never read: the consumer stopped before the ring buffer was empty.
    public var unread: UInt64 { sent > received + malformed ? sent - received - malformed : 0 }
    public var isComplete: Bool { lost == 0 && missedRuns == 0 && malformed == 0 && unread == 0 }

    public var jsonFields: [String: Any] {
        ["sent": sent, "received": received, "lost": lost, "lostDenies": lostDenies, "deduplicated": deduplicated,
         "missedRuns": missedRuns, "malformed": malformed, "unread": unread]
    }
}

public struct DecisionSummary: Sendable {
    public struct DenialKey: Hashable, Sendable {
        public var action: String
        public var object: String
        public var rule: RuleReference?
        public var cause: DenialCause?
    }

    public private(set) var counts: [String: [Decision: Int]] = [:]
    public private(set) var denials: [DenialKey: Int] = [:]
    public private(set) var total = 0
    /// Lines about credential stores (prompts answered, or why no prompt could help).
    public var notes: [String] = []

    public init() {}

    public mutating func add(_ record: DecisionRecord) {
        total += 1
        counts[record.action, default: [:]][record.decision, default: 0] += 1
        if record.decision.isDenial {
            denials[DenialKey(action: record.action, object: record.object, rule: record.rule, cause: record.cause), default: 0] += 1
        }
    }

    /// Counts a record that is not a denial without keeping anything else of it.
    public mutating func add(action: String, decision: Decision) {
        precondition(!decision.isDenial, "denials are added whole, for the top denials")
        total += 1
        counts[action, default: [:]][decision, default: 0] += 1
    }

    public func count(_ action: String, _ decision: Decision) -> Int { counts[action]?[decision] ?? 0 }
    public func count(_ decision: Decision) -> Int { counts.values.reduce(0) { $0 + ($1[decision] ?? 0) } }

    /// Denials by frequency, then by action and object for a stable order.
    public func topDenials(_ limit: Int = 10) -> [(DenialKey, Int)] {
        denials.sorted { a, b in
            if a.value != b.value { return a.value > b.value }
            if a.key.action != b.key.action { return a.key.action < b.key.action }
            return a.key.object < b.key.object
        }.prefix(limit).map { ($0.key, $0.value) }
    }

    /// The text printed to stderr at exit.
    public func render(backend: String, policy: String, mode: String, loss: LossReport?, unavailable: String? = nil) -> String {
        var lines = ["leash: summary: backend \(backend), policy \(policy), mode \(mode)"]
        if let unavailable {
            lines.append("  no per-operation telemetry: \(unavailable)")
        } else {
            lines.append("  \(total) recorded: \(count(.allow)) allowed, \(count(.deny)) denied, \(count(.wouldDeny)) would-deny (audit), \(count(.failed)) failed otherwise")
            if !counts.isEmpty {
                let width = max(6, counts.keys.map(\.count).max() ?? 0)
                lines.append("  " + "action".padding(toLength: width, withPad: " ", startingAt: 0) + "  allow   deny  would-deny  failed")
                for action in counts.keys.sorted() {
                    let row = [Decision.allow, .deny, .wouldDeny, .failed].map { count(action, $0) }
                    lines.append("  " + action.padding(toLength: width, withPad: " ", startingAt: 0)
                                 + pad(row[0], 7) + pad(row[1], 7) + pad(row[2], 12) + pad(row[3], 8))
                }
            }
            let top = topDenials()
            if !top.isEmpty {
                lines.append("  top denials:")
                for (key, n) in top {
                    var why: String
                    if let rule = key.rule { why = "rule \"\(rule.id)\" (\(rule.effect)) at \(rule.location)" }
                    else { why = "no rule permits it (default deny)" }
                    if key.cause == .kernel { why = "refused by the kernel although the policy allows it (\(key.rule.map { "rule \"\($0.id)\" at \($0.location)" } ?? "no rule")): file permissions or a Landlock approximation" }
                    lines.append("    \(n)x \(key.action) \(key.object): \(why)")
                }
            }
        }
        if let loss {
            var text = "  lost: \(loss.lost) record\(loss.lost == 1 ? "" : "s") (\(loss.lostDenies) denial\(loss.lostDenies == 1 ? "" : "s"))"
            if loss.missedRuns > 0 { text += ", \(loss.missedRuns) program run\(loss.missedRuns == 1 ? "" : "s") skipped by the kernel" }
            if loss.malformed > 0 { text += ", \(loss.malformed) malformed" }
            if loss.unread > 0 { text += ", \(loss.unread) sent but not read" }
            text += "; \(loss.deduplicated) repeated allow\(loss.deduplicated == 1 ? "" : "s") deduplicated in the kernel"
            lines.append(text)
        }
        lines += notes.map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(1, width - s.count)) + s
    }
}
