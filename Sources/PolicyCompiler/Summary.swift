// What `leash compile` prints: table sizes, the kernel memory they need, and per rule what
// it was lowered to.

public struct TableSummary: Codable, Sendable {
    public struct Automaton: Codable, Sendable {
        public var dimension: String
        public var patterns: Int
        public var states: Int
        public var transitions: Int
        public var classes: Int
    }
    public var agent: String
    public var rules: Int
    public var permits: Int
    public var forbids: Int
    public var flags: [String]
    public var automata: [Automaton]
    public var ipv4Prefixes: Int
    public var ipv6Prefixes: Int
    public var portIntervals: Int
    public var decisionNodes: Int
    public var decisionEdges: Int
    public var verdicts: Int
    public var outcomes: Int
    public var kernelBytes: Int

    public init(_ p: CompiledPolicy) {
        agent = p.agent
        rules = p.rules.count
        permits = p.rules.filter { $0.effect == "permit" }.count
        forbids = rules - permits
        flags = p.flags
        automata = p.automata.filter { !$0.patternAtoms.isEmpty }.map {
            Automaton(dimension: $0.dim.rawValue, patterns: $0.patternAtoms.count, states: $0.stateCount,
                      transitions: $0.edgeState.count, classes: $0.classes.count)
        }
        ipv4Prefixes = p.ipTable.entries.filter { !$0.isV6 }.count
        ipv6Prefixes = p.ipTable.entries.count - ipv4Prefixes
        portIntervals = p.portTable.starts.count
        decisionNodes = p.nodes.count
        decisionEdges = p.nodes.reduce(0) { $0 + $1.edgeClass.count }
        verdicts = p.verdicts.count
        outcomes = p.outcomes.count
        kernelBytes = TableSummary.kernelBytes(p)
    }

    /// Map memory as the kernel allocates it, per entry: hash maps pay key + value + about
    /// 48 bytes of element header, LPM tries about 40, arrays only the value.
    static func kernelBytes(_ p: CompiledPolicy) -> Int {
        var b = 0
        for a in p.automata where !a.patternAtoms.isEmpty {
            b += a.edgeState.count * (8 + 4 + 48)      // trans {state, byte} -> next
            b += a.stateCount * (4 + 4)                // dflt, class arrays
        }
        b += p.ipTable.entries.reduce(0) { $0 + ($1.isV6 ? 20 : 8) + 4 + 40 }
        b += p.portTable.starts.count * (2 + 4)
        b += p.nodes.count * 12                        // {u8 dim, u32 default, u32 verdict}
        b += p.nodes.reduce(0) { $0 + $1.edgeClass.count } * (8 + 4 + 48)
        b += p.verdicts.count * 20 + p.verdicts.reduce(0) { $0 + $1.outcomes.count } * 4
        b += p.outcomes.count * 8                      // {u8 allow, u32 first rule}
        b += p.roots.count * 4
        return b
    }

    public var text: String {
        var out = "\(rules) rules (\(permits) permit, \(forbids) forbid) for agent \"\(agent)\""
        out += flags.isEmpty ? "; no context flags\n" : "; \(flags.count) context flags: \(flags.joined(separator: ", "))\n"
        out += "tables:\n"
        for a in automata {
            out += "  \(a.dimension) automaton".padding(24) + "\(a.patterns) patterns, \(a.states) states, \(a.transitions) transitions, \(a.classes) classes\n"
        }
        if ipv4Prefixes + ipv6Prefixes > 0 { out += "  address prefixes".padding(24) + "\(ipv4Prefixes) IPv4, \(ipv6Prefixes) IPv6 (LPM tries)\n" }
        if portIntervals > 1 { out += "  port intervals".padding(24) + "\(portIntervals)\n" }
        out += "  decision diagram".padding(24) + "\(decisionNodes) nodes, \(decisionEdges) edges, \(verdicts) verdicts, \(outcomes) outcomes\n"
        out += "kernel memory (estimate): \(TableSummary.human(kernelBytes))\n"
        return out
    }

    static func human(_ n: Int) -> String {
        if n < 10 * 1024 { return "\(n) bytes" }
        if n < 10 * 1024 * 1024 { return "\(n / 1024) KiB" }
        return "\(n / 1024 / 1024) MiB"
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}

public enum RuleExplanation {
    /// Finds a rule by policy id (`policy3`, or its `@id`) or by its index.
    public static func find(_ key: String, in p: CompiledPolicy) -> RuleInfo? {
        p.rules.first { $0.policyID == key } ?? Int(key).flatMap { i in p.rules.indices.contains(i) ? p.rules[i] : nil }
    }

    public static func text(_ r: RuleInfo, in p: CompiledPolicy) -> String {
        var out = "\(r.effect) \(r.policyID) at \(r.location)\n"
        if r.lowered.isEmpty {
            out += "  applies to no request for agent \"\(p.agent)\"\n"
        } else {
            // Actions with the same lowering are listed together.
            var byFormula: [String: [String]] = [:]
            for a in p.actions { if let f = r.lowered[a] { byFormula[f, default: []].append(a) } }
            for (f, actions) in byFormula.sorted(by: { $0.value.first! < $1.value.first! }) {
                out += "  \(actions.joined(separator: ", ")):\n    \(f)\n"
            }
        }
        let deciding = p.outcomes.filter { $0.rules.contains(Int32(r.index)) }
        let first = deciding.filter { $0.rules.first == Int32(r.index) }
        out += "  named in \(deciding.count) of \(p.outcomes.count) outcomes (reported first in \(first.count))\n"
        return out
    }
}
