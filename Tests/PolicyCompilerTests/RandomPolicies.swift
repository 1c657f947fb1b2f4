// Random policies in (and around) the lowerable fragment, and random requests that hit
// their literals often. Deterministic for a seed, so a failure names a reproducible case.

import PolicyCompiler

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct RandomPolicies {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static let pathParts = ["home", "u", ".ssh", "id_rsa", "a", "x.pem", "tmp", "etc"]
    static let labels = ["api", "github", "com", "corp", "x"]
    static let v4 = ["10.0.0.1", "10.1.2.3", "127.0.0.1", "192.168.1.9", "224.0.0.5"]
    static let v6 = ["::1", "2001:db8::1", "fe80::2", "ff02::1"]
    static let ports = [22, 53, 80, 443, 8080]
    static let flags = ["f1", "f2", "f3"]
    static let agents = ["claude", "codex"]
    static let servers = ["s1", "s2"], tools = ["t1", "t2"]

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func path() -> String {
        "/" + (0..<Int.random(in: 1...4, using: &rng)).map { _ in pick(Self.pathParts) }.joined(separator: "/")
    }
    mutating func domain() -> String {
        (0..<Int.random(in: 1...3, using: &rng)).map { _ in pick(Self.labels) }.joined(separator: ".")
    }
    mutating func ip() -> String { chance(0.6) ? pick(Self.v4) : pick(Self.v6) }

    mutating func request() -> OperationRequest {
        let action = pick(Vocabulary.actions)
        var flags = Set<String>()
        for f in Self.flags where chance(0.5) { flags.insert(f) }
        switch action.kind {
        case .file: return OperationRequest(action: action.name, resource: .file(path: path()), flags: flags)
        case .host:
            let addr = IPNet(parsing: ip())!
            return OperationRequest(action: action.name, resource: .host(domain: chance(0.6) ? domain() : nil, ip: addr,
                                                                         port: pick(Self.ports), proto: pick(["tcp", "udp"])), flags: flags)
        case .mcp: return OperationRequest(action: action.name, resource: .mcp(server: pick(Self.servers), tool: pick(Self.tools)), flags: flags)
        }
    }

    mutating func likePattern(_ base: String) -> String {
        var s = Array(base)
        // Replace a random slice by `*` (prefix, suffix or inner wildcard).
        let i = Int.random(in: 0...s.count, using: &rng), j = Int.random(in: i...s.count, using: &rng)
        s.replaceSubrange(i..<j, with: ["*"])
        if chance(0.2) { s.insert("*", at: 0) }
        return String(s)
    }

    mutating func hostEntity() -> String {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return "Host::\"\(domain())\""
        case 1: return "Host::\"*.\(domain())\""
        case 2: return "Host::\"\(domain()):\(pick(Self.ports))\""
        case 3: let a = ip(); return a.contains(":") ? "Host::\"[\(a)]:\(pick(Self.ports))\"" : "Host::\"\(a):\(pick(Self.ports))\""
        default: return "Host::\"\(ip())\""
        }
    }

    mutating func entity() -> String {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return "File::\"\(path())\""
        case 1: let p = path(); return chance(0.5) ? "Dir::\"\(p)/\"" : "Dir::\"\(p)\""
        case 2: return hostEntity()
        case 3: return chance(0.5) ? "MCP::Server::\"\(pick(Self.servers))\"" : "MCP::Tool::\"\(pick(Self.tools))\""
        default: return "Dir::\"/\""
        }
    }

    mutating func atom() -> String {
        switch Int.random(in: 0..<22, using: &rng) {
        case 0: return "resource in \(entity())"
        case 1: return "resource in [\(entity()), \(entity())]"
        case 2: return "resource == \(entity())"
        case 3: return "resource.path like \"\(likePattern(path()))\""
        case 4: return "resource.path == \"\(path())\""
        case 5: return "resource.domain like \"\(likePattern(domain()))\""
        case 6: return "resource.domain == \"\(domain())\""
        case 7:
            let n = pick(["10.0.0.0/8", "10.1.0.0/16", "127.0.0.0/8", "0.0.0.0/0", "2001:db8::/32", "::/0", "fe80::/10", "10.0.0.1"])
            return "resource.ip.isInRange(ip(\"\(n)\"))"
        case 8: return "resource.ip.\(pick(["isIpv4", "isIpv6", "isLoopback", "isMulticast"]))()"
        case 9: return "resource.port \(pick(["==", "!=", "<", "<=", ">", ">="])) \(pick(Self.ports + [0, 65535, 70000, -1]))"
        case 10: return "resource.protocol \(pick(["== \"tcp\"", "== \"udp\"", "like \"t*\"", "!= \"udp\""]))"
        case 11: return "context.\(pick(Self.flags))"
        case 12: return "principal == Agent::\"\(pick(Self.agents))\""
        case 13: return "action in Action::\"\(pick(["FileWrite", "FileAccess", "FileOpen", "Network", "ProcessAnyExec"]))\""
        case 14: return "action == Action::\"\(pick(Vocabulary.actions).name)\""
        case 15: return "resource has \(pick(["path", "domain", "port", "server"]))"
        case 16: return "[\(pick(Self.ports)), \(pick(Self.ports))].contains(resource.port)"
        case 17: return "resource is \(pick(["File", "Host", "Dir", "MCP::Tool"]))"
        case 18: return "resource.server == \"\(pick(Self.servers))\""
        case 19: return "resource.ip == ip(\"\(ip())\")"
        case 20: return "context has \(pick(Self.flags))"
        default: return pick(["true", "false", "1 < 2", "resource.port > \"x\"", "resource.path.isEmpty()"])
        }
    }

    mutating func expr(_ depth: Int) -> String {
        if depth == 0 || chance(0.35) { return atom() }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return "(\(expr(depth - 1)) && \(expr(depth - 1)))"
        case 1: return "(\(expr(depth - 1)) || \(expr(depth - 1)))"
        case 2: return "!(\(expr(depth - 1)))"
        case 3: return "(if \(expr(depth - 1)) then \(expr(depth - 1)) else \(expr(depth - 1)))"
        default: return expr(depth - 1)
        }
    }

    mutating func policy() -> String {
        let effect = chance(0.75) ? "permit" : "forbid"
        let principal = chance(0.7) ? "principal" : "principal == Agent::\"\(pick(Self.agents))\""
        let action: String
        switch Int.random(in: 0..<6, using: &rng) {
        case 0, 4, 5: action = "action"
        case 1: action = "action == Action::\"\(pick(Vocabulary.actions).name)\""
        case 2: action = "action in Action::\"\(pick(["FileWrite", "FileAccess", "FileOpen", "Network", "ProcessAnyExec"]))\""
        default: action = "action in [Action::\"\(pick(Vocabulary.actions).name)\", Action::\"\(pick(Vocabulary.actions).name)\"]"
        }
        let resource: String
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: resource = "resource in \(entity())"
        case 1: resource = "resource == \(entity())"
        case 2: resource = "resource is \(pick(["File", "Host", "MCP::Tool"]))"
        default: resource = "resource"
        }
        var s = "\(effect) (\(principal), \(action), \(resource))"
        for _ in 0..<Int.random(in: 0...2, using: &rng) where chance(0.7) {
            s += " \(chance(0.7) ? "when" : "unless") { \(expr(3)) }"
        }
        return s + ";"
    }

    mutating func policySet() -> String {
        (0..<Int.random(in: 1...6, using: &rng)).map { _ in policy() }.joined(separator: "\n")
    }
}
