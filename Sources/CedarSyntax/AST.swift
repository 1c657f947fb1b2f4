// The Cedar abstract syntax tree: the contract shared by the parser, the formatter,
// the evaluator, the validator, the JSON (EST) converter and the policy compiler.
//
// Every node carries the source range it came from so that anything downstream (the
// validator, the compiler rejecting a construct) can point at file:line:column.
// Equality ignores source ranges, so `parse(format(p)) == p` compares meaning-bearing
// structure only.

/// A position in a source text. Lines and columns count from 1; columns count
/// Unicode scalars (what an editor shows), offset counts UTF-8 bytes.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int
    public init(line: Int, column: Int, offset: Int) {
        self.line = line; self.column = column; self.offset = offset
    }
    public static let unknown = SourceLocation(line: 0, column: 0, offset: 0)
    public var description: String { "\(line):\(column)" }
}

/// A half-open range [start, end) in one source file.
public struct SourceRange: Hashable, Sendable {
    public var file: String
    public var start: SourceLocation
    public var end: SourceLocation
    public init(file: String, start: SourceLocation, end: SourceLocation) {
        self.file = file; self.start = start; self.end = end
    }
    public static let unknown = SourceRange(file: "", start: .unknown, end: .unknown)
}

/// A possibly namespaced identifier: `Action`, `MCP::Server`.
public struct Name: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var path: [String]
    public var basename: String
    public init(path: [String] = [], basename: String) {
        self.path = path; self.basename = basename
    }
    /// Parses "A::B::C" without validation of identifier syntax.
    public init(qualified: String) {
        var parts: [String] = []
        var rest = Substring(qualified)
        while let r = rest.firstRange(of: "::") {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        basename = String(rest)
        path = parts
    }
    public var qualified: String { (path + [basename]).joined(separator: "::") }
    public var description: String { qualified }
    public var isAction: Bool { basename == "Action" }
    public static func < (a: Name, b: Name) -> Bool { a.qualified < b.qualified }
}

/// An entity's identity: its type and its id, `File::"/etc/passwd"`.
public struct EntityUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var type: Name
    public var id: String
    public init(type: Name, id: String) { self.type = type; self.id = id }
    public init(_ type: String, _ id: String) { self.type = Name(qualified: type); self.id = id }
    /// Cedar's own spelling, with the id escaped as a Cedar string literal.
    public var description: String { "\(type.qualified)::\(cedarQuoted(id))" }
    public static func < (a: EntityUID, b: EntityUID) -> Bool {
        a.type == b.type ? a.id < b.id : a.type < b.type
    }
}

public enum Effect: String, Hashable, Sendable { case permit, forbid }

public enum Variable: String, Hashable, Sendable, CaseIterable {
    case principal, action, resource, context
}

/// Template slots: `?principal`, `?resource`.
public enum SlotID: String, Hashable, Sendable {
    case principal = "?principal"
    case resource = "?resource"
}

/// An entity named in a scope constraint, or a slot to be filled by a template link.
public enum EntityOrSlot: Hashable, Sendable {
    case entity(EntityUID)
    case slot(SlotID)
}

/// The principal or resource part of a policy head.
public enum ScopeConstraint: Hashable, Sendable {
    case any
    case eq(EntityOrSlot)
    case `in`(EntityOrSlot)
    case `is`(Name)
    case isIn(Name, EntityOrSlot)
}

/// The action part of a policy head.
public enum ActionConstraint: Hashable, Sendable {
    case any
    case eq(EntityUID)
    case `in`(EntityUID)
    case inSet([EntityUID])
    case `is`(Name)
    case isIn(Name, [EntityUID])
}

public enum ConditionKind: String, Hashable, Sendable { case when, unless }

public struct Condition: Hashable, Sendable {
    public var kind: ConditionKind
    public var body: Expr
    public var range: SourceRange
    public init(kind: ConditionKind, body: Expr, range: SourceRange = .unknown) {
        self.kind = kind; self.body = body; self.range = range
    }
    public static func == (a: Condition, b: Condition) -> Bool { a.kind == b.kind && a.body == b.body }
    public func hash(into h: inout Hasher) { h.combine(kind); h.combine(body) }
}

public struct Annotation: Hashable, Sendable {
    public var key: String
    /// `@key` with no value is allowed since Cedar 4 and means the empty string.
    public var value: String?
    public var range: SourceRange
    public init(key: String, value: String?, range: SourceRange = .unknown) {
        self.key = key; self.value = value; self.range = range
    }
    public static func == (a: Annotation, b: Annotation) -> Bool { a.key == b.key && a.value == b.value }
    public func hash(into h: inout Hasher) { h.combine(key); h.combine(value) }
}

/// A policy or a template (a policy whose head mentions a slot).
public struct Policy: Hashable, Sendable {
    /// `policy0`, `policy1`, … in file order unless an `@id` annotation or caller says otherwise.
    public var id: String
    public var annotations: [Annotation]
    public var effect: Effect
    public var principal: ScopeConstraint
    public var action: ActionConstraint
    public var resource: ScopeConstraint
    public var conditions: [Condition]
    public var range: SourceRange
    /// Ranges of the head's three constraints, for diagnostics.
    public var principalRange: SourceRange = .unknown
    public var actionRange: SourceRange = .unknown
    public var resourceRange: SourceRange = .unknown

    public init(id: String, annotations: [Annotation] = [], effect: Effect,
                principal: ScopeConstraint = .any, action: ActionConstraint = .any,
                resource: ScopeConstraint = .any, conditions: [Condition] = [],
                range: SourceRange = .unknown) {
        self.id = id; self.annotations = annotations; self.effect = effect
        self.principal = principal; self.action = action; self.resource = resource
        self.conditions = conditions; self.range = range
    }

    public var isTemplate: Bool { !slots.isEmpty }
    public var slots: [SlotID] {
        var s: [SlotID] = []
        for c in [principal, resource] {
            switch c {
            case .eq(.slot(let x)), .in(.slot(let x)), .isIn(_, .slot(let x)): s.append(x)
            default: break
            }
        }
        return s
    }
    public func annotation(_ key: String) -> String? {
        annotations.first { $0.key == key }.map { $0.value ?? "" }
    }

    public static func == (a: Policy, b: Policy) -> Bool {
        a.id == b.id && a.annotations == b.annotations && a.effect == b.effect
            && a.principal == b.principal && a.action == b.action && a.resource == b.resource
            && a.conditions == b.conditions
    }
    public func hash(into h: inout Hasher) { h.combine(id); h.combine(effect); h.combine(conditions) }
}

/// A template link: a template id, the new policy id, and the slot values.
public struct TemplateLink: Hashable, Sendable {
    public var templateID: String
    public var newID: String
    public var values: [SlotID: EntityUID]
    public init(templateID: String, newID: String, values: [SlotID: EntityUID]) {
        self.templateID = templateID; self.newID = newID; self.values = values
    }
}

// MARK: - Expressions

public enum BinaryOp: String, Hashable, Sendable {
    case eq = "==", neq = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case `in` = "in"
    case add = "+", sub = "-", mul = "*"
    /// Method-call spelled operators: `a.contains(b)`, `a.containsAll(b)`,
    /// `a.containsAny(b)`, `e.getTag(k)`, `e.hasTag(k)`.
    case contains, containsAll, containsAny, getTag, hasTag
}

public enum UnaryOp: String, Hashable, Sendable {
    case not = "!"
    case neg = "-"
    /// `s.isEmpty()` on sets.
    case isEmpty
}

/// One element of a `like` pattern: a literal character or `*` (any sequence).
public enum PatternElement: Hashable, Sendable {
    case char(Unicode.Scalar)
    case wildcard
}

public struct Pattern: Hashable, Sendable {
    public var elements: [PatternElement]
    public init(_ elements: [PatternElement]) { self.elements = elements }
}

public struct Expr: Hashable, Sendable {
    public indirect enum Kind: Hashable, Sendable {
        case bool(Bool)
        case long(Int64)
        case string(String)
        case entity(EntityUID)
        case variable(Variable)
        case slot(SlotID)
        case ifThenElse(Expr, Expr, Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        case unary(UnaryOp, Expr)
        case binary(BinaryOp, Expr, Expr)
        /// `e.attr` and `e["attr"]`.
        case getAttr(Expr, String)
        /// `e has attr`. `e has a.b` is desugared by the parser into
        /// `e has a && e.a has b`, as Cedar does.
        case hasAttr(Expr, String)
        case like(Expr, Pattern)
        /// `e is T` and `e is T in x`.
        case isType(Expr, Name, in: Expr?)
        case set([Expr])
        /// Record literal; keys keep source order, duplicates are a parse error.
        case record([(String, Expr)])
        /// Extension function or method: `ip("10.0.0.1")`, `a.isInRange(b)` is
        /// `.call(name: "isInRange", [a, b])`. Names are unqualified (`ip`, `decimal`,
        /// `datetime`, `duration`, `lessThan`, `offset`, …).
        case call(String, [Expr])

        public static func == (a: Kind, b: Kind) -> Bool {
            switch (a, b) {
            case let (.bool(x), .bool(y)): return x == y
            case let (.long(x), .long(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.entity(x), .entity(y)): return x == y
            case let (.variable(x), .variable(y)): return x == y
            case let (.slot(x), .slot(y)): return x == y
            case let (.ifThenElse(a1, a2, a3), .ifThenElse(b1, b2, b3)): return a1 == b1 && a2 == b2 && a3 == b3
            case let (.and(a1, a2), .and(b1, b2)): return a1 == b1 && a2 == b2
            case let (.or(a1, a2), .or(b1, b2)): return a1 == b1 && a2 == b2
            case let (.unary(o1, a1), .unary(o2, b1)): return o1 == o2 && a1 == b1
            case let (.binary(o1, a1, a2), .binary(o2, b1, b2)): return o1 == o2 && a1 == b1 && a2 == b2
            case let (.getAttr(a1, x), .getAttr(b1, y)): return a1 == b1 && x == y
            case let (.hasAttr(a1, x), .hasAttr(b1, y)): return a1 == b1 && x == y
            case let (.like(a1, p), .like(b1, q)): return a1 == b1 && p == q
            case let (.isType(a1, n1, i1), .isType(b1, n2, i2)): return a1 == b1 && n1 == n2 && i1 == i2
            case let (.set(x), .set(y)): return x == y
            case let (.record(x), .record(y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            case let (.call(n1, a1), .call(n2, a2)): return n1 == n2 && a1 == a2
            default: return false
            }
        }

        public func hash(into h: inout Hasher) {
            switch self {
            case .bool(let x): h.combine(0); h.combine(x)
            case .long(let x): h.combine(1); h.combine(x)
            case .string(let x): h.combine(2); h.combine(x)
            case .entity(let x): h.combine(3); h.combine(x)
            case .variable(let x): h.combine(4); h.combine(x)
            case .slot(let x): h.combine(5); h.combine(x)
            case .ifThenElse(let a, let b, let c): h.combine(6); h.combine(a); h.combine(b); h.combine(c)
            case .and(let a, let b): h.combine(7); h.combine(a); h.combine(b)
            case .or(let a, let b): h.combine(8); h.combine(a); h.combine(b)
            case .unary(let o, let a): h.combine(9); h.combine(o); h.combine(a)
            case .binary(let o, let a, let b): h.combine(10); h.combine(o); h.combine(a); h.combine(b)
            case .getAttr(let a, let s): h.combine(11); h.combine(a); h.combine(s)
            case .hasAttr(let a, let s): h.combine(12); h.combine(a); h.combine(s)
            case .like(let a, let p): h.combine(13); h.combine(a); h.combine(p)
            case .isType(let a, let n, let i): h.combine(14); h.combine(a); h.combine(n); h.combine(i)
            case .set(let xs): h.combine(15); h.combine(xs)
            case .record(let kv): h.combine(16); for (k, v) in kv { h.combine(k); h.combine(v) }
            case .call(let n, let a): h.combine(17); h.combine(n); h.combine(a)
            }
        }
    }

    public var kind: Kind
    public var range: SourceRange

    public init(_ kind: Kind, range: SourceRange = .unknown) {
        self.kind = kind; self.range = range
    }
    public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
    public func hash(into h: inout Hasher) { h.combine(kind) }
}

/// Escapes a string as a Cedar string literal body, quotes included.
/// Cedar (like Rust's `escape_debug`) writes `\n \r \t \\ \" \0` and `\u{…}` for other
/// control and non-printable characters.
public func cedarQuoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\0": out += "\\0"
        default:
            if u.value < 0x20 || u.value == 0x7f || (u.properties.generalCategory == .format) {
                out += "\\u{" + String(u.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

/// A parsed policy file: static policies and templates in file order, plus links.
/// Ids are `policy0`, `policy1`, … counting policies and templates together in file
/// order, as Cedar's own CLI numbers them.
public struct PolicySet: Hashable, Sendable {
    public var policies: [Policy]
    public var templates: [Policy]
    public var links: [TemplateLink]
    public init(policies: [Policy] = [], templates: [Policy] = [], links: [TemplateLink] = []) {
        self.policies = policies; self.templates = templates; self.links = links
    }
}
