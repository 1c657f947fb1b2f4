// Is an answered (name, address) pair one the sandbox may use? The resolver does not know
// the port or protocol a client will use, so a pair is allowed when the policy allows a
// NetworkConnect or NetworkSend to that name at that address for SOME port and protocol.
// The kernel still decides each connect exactly (port and protocol included); this only
// decides whether the address gets bound to the name at all. Port classes make "some
// port" a finite question: every port in one interval of the policy's port table gets the
// same answer, so asking one port of each interval covers them all.
//
// Port 53 is left out: every port-53 connect or send from the sandbox is redirected to
// leash's resolver, so a rule that permits port 53 (the default policy's "dns") lets the
// sandbox ask questions, never reach the named host; it must not make every name allowed.

import PolicyCompiler

public struct NameDecision: Sendable, Equatable {
    public var allow: Bool
    /// The deciding rule's index in the compiled policy, nil for the default deny.
    public var rule: Int?
}

public final class NamePolicy: @unchecked Sendable {
    public static let actions = ["NetworkConnect", "NetworkSend"]
    let simulator: Simulator
    let ports: [Int]

    public init(_ policy: CompiledPolicy) {
        simulator = Simulator(policy)
        ports = NamePolicy.representativePorts(starts: policy.portTable.starts.map(Int.init))
    }

    public var policy: CompiledPolicy { simulator.policy }

    /// Allowed with the first permit found; otherwise denied, naming the rule that denies
    /// a TCP connect to port 443 (the usual use of a name), or any deny's rule.
    public func decide(name: String, address: IPNet) -> NameDecision {
        var denial: NameDecision? = nil
        for action in Self.actions where policy.actions.contains(action) {
            for proto in Vocabulary.protocols {
                for port in ports {
                    let request = OperationRequest(action: action, resource: .host(domain: name, ip: address, port: port, proto: proto))
                    guard let d = try? simulator.decide(request) else { continue }
                    if d.allow { return NameDecision(allow: true, rule: d.rules.first) }
                    if denial == nil || (port == 443 && proto == "tcp" && action == "NetworkConnect") {
                        denial = NameDecision(allow: false, rule: d.rules.first)
                    }
                }
            }
        }
        return denial ?? NameDecision(allow: false, rule: nil)
    }

    /// One port of each interval of the port table other than 53 (see the top comment),
    /// and 443 (the usual use of a name, whose rule names a denial).
    static func representativePorts(starts: [Int]) -> [Int] {
        let bounds = Array(Set([0] + starts.filter { (0...65535).contains($0) })).sorted()
        var out: [Int] = []
        for (i, start) in bounds.enumerated() {
            let end = i + 1 < bounds.count ? bounds[i + 1] - 1 : 65535
            if start != Self.dnsPort { out.append(start) } else if start < end { out.append(start + 1) }
        }
        if !out.contains(443) { out.append(443) }
        return out
    }

    static let dnsPort = 53

    /// `@id("…")` or file:line:column of a rule, for audit events.
    public func describe(rule: Int?) -> String {
        guard let rule, rule < policy.rules.count else { return "no rule allows it (default deny)" }
        let r = policy.rules[rule]
        return "\(r.effect) @id(\"\(r.policyID)\") at \(r.location)"
    }
}

extension NamePolicy {
    /// Whether some address could be bound to `name`: asked before a query is forwarded,
    /// so a name the policy denies everywhere never reaches the upstream server (no DNS
    /// tunnel through leash). Exact: an address's class is constant on each interval
    /// between the starts and ends of the policy's address ranges, so asking at 0.0.0.0,
    /// ::, and at each range's first address and the one after its last covers every class.
    ///
    /// Only permits that depend on the name count. A rule that allows an address whatever
    /// its name (the default policy's "loopback") would otherwise make every name worth
    /// forwarding, and any text a process puts in a query name would leave the machine.
    /// Such addresses stay reachable by direct connects; a name that should resolve to
    /// them needs a rule naming it.
    public func couldAllow(name: String) -> NameDecision {
        var denial: NameDecision? = nil
        for address in candidateAddresses {
            let d = decide(name: name, address: address)
            if d.allow {
                if !allowsWithoutName(address) { return d }
            } else if denial == nil {
                denial = d
            }
        }
        return denial ?? NameDecision(allow: false, rule: nil)
    }

    /// Whether a direct connect or send to `address` (no name bound) is allowed on some
    /// port other than 53.
    func allowsWithoutName(_ address: IPNet) -> Bool {
        for action in Self.actions where policy.actions.contains(action) {
            for proto in Vocabulary.protocols {
                for port in ports {
                    let request = OperationRequest(action: action, resource: .host(domain: nil, ip: address, port: port, proto: proto))
                    if (try? simulator.decide(request))?.allow == true { return true }
                }
            }
        }
        return false
    }

    var candidateAddresses: [IPNet] {
        var out: [IPNet] = [IPNet(isV6: false, bytes: [0, 0, 0, 0], prefix: 32), IPNet(isV6: true, bytes: [UInt8](repeating: 0, count: 16), prefix: 128)]
        for e in policy.ipTable.entries {
            let start = e.network
            out.append(IPNet(isV6: e.isV6, bytes: start.bytes, prefix: e.width))
            if let after = Self.addressAfter(start) { out.append(after) }
        }
        return Array(Set(out))
    }

    /// The first address after the range `net`, nil past the end of the address space.
    static func addressAfter(_ net: IPNet) -> IPNet? {
        var b = net.bytes
        for i in 0..<b.count {  // set the host bits: the range's last address
            let hostBits = max(0, min(8, net.width - net.prefix - (b.count - 1 - i) * 8))
            b[i] |= UInt8(truncatingIfNeeded: (1 << hostBits) - 1)
        }
        for i in stride(from: b.count - 1, through: 0, by: -1) {
            if b[i] == 0xFF { b[i] = 0 } else { b[i] += 1; return IPNet(isV6: net.isV6, bytes: b, prefix: net.width) }
        }
        return nil
    }
}
