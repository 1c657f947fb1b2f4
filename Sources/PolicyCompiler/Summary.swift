// What `leash compile` prints: table sizes, the kernel memory they need, and per rule what
// it was lowered to.

public struct TableSummary: Codable, Sendable {
    public struct Automaton: Codable, Sendable {
        public var dimension: String
        public var patterns: Int
        public var states: Int
        public var transitions: Int
        public var classes: Int
        public var emitBits: Int
        public var backwards: Bool
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
    public var maxDepth: Int
    public var outcomes: Int
    public var kernelBytes: Int

    public init(_ p: CompiledPolicy) {
        agent = p.agent
        rules = p.rules.count
        permits = p.rules.filter { $0.effect == "permit" }.count
        forbids = rules - permits
        flags = p.flags
        automata = p.automata.map {
            Automaton(dimension: $0.dim.rawValue, patterns: $0.patternAtoms.count + $0.emitAtoms.count, states: $0.stateCount,
                      transitions: $0.edgeState.count, classes: $0.classes.count, emitBits: $0.emitAtoms.count,
                      backwards: $0.reversed)
        }
        ipv4Prefixes = p.ipTable.entries.filter { !$0.isV6 }.count
        ipv6Prefixes = p.ipTable.entries.count - ipv4Prefixes
        portIntervals = p.portTable.starts.count
        decisionNodes = p.nodes.count
        decisionEdges = p.nodes.reduce(0) { $0 + $1.edgeValue.count }
        maxDepth = p.maxDepth
        outcomes = p.outcomes.count
        kernelBytes = TableSummary.kernelBytes(p)
    }

    /// Map memory as the kernel allocates it, per entry: hash maps pay key + value + about
    /// 48 bytes of element header, LPM tries about 40, arrays only the value.
    static func kernelBytes(_ p: CompiledPolicy) -> Int {
        var b = 0
        for a in p.automata {
            b += a.edgeState.count * (8 + 4 + 48)      // trans {state, byte} -> next
            b += a.stateCount * (4 + 4 + 8)            // dflt, class, emit arrays
        }
        b += p.ipTable.entries.reduce(0) { $0 + ($1.isV6 ? 20 : 8) + 4 + 40 }
        b += p.portTable.starts.count * (2 + 4)
        b += p.nodes.count * 12                        // {u8 kind, u8 bit, u16 index, u32 default, u32 outcome}
        b += p.nodes.reduce(0) { $0 + $1.edgeValue.count } * (8 + 4 + 48)
        b += p.outcomes.count * 8                      // {u8 allow, u32 rule}
        b += p.roots.count * 4
        return b
    }

    public var text: String {
        var out = "\(rules) rules (\(permits) permit, \(forbids) forbid) for agent \"\(agent)\""
        out += flags.isEmpty ? "; no context flags\n" : "; \(flags.count) context flags: \(flags.joined(separator: ", "))\n"
        out += "tables:\n"
        for a in automata {
            let kind = a.backwards ? "backward" : a.emitBits > 0 ? "infix" : "forward"
            out += "  \(a.dimension) \(kind) automaton".padding(28) + "\(a.patterns) patterns, \(a.states) states, \(a.transitions) transitions, \(a.classes) classes"
                + (a.emitBits > 0 ? ", \(a.emitBits) emit bits\n" : "\n")
        }
        if ipv4Prefixes + ipv6Prefixes > 0 { out += "  address prefixes".padding(28) + "\(ipv4Prefixes) IPv4, \(ipv6Prefixes) IPv6 (LPM tries)\n" }
        if portIntervals > 1 { out += "  port intervals".padding(28) + "\(portIntervals)\n" }
        out += "  decision diagram".padding(28) + "\(decisionNodes) nodes, \(decisionEdges) edges, \(outcomes) outcomes, longest path \(maxDepth)\n"
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
        let leaves = p.nodes.filter { $0.dimension == nil && p.outcomes[Int($0.outcome)].rule == Int32(r.index) }.count
        out += leaves == 0 ? "  decides no request on its own (another rule always comes first)\n" : "  is the deciding rule of \(leaves) leaf of the decision diagram\n"
        return out
    }
}
