// The compiler publishes each rule's lowered condition per action as text (`RuleInfo.lowered`,
// what `leash explain` prints). The Landlock backend reads that text back into a tree, so
// it depends only on the compiler's public output, not on its internal formula store.

import PolicyCompiler

/// A rule's condition for one action, over the atoms the kernel can test.
public indirect enum LoweredCondition: Equatable, Sendable {
    case constant(Bool)
    case path(GlobPattern)
    case flag(String)
    /// An atom on something other than a path or a flag (host, ip, port, protocol, MCP).
    case other(String)
    case not(LoweredCondition)
    case and([LoweredCondition])
    case or([LoweredCondition])

    /// Every path pattern the condition mentions.
    public var pathPatterns: [GlobPattern] {
        switch self {
        case .path(let p): return [p]
        case .not(let c): return c.pathPatterns
        case .and(let cs), .or(let cs): return cs.flatMap(\.pathPatterns)
        default: return []
        }
    }

    public var flags: [String] {
        switch self {
        case .flag(let f): return [f]
        case .not(let c): return c.flags
        case .and(let cs), .or(let cs): return cs.flatMap(\.flags)
        default: return []
        }
    }

    public var mentionsOther: Bool {
        switch self {
        case .other: return true
        case .not(let c): return c.mentionsOther
        case .and(let cs), .or(let cs): return cs.contains { $0.mentionsOther }
        default: return false
        }
    }

    /// The truth of the condition for one concrete path with every context flag false.
    public func holds(forPath path: String) -> Bool {
        switch self {
        case .constant(let b): return b
        case .path(let p): return p.matches(path)
        case .flag: return false
        case .other: return false
        case .not(let c): return !c.holds(forPath: path)
        case .and(let cs): return cs.allSatisfy { $0.holds(forPath: path) }
        case .or(let cs): return cs.contains { $0.holds(forPath: path) }
        }
    }

    /// Replaces path atoms.
    public func mapPaths(_ f: (GlobPattern) -> LoweredCondition) -> LoweredCondition {
        switch self {
        case .path(let p): return f(p)
        case .not(let c): return .not(c.mapPaths(f))
        case .and(let cs): return .and(cs.map { $0.mapPaths(f) })
        case .or(let cs): return .or(cs.map { $0.mapPaths(f) })
        default: return self
        }
    }
}

public struct LoweredConditionSyntaxError: Error, CustomStringConvertible {
    public var text: String
    public var offset: Int
    public var description: String { "cannot read the compiler's lowered condition at offset \(offset): \(text)" }
}

extension LoweredCondition {
    /// Reads the text form the compiler renders (`(a && !(b))`, `path like "/x/*"`, …).
    public static func parse(_ text: String) throws -> LoweredCondition {
        var p = ConditionReader(chars: Array(text.unicodeScalars), text: text)
        let c = try p.expression()
        guard p.at == p.chars.count else { throw p.error() }
        return c
    }
}

private struct ConditionReader {
    let chars: [Unicode.Scalar]
    let text: String
    var at = 0

    func error() -> LoweredConditionSyntaxError { LoweredConditionSyntaxError(text: text, offset: at) }

    func startsWith(_ s: String) -> Bool {
        let u = Array(s.unicodeScalars)
        return at + u.count <= chars.count && Array(chars[at..<at + u.count]) == u
    }

    mutating func eat(_ s: String) -> Bool {
        guard startsWith(s) else { return false }
        at += s.unicodeScalars.count
        return true
    }

    mutating func expression() throws -> LoweredCondition {
        if eat("true") { return .constant(true) }
        if eat("false") { return .constant(false) }
        if eat("!(") {
            let c = try expression()
            guard eat(")") else { throw error() }
            return .not(c)
        }
        if eat("(") {
            var parts = [try expression()]
            var isAnd: Bool?
            while true {
                if eat(" && ") { guard isAnd != false else { throw error() }; isAnd = true }
                else if eat(" || ") { guard isAnd != true else { throw error() }; isAnd = false }
                else { break }
                parts.append(try expression())
            }
            guard eat(")") else { throw error() }
            if parts.count == 1 { return parts[0] }
            return isAnd == true ? .and(parts) : .or(parts)
        }
        if eat("path like ") { return .path(try pattern()) }
        if eat("context.") {
            let start = at
            while at < chars.count, chars[at] == "_" || chars[at].properties.isAlphabetic || ("0"..."9").contains(chars[at]) { at += 1 }
            guard at > start else { throw error() }
            return .flag(String(String.UnicodeScalarView(chars[start..<at])))
        }
        // Any other atom runs to the next `)` or ` &&`/` ||` outside a string.
        let start = at
        var inString = false
        while at < chars.count {
            let c = chars[at]
            if inString {
                if c == "\\" { at += 2; continue }
                if c == "\"" { inString = false }
            } else if c == "\"" { inString = true }
            else if c == ")" || startsWith(" && ") || startsWith(" || ") { break }
            at += 1
        }
        guard at > start else { throw error() }
        return .other(String(String.UnicodeScalarView(chars[start..<min(at, chars.count)])))
    }

    /// A quoted `like` pattern: `*` is a wildcard, `\*`, `\"`, `\\` are literal.
    mutating func pattern() throws -> GlobPattern {
        guard eat("\"") else { throw error() }
        var elements: [Unicode.Scalar?] = []
        while at < chars.count {
            let c = chars[at]
            at += 1
            if c == "\"" { return GlobPattern(elements) }
            if c == "*" { elements.append(nil); continue }
            if c == "\\" {
                guard at < chars.count else { break }
                elements.append(chars[at]); at += 1; continue
            }
            elements.append(c)
        }
        throw error()
    }
}
