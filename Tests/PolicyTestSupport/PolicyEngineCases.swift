// Random (policy, request) pairs aimed at what the kernel engine does differently from a
// dictionary lookup: automata over paths and host names in both directions, emit bits of
// `*X*` patterns, address ranges of both families (and IPv4-mapped IPv6 requests), port
// intervals, protocols, context flags and every action. Deterministic for a seed.
// (The same idea as Tests/PolicyCompilerTests/RandomPolicies.swift, tuned to the
// lowerable fragment so nearly every policy compiles.)

import Foundation
import PolicyCompiler

public struct EngineRNG: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public struct EngineCases {
    var rng: EngineRNG
    public init(seed: UInt64) { rng = EngineRNG(seed: seed) }

    static let pathParts = ["home", "u", ".ssh", "id_rsa", "a", "x.pem", "tmp", "etc", "é", "node_modules"]
    static let labels = ["api", "github", "com", "corp", "x", "npmjs", "org"]
    static let v4 = ["10.0.0.1", "10.1.2.3", "127.0.0.1", "192.168.1.9", "224.0.0.5", "8.8.8.8", "0.0.0.0", "255.255.255.255"]
    static let v6 = ["::1", "2001:db8::1", "fe80::2", "ff02::1", "2001:db8:0:1::5", "::", "1:0:0:1:0:0:0:1",
                     "2001:db8:85a3::8a2e:370:7334", "fe80::1:0:0:0", "0:1:0:0:1:0:0:0"]
    static let ranges = ["10.0.0.0/8", "10.1.0.0/16", "127.0.0.0/8", "0.0.0.0/0", "192.168.1.0/24", "10.1.2.3",
                         "2001:db8::/32", "::/0", "fe80::/10", "2001:db8::1", "ff00::/8", "::1"]
    static let ports = [22, 53, 80, 443, 8080, 0, 65535]
    static let flags = ["ssh", "gcp", "net"]

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    public mutating func path() -> String {
        "/" + (0..<Int.random(in: 1...4, using: &rng)).map { _ in pick(Self.pathParts) }.joined(separator: "/")
    }
    public mutating func domain() -> String {
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in pick(Self.labels) }.joined(separator: ".")
    }

    public mutating func address() -> IPNet {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<5: return IPNet(parsing: pick(Self.v4))!
        case 5..<8: return IPNet(parsing: pick(Self.v6))!
        case 8:
            // Random bytes exercise the address formatting beyond the fixed list.
            if chance(0.5) { return IPNet(isV6: false, bytes: (0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }, prefix: 32) }
            let groups = (0..<8).map { _ in chance(0.4) ? UInt16(0) : UInt16.random(in: 0...0xffff, using: &rng) }
            return IPNet(isV6: true, bytes: groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }, prefix: 128)
        default:
            // IPv4-mapped IPv6: the engine must decide it as the IPv4 address.
            let v4 = IPNet(parsing: pick(Self.v4))!
            return IPNet(isV6: true, bytes: Array(repeating: 0, count: 10) + [0xff, 0xff] + v4.bytes, prefix: 128)
        }
    }

    /// A request whose path or host name is, half of the time, one of the policy's own
    /// literals with its `*` filled in: random strings rarely meet a pattern otherwise.
    public mutating func request(near policy: String) -> OperationRequest {
        let r = request()
        guard chance(0.5) else { return r }
        let quoted = policy.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
        func fill(_ literal: String, _ part: () -> String) -> String {
            literal.split(separator: "*", omittingEmptySubsequences: false).joined(separator: chance(0.3) ? "" : part())
        }
        switch r.resource {
        case .file:
            let paths = quoted.filter { $0.hasPrefix("/") || $0.hasPrefix("*") && $0.contains("/") }
            guard !paths.isEmpty else { return r }
            var path = fill(pick(paths), { pick(Self.pathParts) })
            if path.hasSuffix("/") { path += pick(Self.pathParts) }
            if !path.hasPrefix("/") { path = "/" + path }
            return OperationRequest(action: r.action, resource: .file(path: path), flags: r.flags)
        case .host(_, var ip, let port, let proto):
            // An address inside one of the policy's ranges (nested ranges decide by length).
            let ranges = quoted.compactMap { IPNet(parsing: $0) }
            if !ranges.isEmpty, chance(0.6) {
                let range = pick(ranges)
                var bytes = range.network.bytes
                if range.prefix <= range.width - 8, chance(0.5) { bytes[bytes.count - 1] = UInt8.random(in: 0...255, using: &rng) }
                ip = IPNet(isV6: range.isV6, bytes: bytes, prefix: range.width)
                if chance(0.5) { return OperationRequest(action: r.action, resource: .host(domain: nil, ip: ip, port: port, proto: proto), flags: r.flags) }
            }
            let names = quoted.filter { $0.contains(".") && !$0.contains("/") && $0.first.map { !$0.isNumber } == true }
                .map { String($0.split(separator: ":").first ?? "") }.filter { !$0.isEmpty }
            guard !names.isEmpty else { return r }
            let name = fill(pick(names), { pick(Self.labels) }).trimmingCharacters(in: CharacterSet(charactersIn: "."))
            guard !name.isEmpty else { return r }
            return OperationRequest(action: r.action, resource: .host(domain: name, ip: ip, port: port, proto: proto), flags: r.flags)
        case .mcp:
            return r
        }
    }

    public mutating func request() -> OperationRequest {
        // Network requests have the most moving parts, so they get as many requests as
        // the sixteen file actions together.
        let kind: ResourceKind = chance(0.45) ? .host : chance(0.85) ? .file : .mcp
        let action = pick(Vocabulary.actions.filter { $0.kind == kind })
        var on = Set<String>()
        for f in Self.flags where chance(0.5) { on.insert(f) }
        switch action.kind {
        case .file: return OperationRequest(action: action.name, resource: .file(path: path()), flags: on)
        case .host:
            let port = chance(0.7) ? pick(Self.ports) : Int.random(in: 0...65535, using: &rng)
            return OperationRequest(action: action.name, resource: .host(domain: chance(0.5) ? domain() : nil, ip: address(),
                                                                         port: port, proto: pick(["tcp", "udp"])), flags: on)
        case .mcp:
            return OperationRequest(action: action.name, resource: .mcp(server: pick(["s1", "s2", "srv"]), tool: pick(["t1", "t2", "run"])), flags: on)
        }
    }

    mutating func likePattern(_ base: String) -> String {
        var s = Array(base)
        let i = Int.random(in: 0...s.count, using: &rng), j = Int.random(in: i...s.count, using: &rng)
        s.replaceSubrange(i..<j, with: ["*"])
        if chance(0.25) { s.insert("*", at: 0) }
        return String(s)
    }

    enum Family: CaseIterable { case file, network, mcp, any }

    mutating func fileCondition() -> String {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return "resource in Dir::\"\(path())/\""
        case 1: return "resource == File::\"\(path())\""
        case 2: return "resource.path like \"\(likePattern(path()))\""
        case 3: return "resource.path like \"*\(pick(Self.pathParts))*\""
        case 4: return "resource.path like \"*.\(pick(["pem", "ssh", "rsa"]))\""
        default: return "context.\(pick(Self.flags))"
        }
    }

    mutating func networkCondition() -> String {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return "resource in Host::\"\(domain())\""
        case 1: return "resource in Host::\"*.\(domain())\""
        case 2: return "resource.domain like \"\(likePattern(domain()))\""
        case 3: return "resource.domain like \"*\(pick(Self.labels))*\""
        case 4, 5: return "resource.ip.isInRange(ip(\"\(pick(Self.ranges))\"))"
        case 6: return "resource.ip.\(pick(["isIpv4", "isIpv6", "isLoopback", "isMulticast"]))()"
        case 7, 8: return "resource.port \(pick(["==", "!=", "<", "<=", ">", ">="])) \(pick(Self.ports))"
        case 9: return "resource.protocol == \"\(pick(["tcp", "udp"]))\""
        case 10: let a = pick(Self.v4); return "resource in Host::\"\(a):\(pick(Self.ports))\""
        default: return "context.\(pick(Self.flags))"
        }
    }

    mutating func mcpCondition() -> String {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return "resource.server == \"\(pick(["s1", "s2"]))\""
        case 1: return "resource.tool like \"\(pick(["t*", "*1", "run"]))\""
        default: return "context.\(pick(Self.flags))"
        }
    }

    mutating func condition(_ family: Family) -> String {
        switch family {
        case .file: return fileCondition()
        case .network: return networkCondition()
        case .mcp: return mcpCondition()
        case .any: return condition(pick([.file, .network, .mcp]))
        }
    }

    mutating func expression(_ family: Family, _ depth: Int) -> String {
        if depth == 0 || chance(0.4) { return condition(family) }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return "(\(expression(family, depth - 1)) && \(expression(family, depth - 1)))"
        case 1: return "(\(expression(family, depth - 1)) || \(expression(family, depth - 1)))"
        default: return "!(\(expression(family, depth - 1)))"
        }
    }

    /// Rules mostly keep to one resource kind, so that their conditions mean something
    /// for the requests they meet; a few mix kinds (false for the others, as in Cedar).
    public mutating func rule(_ n: Int) -> String {
        let effect = chance(0.7) ? "permit" : "forbid"
        let family: Family = chance(0.45) ? .network : chance(0.7) ? .file : chance(0.5) ? .mcp : .any
        let action: String
        switch family {
        case .network: action = pick(["action in Action::\"Network\"", "action == Action::\"NetworkConnect\"",
                                      "action == Action::\"NetworkSend\"", "action in [Action::\"NetworkConnect\", Action::\"NetworkSend\"]"])
        case .file: action = pick(["action in Action::\"FileWrite\"", "action in Action::\"FileAccess\"", "action in Action::\"FileOpen\"",
                                   "action in Action::\"ProcessAnyExec\"", "action == Action::\"\(pick(Vocabulary.actions.filter { $0.kind == .file }).name)\""])
        case .mcp: action = "action == Action::\"McpCall\""
        case .any: action = "action"
        }
        var s = "@id(\"r\(n)\") \(effect) (principal, \(action), resource)"
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            s += " \(chance(0.75) ? "when" : "unless") { \(expression(family, 2)) }"
        }
        return s + ";"
    }

    public mutating func policy() -> String {
        (0..<Int.random(in: 1...8, using: &rng)).map { rule($0) }.joined(separator: "\n")
    }
}

extension OperationRequest {
    /// The request as the compiler's tables see it: an IPv4-mapped IPv6 peer is the IPv4
    /// address (docs/policy-compiler.md), which is what the engine decides.
    public var withMappedAddressesAsIPv4: OperationRequest {
        guard case .host(let d, let ip, let port, let proto) = resource, ip.isV6,
              ip.bytes.prefix(10).allSatisfy({ $0 == 0 }), ip.bytes[10] == 0xff, ip.bytes[11] == 0xff else { return self }
        let v4 = IPNet(isV6: false, bytes: Array(ip.bytes[12...]), prefix: 32)
        return OperationRequest(action: action, resource: .host(domain: d, ip: v4, port: port, proto: proto), flags: flags)
    }
}
