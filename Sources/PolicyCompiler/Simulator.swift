// The decision simulator: answers a request from the compiled tables alone, with the same
// steps the kernel takes (automaton walk, LPM lookup, port search, edge lookups, flag
// truth table). It never looks at the Cedar source; that is what makes it a check of the
// tables and a reference for the kernel.

public struct SimulatedDecision: Sendable {
    public var allow: Bool
    /// Satisfied permits (allow) or forbids (deny); empty means no rule applied.
    public var rules: [Int]
    /// The dimensions visited, for `leash explain`.
    public var steps: [String]
}

public enum SimulatorError: Error, CustomStringConvertible {
    case unknownAction(String)
    case wrongResource(action: String, expected: ResourceKind)
    public var description: String {
        switch self {
        case .unknownAction(let a): return "unknown action '\(a)'"
        case .wrongResource(let a, let k): return "\(a) takes a \(k.entityType) resource"
        }
    }
}

public final class Simulator {
    public let policy: CompiledPolicy
    let walkers: [AutomatonWalker]
    let edges: [Int: [Int32: Int32]]

    public init(_ policy: CompiledPolicy) {
        self.policy = policy
        walkers = policy.automata.map(AutomatonWalker.init)
        var e: [Int: [Int32: Int32]] = [:]
        for (i, n) in policy.nodes.enumerated() where !n.edgeValue.isEmpty {
            e[i] = Dictionary(uniqueKeysWithValues: zip(n.edgeValue, n.edgeChild))
        }
        edges = e
    }

    public func decide(_ r: OperationRequest) throws -> SimulatedDecision {
        guard let ai = policy.actions.firstIndex(of: r.action), let info = Vocabulary.action(r.action) else {
            throw SimulatorError.unknownAction(r.action)
        }
        var walks: [Int: (cls: Int, mask: UInt64)] = [:]
        var steps: [String] = []
        var node = Int(policy.roots[ai])
        while let dim = policy.nodes[node].dimension {
            let v = try value(dim, r, expected: info.kind, walks: &walks)
            let next = edges[node]?[Int32(v)] ?? policy.nodes[node].defaultChild
            steps.append("\(describe(dim)) = \(v)")
            node = Int(next)
        }
        let o = policy.outcomes[Int(policy.nodes[node].outcome)]
        return SimulatedDecision(allow: o.allow, rules: o.rule.map { [Int($0)] } ?? [], steps: steps)
    }

    func describe(_ d: Dimension) -> String {
        switch d.kind {
        case .automatonClass: return "\(policy.automata[d.index].dim.rawValue) automaton \(d.index) class"
        case .automatonBit: return "\(policy.automata[d.index].dim.rawValue) automaton \(d.index) bit \(d.bit)"
        case .flag: return "context.\(policy.flags[d.index])"
        default: return d.kind.rawValue + " class"
        }
    }

    func string(_ d: StringDim, _ r: OperationRequest) -> String? {
        switch (d, r.resource) {
        case (.path, .file(let p)): return p
        case (.host, .host(let dom, let ip, _, _)): return OperationRequest.hostText(domain: dom, ip: ip)
        case (.mcpServer, .mcp(let s, _)): return s
        case (.mcpTool, .mcp(_, let t)): return t
        default: return nil
        }
    }

    func value(_ d: Dimension, _ r: OperationRequest, expected: ResourceKind, walks: inout [Int: (cls: Int, mask: UInt64)]) throws -> Int {
        switch d.kind {
        case .automatonClass, .automatonBit:
            if walks[d.index] == nil {
                guard let s = string(policy.automata[d.index].dim, r) else {
                    throw SimulatorError.wrongResource(action: r.action, expected: expected)
                }
                walks[d.index] = walkers[d.index].walk(s)
            }
            let w = walks[d.index]!
            return d.kind == .automatonClass ? w.cls : Int((w.mask >> UInt64(d.bit)) & 1)
        case .flag: return r.flags.contains(policy.flags[d.index]) ? 1 : 0
        case .ip, .port, .proto:
            guard case .host(_, let ip, let port, let proto) = r.resource else {
                throw SimulatorError.wrongResource(action: r.action, expected: expected)
            }
            if d.kind == .ip { return IPClasses.classOf(ip, policy.ipTable) }
            if d.kind == .port { return PortClasses.classOf(port, policy.portTable) }
            return policy.protocols.firstIndex(of: proto) ?? policy.protocols.count
        }
    }
}
