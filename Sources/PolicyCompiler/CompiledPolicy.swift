// The compiled form of a policy: the tables the kernel reads, plus what a person needs to
// read decisions back (rules and their source locations). The simulator decides from this
// struct alone, so anything it needs is in here and nothing else is.
//
// A decision first computes the request's features: one walk per automaton of its
// resource's strings (class + emit bits), an LPM lookup for the address, a binary search
// for the port. Then it walks a reduced decision diagram:
//   node = root[action]; while node is a branch on dimension d:
//       v    = feature d of the request          (a class, an emit bit, a flag bit)
//       node = edge[{node, v}] ?? node.default
//   node is a leaf: {allow|deny, deciding rule}
// Each diagram step is one hash lookup, and a path through the diagram tests each
// dimension at most once, so its length is bounded by the number of dimensions (automata,
// unanchored `*X*` patterns, flags, and three for address/port/protocol), never by the
// number of exact, prefix, suffix, domain, CIDR or port rules. The BPF loop bound is
// `maxDepth`.
//
// Leaves name one rule: the lowest-numbered satisfied forbid for a deny, the
// lowest-numbered satisfied permit for an allow (Cedar's own answer lists all of them;
// any one is a correct reason). Sub-diagrams with the same remaining rules are shared.

/// What a diagram node branches on.
public struct Dimension: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// The class of the string after a walk of automaton `index`.
        case automatonClass
        /// Emit bit `bit` of automaton `index` (0 or 1).
        case automatonBit
        case ip, port, proto
        /// Context flag bit `index` (0 or 1).
        case flag
    }
    public var kind: Kind
    public var index: Int = 0
    public var bit: Int = 0
    public var description: String {
        switch kind {
        case .automatonClass: return "automaton \(index) class"
        case .automatonBit: return "automaton \(index) bit \(bit)"
        case .flag: return "flag \(index)"
        default: return kind.rawValue
        }
    }
}

public struct RuleInfo: Codable, Sendable {
    public var index: Int
    public var policyID: String
    public var effect: String
    public var file: String
    public var line: Int
    public var column: Int
    /// Per action, the lowered condition (only actions where it is not false).
    public var lowered: [String: String]
    public var location: String { "\(file):\(line):\(column)" }
}

/// One node of the decision diagram.
public struct DecisionNode: Codable, Sendable {
    /// nil for a leaf.
    public var dimension: Dimension?
    public var defaultChild: Int32
    /// Explicit edges, sorted by value.
    public var edgeValue: [Int32]
    public var edgeChild: [Int32]
    /// For a leaf: index into `outcomes`.
    public var outcome: Int32
}

public struct Outcome: Codable, Sendable, Hashable {
    public var allow: Bool
    /// The deciding rule; nil for the default deny (no rule applies).
    public var rule: Int32?
}

/// Longest-prefix-match tables for addresses. An address's class is the class of the
/// longest entry containing it, else the family's default class.
public struct IPTable: Codable, Sendable {
    public var v4Default: Int32
    public var v6Default: Int32
    public var entries: [IPNet]
    public var entryClass: [Int32]
    public var classCount: Int
}

/// Ports: class of port p is `classOf[i]` for the last i with `starts[i] <= p`.
public struct PortTable: Codable, Sendable {
    public var starts: [Int32]
    public var classOf: [Int32]
}

public struct CompiledPolicy: Codable, Sendable {
    public static let formatVersion = 1
    public var version: Int = CompiledPolicy.formatVersion
    /// The principal the policy was specialised on.
    public var agent: String
    /// Context flags; flag i is bit i of the sandbox's flag word.
    public var flags: [String]
    public var actions: [String]
    public var roots: [Int32]
    public var rules: [RuleInfo]
    public var automata: [StringAutomaton]
    public var ipTable: IPTable
    public var portTable: PortTable
    public var protocols: [String]
    public var nodes: [DecisionNode]
    public var outcomes: [Outcome]
    /// The longest root-to-leaf path: the bound of the kernel's diagram loop.
    public var maxDepth: Int
    public var sourceFile: String
}
