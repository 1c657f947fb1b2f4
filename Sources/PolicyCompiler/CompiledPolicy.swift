// The compiled form of a policy: the tables the kernel reads, plus what a person needs to
// read decisions back (rules and their source locations). The simulator decides from this
// struct alone, so anything it needs is in here and nothing else is.
//
// A decision walks a small decision diagram:
//   root[action] -> node; while node is a branch on dimension d:
//       class = classify(d, request)            (automaton walk, LPM lookup, port search)
//       node  = edge[{node, class}] ?? node.default
//   node is a verdict: idx = bits of the verdict's flags (at most 12) -> outcome
//   outcome = {allow|deny, deciding rule ids (the first is reported by the kernel)}
// Every step is one or two map lookups; the only loop is over the bytes of a string or
// the bits of a prefix, so the cost of a decision does not depend on the number of rules.
// Equal sub-decisions are shared (the diagram is reduced), which keeps it small.

public enum Dimension: String, Codable, Sendable {
    case path, host, mcpServer, mcpTool, ip, port, proto

    init(_ d: StringDim) {
        switch d {
        case .path: self = .path
        case .host: self = .host
        case .mcpServer: self = .mcpServer
        case .mcpTool: self = .mcpTool
        }
    }
    var stringDim: StringDim? {
        switch self {
        case .path: return .path
        case .host: return .host
        case .mcpServer: return .mcpServer
        case .mcpTool: return .mcpTool
        default: return nil
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
    /// nil for a verdict node.
    public var dimension: Dimension?
    public var defaultChild: Int32
    /// Explicit edges, sorted by class.
    public var edgeClass: [Int32]
    public var edgeChild: [Int32]
    /// For a verdict node: index into `verdicts`.
    public var verdict: Int32
}

/// A decision that may still depend on context flags: a truth table over `flags`.
public struct Verdict: Codable, Sendable, Hashable {
    /// Bit numbers into the sandbox's flag word, least significant first.
    public var flags: [Int32]
    /// 2^flags.count outcome ids; entry i is for the flag assignment whose bits are i.
    public var outcomes: [Int32]
}

public struct Outcome: Codable, Sendable, Hashable {
    public var allow: Bool
    /// The satisfied permits (for allow) or forbids (for deny); empty for default deny.
    public var rules: [Int32]
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
    public var verdicts: [Verdict]
    public var outcomes: [Outcome]
    public var sourceFile: String
}
