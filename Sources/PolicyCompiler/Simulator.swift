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
    let walkers: [Dimension: AutomatonWalker]
    let edges: [Int: [Int32: Int32]]

    public init(_ policy: CompiledPolicy) {
        self.policy = policy
        var w: [Dimension: AutomatonWalker] = [:]
        for a in policy.automata { w[Dimension(a.dim)] = AutomatonWalker(a) }
        walkers = w
        var e: [Int: [Int32: Int32]] = [:]
        for (i, n) in policy.nodes.enumerated() where !n.edgeClass.isEmpty {
            e[i] = Dictionary(uniqueKeysWithValues: zip(n.edgeClass, n.edgeChild))
        }
        edges = e
    }

    public func decide(_ r: OperationRequest) throws -> SimulatedDecision {
        guard let ai = policy.actions.firstIndex(of: r.action), let info = Vocabulary.action(r.action) else {
            throw SimulatorError.unknownAction(r.action)
        }
        var steps: [String] = []
        var node = Int(policy.roots[ai])
        while let dim = policy.nodes[node].dimension {
            let c = try classify(dim, r, expected: info.kind)
            let next = edges[node]?[Int32(c)] ?? policy.nodes[node].defaultChild
            steps.append("\(dim.rawValue) class \(c) -> node \(next)")
            node = Int(next)
        }
        let v = policy.verdicts[Int(policy.nodes[node].verdict)]
        var idx = 0
        for (k, bit) in v.flags.enumerated() where r.flags.contains(policy.flags[Int(bit)]) { idx |= 1 << k }
        if !v.flags.isEmpty { steps.append("flags " + v.flags.map { policy.flags[Int($0)] }.joined(separator: ",") + " -> entry \(idx)") }
        let o = policy.outcomes[Int(v.outcomes[idx])]
        return SimulatedDecision(allow: o.allow, rules: o.rules.map(Int.init), steps: steps)
    }

    func classify(_ d: Dimension, _ r: OperationRequest, expected: ResourceKind) throws -> Int {
        switch (d, r.resource) {
        case (.path, .file(let p)): return walkers[.path]!.classOf(p)
        case (.host, .host(let dom, let ip, _, _)): return walkers[.host]!.classOf(OperationRequest.hostText(domain: dom, ip: ip))
        case (.ip, .host(_, let ip, _, _)): return IPClasses.classOf(ip, policy.ipTable)
        case (.port, .host(_, _, let port, _)): return PortClasses.classOf(port, policy.portTable)
        case (.proto, .host(_, _, _, let pr)): return policy.protocols.firstIndex(of: pr) ?? policy.protocols.count
        case (.mcpServer, .mcp(let s, _)): return walkers[.mcpServer]!.classOf(s)
        case (.mcpTool, .mcp(_, let t)): return walkers[.mcpTool]!.classOf(t)
        default: throw SimulatorError.wrongResource(action: r.action, expected: expected)
        }
    }
}
