// Boolean formulas over atoms, hash-consed so that equal residual rules share one id and
// the decision diagram can merge equal sub-decisions by comparing integers.

/// A test the kernel can answer from one dimension of a request.
public enum Atom: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The string of a dimension matches a `like` pattern (no wildcard: equality).
    case string(StringDim, GlobPattern)
    /// The address lies in a range (a host route for equality).
    case ipIn(IPNet)
    case ipFamilyV6
    /// `lo <= port <= hi`.
    case port(Int, Int)
    case proto(String)
    case flag(String)

    public var description: String {
        switch self {
        case .string(let d, let p): return "\(d.rawValue) like \(p)"
        case .ipIn(let n): return "ip in \(n.network.canonicalText)/\(n.prefix)"
        case .ipFamilyV6: return "ip is IPv6"
        case .port(let lo, let hi): return lo == hi ? "port == \(lo)" : "port in \(lo)...\(hi)"
        case .proto(let p): return "protocol == \(p)"
        case .flag(let f): return "context.\(f)"
        }
    }
}

/// The string-valued dimensions, each walked by its own automaton.
public enum StringDim: String, Hashable, Sendable, Codable, CaseIterable {
    case path, host, mcpServer, mcpTool
}

/// A Cedar `like` pattern over Unicode scalars; `nil` elements are `*`.
public struct GlobPattern: Hashable, Sendable, Codable, CustomStringConvertible {
    public var elements: [Unicode.Scalar?]
    public init(_ elements: [Unicode.Scalar?]) { self.elements = elements }
    public init(literal s: String) { elements = s.unicodeScalars.map { $0 } }
    public var isLiteral: Bool { !elements.contains(where: { $0 == nil }) }

    public func matches(_ s: String) -> Bool {
        // Walks the scalars by index: no copy of the string (the landlock planner matches
        // every file it looks at when leash run starts).
        let t = s.unicodeScalars
        var pi = 0, ti = t.startIndex, starP = -1, starT = t.startIndex
        while ti < t.endIndex {
            if pi < elements.count, let c = elements[pi], c == t[ti] { pi += 1; ti = t.index(after: ti) }
            else if pi < elements.count, elements[pi] == nil { starP = pi; starT = ti; pi += 1 }
            else if starP >= 0 { pi = starP + 1; starT = t.index(after: starT); ti = starT }
            else { return false }
        }
        while pi < elements.count, elements[pi] == nil { pi += 1 }
        return pi == elements.count
    }

    public var description: String {
        var s = "\""
        for e in elements {
            if let c = e {
                if c == "*" { s += "\\*" } else if c == "\"" { s += "\\\"" } else if c == "\\" { s += "\\\\" } else { s.unicodeScalars.append(c) }
            } else { s += "*" }
        }
        return s + "\""
    }

    enum CodingKeys: String, CodingKey { case pattern }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try c.decode([UInt32].self, forKey: .pattern)
        elements = raw.map { $0 == UInt32.max ? nil : Unicode.Scalar($0) }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(elements.map { $0?.value ?? UInt32.max }, forKey: .pattern)
    }
}

public typealias FormulaID = Int

enum FormulaNode: Hashable {
    case const(Bool)
    case atom(Int)
    case not(FormulaID)
    case and([FormulaID])
    case or([FormulaID])
}

/// Owns atoms and formulas. Ids 0 and 1 are false and true.
final class FormulaStore {
    private(set) var atoms: [Atom] = []
    private var atomIndex: [Atom: Int] = [:]
    private(set) var nodes: [FormulaNode] = [.const(false), .const(true)]
    private var index: [FormulaNode: FormulaID] = [.const(false): 0, .const(true): 1]

    static let falseID: FormulaID = 0
    static let trueID: FormulaID = 1

    func atomID(_ a: Atom) -> Int {
        if let i = atomIndex[a] { return i }
        atoms.append(a); atomIndex[a] = atoms.count - 1
        return atoms.count - 1
    }

    private func intern(_ n: FormulaNode) -> FormulaID {
        if let i = index[n] { return i }
        nodes.append(n); index[n] = nodes.count - 1
        return nodes.count - 1
    }

    func const(_ b: Bool) -> FormulaID { b ? 1 : 0 }
    func atom(_ a: Atom) -> FormulaID { intern(.atom(atomID(a))) }
    func atom(id: Int) -> FormulaID { intern(.atom(id)) }

    func not(_ f: FormulaID) -> FormulaID {
        switch nodes[f] {
        case .const(let b): return const(!b)
        case .not(let g): return g
        default: return intern(.not(f))
        }
    }

    func and(_ fs: [FormulaID]) -> FormulaID {
        var parts = Set<FormulaID>()
        for f in fs {
            switch nodes[f] {
            case .const(true): continue
            case .const(false): return 0
            case .and(let inner): parts.formUnion(inner)
            default: parts.insert(f)
            }
        }
        for p in parts { if case .not(let q) = nodes[p], parts.contains(q) { return 0 } }
        if parts.isEmpty { return 1 }
        if parts.count == 1 { return parts.first! }
        return intern(.and(parts.sorted()))
    }

    func or(_ fs: [FormulaID]) -> FormulaID {
        var parts = Set<FormulaID>()
        for f in fs {
            switch nodes[f] {
            case .const(false): continue
            case .const(true): return 1
            case .or(let inner): parts.formUnion(inner)
            default: parts.insert(f)
            }
        }
        for p in parts { if case .not(let q) = nodes[p], parts.contains(q) { return 1 } }
        if parts.isEmpty { return 0 }
        if parts.count == 1 { return parts.first! }
        return intern(.or(parts.sorted()))
    }

    func and(_ a: FormulaID, _ b: FormulaID) -> FormulaID { and([a, b]) }
    func or(_ a: FormulaID, _ b: FormulaID) -> FormulaID { or([a, b]) }

    /// Replaces atoms that `value` decides; leaves the others.
    func substitute(_ f: FormulaID, memo: inout [FormulaID: FormulaID], _ value: (Int) -> Bool?) -> FormulaID {
        if let m = memo[f] { return m }
        let r: FormulaID
        switch nodes[f] {
        case .const: r = f
        case .atom(let a): r = value(a).map { const($0) } ?? f
        case .not(let g): r = not(substitute(g, memo: &memo, value))
        case .and(let gs): r = and(gs.map { substitute($0, memo: &memo, value) })
        case .or(let gs): r = or(gs.map { substitute($0, memo: &memo, value) })
        }
        memo[f] = r
        return r
    }

    /// The atoms a formula mentions.
    func atomsOf(_ f: FormulaID, into out: inout Set<Int>) {
        switch nodes[f] {
        case .const: break
        case .atom(let a): out.insert(a)
        case .not(let g): atomsOf(g, into: &out)
        case .and(let gs), .or(let gs): for g in gs { atomsOf(g, into: &out) }
        }
    }

    func evaluate(_ f: FormulaID, _ value: (Int) -> Bool) -> Bool {
        switch nodes[f] {
        case .const(let b): return b
        case .atom(let a): return value(a)
        case .not(let g): return !evaluate(g, value)
        case .and(let gs): return gs.allSatisfy { evaluate($0, value) }
        case .or(let gs): return gs.contains { evaluate($0, value) }
        }
    }

    func render(_ f: FormulaID) -> String {
        switch nodes[f] {
        case .const(let b): return b ? "true" : "false"
        case .atom(let a): return atoms[a].description
        case .not(let g): return "!(" + render(g) + ")"
        case .and(let gs): return "(" + gs.map(render).joined(separator: " && ") + ")"
        case .or(let gs): return "(" + gs.map(render).joined(separator: " || ") + ")"
        }
    }
}
