#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import PolicyCompiler

/// The kernel's policy id: the first field of every policy table key (leash_policy.h).
public typealias PolicyID = UInt32

/// A compiled policy that the kernel's engine cannot hold, found before any map is touched.
public enum PolicyTablesError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The longest decision path is longer than the BPF diagram loop's bound.
    case tooDeep(maxDepth: Int, limit: Int)
    /// More context flags than bits in the sandbox's flag word.
    case tooManyFlags(count: Int, limit: Int)
    /// An action the kernel has no code for (leash_policy.h's `enum leash_action`).
    case unknownAction(String)
    /// More port intervals than the kernel's binary search covers.
    case tooManyPortIntervals(count: Int, limit: Int)
    /// A table index that does not fit the kernel's 32-bit fields, or points nowhere.
    case malformed(String)

    public var description: String {
        switch self {
        case .tooDeep(let depth, let limit):
            return "policy's longest decision path has \(depth) steps; the kernel engine walks at most \(limit) (LEASH_MAX_DEPTH)"
        case .tooManyFlags(let count, let limit):
            return "policy names \(count) context flags; a sandbox's flag word holds \(limit)"
        case .unknownAction(let name):
            return "policy decides action '\(name)', which the kernel engine has no code for"
        case .tooManyPortIntervals(let count, let limit):
            return "policy splits ports into \(count) intervals; the kernel engine searches at most \(limit)"
        case .malformed(let what):
            return "compiled policy is malformed: \(what)"
        }
    }
}

/// Every map entry of one compiled policy under one policy id: what the loader writes,
/// computed without the kernel so it can be checked by unit tests. leash_policy.h
/// describes each struct; docs/kernel-policy.md each map.
public struct PolicyTables {
    public var policy: PolicyID
    public var info: leash_policy_info
    public var automata: [(leash_automaton_key, leash_automaton)] = []
    public var states: [(leash_state_key, leash_state)] = []
    public var transitions: [(leash_transition_key, UInt32)] = []
    public var ports: [(leash_port_key, leash_port_interval)] = []
    public var ips: [(leash_ip_key, UInt32)] = []
    public var nodes: [(leash_node_key, leash_node)] = []
    public var edges: [(leash_edge_key, UInt32)] = []

    public static let maxDepth = Int(LEASH_MAX_DEPTH)
    public static let maxFlags = 64
    /// 2^17: the engine's binary search takes at most 17 halvings.
    public static let maxPortIntervals = 1 << 17

    public var entryCount: Int {
        1 + automata.count + states.count + transitions.count + ports.count + ips.count + nodes.count + edges.count
    }

    /// The kernel's code for each action name (`enum leash_action`: Vocabulary's order).
    public static func actionCode(_ name: String) -> UInt32? {
        Vocabulary.actions.firstIndex { $0.name == name }.map(UInt32.init)
    }

    public init(_ compiled: CompiledPolicy, id: PolicyID) throws(PolicyTablesError) {
        policy = id
        info = leash_policy_info()
        guard compiled.maxDepth <= Self.maxDepth else {
            throw .tooDeep(maxDepth: compiled.maxDepth, limit: Self.maxDepth)
        }
        guard compiled.flags.count <= Self.maxFlags else {
            throw .tooManyFlags(count: compiled.flags.count, limit: Self.maxFlags)
        }
        guard compiled.portTable.starts.count <= Self.maxPortIntervals else {
            throw .tooManyPortIntervals(count: compiled.portTable.starts.count, limit: Self.maxPortIntervals)
        }
        let nodeCount = compiled.nodes.count
        func node(_ n: Int32, _ what: String) throws(PolicyTablesError) -> UInt32 {
            guard n >= 0, Int(n) < nodeCount else { throw .malformed("\(what) points at node \(n) of \(nodeCount)") }
            return UInt32(n)
        }
        func u32(_ v: Int32, _ what: String) throws(PolicyTablesError) -> UInt32 {
            guard v >= 0 else { throw .malformed("negative \(what) \(v)") }
            return UInt32(v)
        }

        // Roots, by the kernel's action code (not the policy's own action order).
        var roots = [UInt32](repeating: 0, count: Int(LEASH_ROOTS_MAX))
        guard compiled.roots.count == compiled.actions.count else {
            throw .malformed("\(compiled.roots.count) roots for \(compiled.actions.count) actions")
        }
        for (i, name) in compiled.actions.enumerated() {
            guard let code = Self.actionCode(name), Int(code) < roots.count else { throw .unknownAction(name) }
            roots[Int(code)] = try node(compiled.roots[i], "root of \(name)")
        }
        withUnsafeMutableBytes(of: &info.roots) { raw in
            let slots = raw.bindMemory(to: UInt32.self)
            for (i, r) in roots.enumerated() { slots[i] = r }
        }

        info.automaton_count = UInt32(compiled.automata.count)
        info.max_depth = UInt32(compiled.maxDepth)
        info.ip4_default = try u32(compiled.ipTable.v4Default, "IPv4 default class")
        info.ip6_default = try u32(compiled.ipTable.v6Default, "IPv6 default class")
        let protocols = compiled.protocols
        info.proto_other = UInt32(protocols.count)
        info.proto_tcp = UInt32(protocols.firstIndex(of: "tcp") ?? protocols.count)
        info.proto_udp = UInt32(protocols.firstIndex(of: "udp") ?? protocols.count)

        for (a, automaton) in compiled.automata.enumerated() {
            let index = UInt32(a)
            let states = automaton.stateCount
            guard automaton.stateClass.count == states, automaton.emit.count == states,
                  automaton.start >= 0, Int(automaton.start) < states else {
                throw .malformed("automaton \(a) has inconsistent state tables")
            }
            automata.append((leash_automaton_key(policy: id, automaton: index),
                             leash_automaton(start: UInt32(automaton.start), dim: Self.stringDim(automaton.dim),
                                             reversed: automaton.reversed ? 1 : 0, state_count: UInt32(states))))
            let leaving = Set(automaton.edgeState)
            for s in 0..<states {
                let sink = automaton.defaultNext[s] == Int32(s) && !leaving.contains(Int32(s))
                self.states.append((leash_state_key(policy: id, automaton: index, state: UInt32(s)),
                                    leash_state(emit: automaton.emit[s],
                                                next_default: try u32(automaton.defaultNext[s], "default transition"),
                                                class_: try u32(automaton.stateClass[s], "state class"),
                                                flags: sink ? UInt32(LEASH_STATE_SINK.rawValue) : 0, _pad: 0)))
            }
            for e in automaton.edgeState.indices {
                transitions.append((leash_transition_key(policy: id, automaton: index, state: try u32(automaton.edgeState[e], "state"),
                                                         byte: UInt32(automaton.edgeByte[e])),
                                    try u32(automaton.edgeNext[e], "transition")))
            }
        }

        let portTable = compiled.portTable
        guard portTable.starts.count == portTable.classOf.count, portTable.starts.first == 0 else {
            throw .malformed("port intervals must start at port 0, one class each")
        }
        info.port_count = UInt32(portTable.starts.count)
        for i in portTable.starts.indices {
            ports.append((leash_port_key(policy: id, index: UInt32(i)),
                          leash_port_interval(start: try u32(portTable.starts[i], "port"), class_: try u32(portTable.classOf[i], "port class"))))
        }

        var v4Lengths = Set<Int>(), v6Lengths = Set<Int>()
        let ipTable = compiled.ipTable
        guard ipTable.entries.count == ipTable.entryClass.count else { throw .malformed("one class per address range expected") }
        for (i, net) in ipTable.entries.enumerated() {
            let network = net.network
            var key = leash_ip_key()
            key.policy = id
            key.family = UInt32(network.isV6 ? AF_INET6 : AF_INET)
            key.prefixlen = UInt32(network.prefix)
            withUnsafeMutableBytes(of: &key.addr) { raw in
                for (k, b) in network.bytes.prefix(16).enumerated() { raw[k] = b }
            }
            ips.append((key, try u32(ipTable.entryClass[i], "address class")))
            if network.isV6 { v6Lengths.insert(network.prefix) } else { v4Lengths.insert(network.prefix) }
        }
        let v4 = v4Lengths.sorted(by: >), v6 = v6Lengths.sorted(by: >)
        info.ip4_length_count = UInt32(v4.count)
        info.ip6_length_count = UInt32(v6.count)
        withUnsafeMutableBytes(of: &info.ip4_lengths) { raw in for (k, l) in v4.enumerated() { raw[k] = UInt8(l) } }
        withUnsafeMutableBytes(of: &info.ip6_lengths) { raw in for (k, l) in v6.enumerated() { raw[k] = UInt8(l) } }

        for (i, n) in compiled.nodes.enumerated() {
            let key = leash_node_key(policy: id, node: UInt32(i))
            guard let dim = n.dimension else {
                guard n.outcome >= 0, Int(n.outcome) < compiled.outcomes.count else {
                    throw .malformed("leaf \(i) names outcome \(n.outcome) of \(compiled.outcomes.count)")
                }
                let o = compiled.outcomes[Int(n.outcome)]
                nodes.append((key, leash_node(kind: UInt32(LEASH_NODE_LEAF.rawValue), index: 0, bit: 0, default_child: 0,
                                              rule: o.rule ?? -1, allow: o.allow ? 1 : 0)))
                continue
            }
            guard dim.index >= 0, dim.bit >= 0, dim.bit < 64 else { throw .malformed("node \(i) branches on \(dim)") }
            nodes.append((key, leash_node(kind: Self.nodeKind(dim.kind), index: UInt32(dim.index), bit: UInt32(dim.bit),
                                          default_child: try node(n.defaultChild, "node \(i)'s default"), rule: -1, allow: 0)))
            guard n.edgeValue.count == n.edgeChild.count else { throw .malformed("node \(i) has unpaired edges") }
            for e in n.edgeValue.indices {
                edges.append((leash_edge_key(policy: id, node: UInt32(i), value: try u32(n.edgeValue[e], "edge value")),
                              try node(n.edgeChild[e], "node \(i)'s edge")))
            }
        }
    }

    static func stringDim(_ d: StringDim) -> UInt32 {
        switch d {
        case .path: return UInt32(LEASH_STRING_PATH.rawValue)
        case .host: return UInt32(LEASH_STRING_HOST.rawValue)
        case .mcpServer: return UInt32(LEASH_STRING_MCP_SERVER.rawValue)
        case .mcpTool: return UInt32(LEASH_STRING_MCP_TOOL.rawValue)
        }
    }

    static func nodeKind(_ k: Dimension.Kind) -> UInt32 {
        switch k {
        case .automatonClass: return UInt32(LEASH_NODE_AUTOMATON_CLASS.rawValue)
        case .automatonBit: return UInt32(LEASH_NODE_AUTOMATON_BIT.rawValue)
        case .ip: return UInt32(LEASH_NODE_IP.rawValue)
        case .port: return UInt32(LEASH_NODE_PORT.rawValue)
        case .proto: return UInt32(LEASH_NODE_PROTO.rawValue)
        case .flag: return UInt32(LEASH_NODE_FLAG.rawValue)
        }
    }
}

extension CompiledPolicy {
    /// The sandbox flag word with the named flags on (flag i is bit i); names the policy
    /// does not mention have no bit and are ignored.
    public func flagWord(_ on: Set<String>) -> UInt64 {
        var word: UInt64 = 0
        for (i, name) in flags.enumerated() where i < 64 && on.contains(name) { word |= 1 << UInt64(i) }
        return word
    }
}
