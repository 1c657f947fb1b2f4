// One query from a sandbox, start to finish: refuse names the policy denies everywhere
// (they never reach the upstream), forward the rest, follow the answer's CNAME chain to
// its addresses, bind each allowed address to the queried name BEFORE answering, and
// answer with the allowed addresses only (REFUSED when there are none).

import Foundation
import PolicyCompiler

/// What the resolver decided about one query; the audit log's `dns` event.
public struct ResolverEvent: Sendable {
    public enum Verdict: String, Sendable { case allowed, refused, failed }
    public var sandbox: UInt32
    public var name: String
    public var type: String
    public var verdict: Verdict
    /// The deciding rule, as `NamePolicy.describe` writes it; nil when allowed with no
    /// address to decide.
    public var rule: String?
    public var bound: [String]
    public var withheld: [String]
    public var detail: String?
}

public struct ResolverSettings: Sendable {
    /// Added to each answer's TTL: how long a new connect to an address still finds its
    /// name after the TTL ran out (clients that cache a little past the TTL).
    public var graceNanos: UInt64
    /// Answers with a shorter TTL are bound for this long instead.
    public var minimumTTL: UInt32

    public init(graceNanos: UInt64 = 5_000_000_000, minimumTTL: UInt32 = 0) {
        self.graceNanos = graceNanos
        self.minimumTTL = minimumTTL
    }
}

public final class QueryHandler: @unchecked Sendable {
    public let sandbox: UInt32
    private var currentPolicy: NamePolicy
    private let policyLock = NSLock()
    /// The policy names are decided by; `replace(policy:)` swaps it (hot reload).
    var policy: NamePolicy { policyLock.lock(); defer { policyLock.unlock() }; return currentPolicy }
    let bindings: BindingTable
    let upstream: Upstream
    let settings: ResolverSettings
    let report: @Sendable (ResolverEvent) -> Void

    public init(sandbox: UInt32, policy: NamePolicy, bindings: BindingTable, upstream: Upstream,
                settings: ResolverSettings = ResolverSettings(), report: @escaping @Sendable (ResolverEvent) -> Void = { _ in }) {
        self.sandbox = sandbox; self.currentPolicy = policy; self.bindings = bindings
        self.upstream = upstream; self.settings = settings; self.report = report
    }

    public func replace(policy: NamePolicy) {
        policyLock.lock(); currentPolicy = policy; policyLock.unlock()
    }

    /// The reply to send back, or nil to send nothing (not a readable query).
    /// `maxSize` is what the client can receive (512 or its EDNS size over UDP).
    public func handle(_ bytes: [UInt8], tcp: Bool) -> [UInt8]? {
        guard let query = try? DNSMessage(bytes: bytes) else { return Self.formatError(bytes) }
        guard !query.isResponse, query.opcode == 0, query.questions.count == 1, let question = query.questions.first else {
            return try? DNSMessage.reply(to: query, code: .notImplemented).encoded()
        }
        let name = question.name.text
        var event = ResolverEvent(sandbox: sandbox, name: name, type: question.type.description, verdict: .refused,
                                  rule: nil, bound: [], withheld: [], detail: nil)
        defer { report(event) }

        let policy = self.policy  // one policy for the whole query
        let possible = policy.couldAllow(name: name)
        guard possible.allow else {
            event.rule = policy.describe(rule: possible.rule)
            return try? DNSMessage.reply(to: query, code: .refused).encoded()
        }

        let answerBytes: [UInt8]
        let answer: DNSMessage
        do {
            var raw = try upstream.exchange(bytes, tcp: tcp)
            var parsed = try DNSMessage(bytes: raw)
            if parsed.isTruncated && !tcp {
                // Retry over TCP ourselves: a truncated answer lacks addresses to bind.
                raw = try upstream.exchange(bytes, tcp: true)
                parsed = try DNSMessage(bytes: raw)
            }
            guard parsed.isResponse, parsed.id == query.id, parsed.questions == query.questions else {
                throw DNSError.truncated(offset: 0)
            }
            (answerBytes, answer) = (raw, parsed)
        } catch {
            event.verdict = .failed
            event.detail = "upstream: \(error)"
            return try? DNSMessage.reply(to: query, code: .serverFailure).encoded()
        }

        let addresses = answer.addresses(for: question.name)
        var allowed: Set<IPNet> = []
        var denial: NameDecision? = nil
        let now = monotonicNanos()
        for a in addresses {
            let d = policy.decide(name: name, address: a.address)
            guard d.allow else {
                event.withheld.append(a.address.canonicalText)
                denial = denial ?? d
                continue
            }
            let ttl = UInt64(max(a.ttl, settings.minimumTTL))
            do {
                try bindings.install(Binding(sandbox: sandbox, address: a.address, name: name,
                                             expiresNanos: now + ttl * 1_000_000_000 + settings.graceNanos))
            } catch {
                event.verdict = .failed
                event.detail = "binding \(a.address.canonicalText): \(error)"
                return try? DNSMessage.reply(to: query, code: .serverFailure).encoded()
            }
            allowed.insert(a.address)
            event.bound.append(a.address.canonicalText)
            if event.rule == nil { event.rule = policy.describe(rule: d.rule) }
        }

        if !addresses.isEmpty && allowed.isEmpty {
            event.rule = policy.describe(rule: denial?.rule)
            return try? DNSMessage.reply(to: query, code: .refused).encoded()
        }
        event.verdict = .allowed
        var reply: [UInt8]
        if allowed.count == addresses.count {
            reply = answerBytes
        } else {
            reply = (try? Self.filtered(answer, keeping: allowed, chain: Set(answer.chain(from: question.name))).encoded()) ?? []
        }
        if !tcp && reply.count > Self.udpLimit(of: query) {
            var short = DNSMessage(id: query.id, flags: answer.flags, questions: query.questions)
            short.isTruncated = true
            reply = (try? short.encoded()) ?? []
        }
        return reply
    }

    /// The answer with only the CNAME chain and the allowed addresses; authority and
    /// additional sections dropped (their data may hold compression pointers into the
    /// original message).
    static func filtered(_ m: DNSMessage, keeping allowed: Set<IPNet>, chain: Set<DNSName>) -> DNSMessage {
        var out = DNSMessage(id: m.id, flags: m.flags, questions: m.questions)
        out.answers = m.answers.filter { r in
            switch r.data {
            case .cname: return chain.contains(r.name)
            case .a(let b): return allowed.contains(IPNet(isV6: false, bytes: b, prefix: 32))
            case .aaaa(let b): return allowed.contains(IPNet(isV6: true, bytes: b, prefix: 128))
            case .raw: return false
            }
        }
        return out
    }

    /// 512 bytes, or the EDNS payload size the query advertises.
    static func udpLimit(of query: DNSMessage) -> Int {
        guard let opt = query.additionals.first(where: { $0.type == .opt }) else { return 512 }
        return max(512, Int(opt.recordClass))
    }

    /// FORMERR for a message whose header is readable, else nothing.
    static func formatError(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 12, bytes[2] & 0x80 == 0 else { return nil }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        return try? DNSMessage(id: id, flags: DNSMessage.qrBit | UInt16(DNSResponseCode.formatError.rawValue)).encoded()
    }
}
