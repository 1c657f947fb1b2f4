// The canonical pretty-printer. One spelling per tree: parentheses only where Cedar's
// grammar needs them, identifiers where an identifier is allowed and string literals
// otherwise, so formatting is idempotent and `parse(format(p)) == p`.

public enum CedarFormatter {
    /// All policies and templates, in id order (`policy0`, `policy1`, …; other ids keep
    /// their relative order after those), separated by blank lines. Template links have
    /// no textual form and are not printed.
    public static func format(_ set: PolicySet) -> String {
        let all = set.policies + set.templates
        let ordered = all.enumerated().sorted { a, b in
            let ka = orderKey(a.element.id), kb = orderKey(b.element.id)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
        return ordered.map(format).joined(separator: "\n\n") + (ordered.isEmpty ? "" : "\n")
    }

    private static func orderKey(_ id: String) -> Int {
        if id.hasPrefix("policy"), let n = Int(id.dropFirst(6)), n >= 0 { return n }
        return Int.max
    }

    /// One policy, ending with `;` and no newline.
    public static func format(_ policy: Policy) -> String {
        var out = ""
        for a in policy.annotations {
            out += "@" + a.key
            if let v = a.value { out += "(" + cedarQuoted(v) + ")" }
            out += "\n"
        }
        out += policy.effect.rawValue + " "
        let p = scope("principal", policy.principal)
        let a = action(policy.action)
        let r = scope("resource", policy.resource)
        if policy.principal == .any && policy.action == .any && policy.resource == .any {
            out += "(principal, action, resource)"
        } else {
            out += "(\n  \(p),\n  \(a),\n  \(r)\n)"
        }
        for c in policy.conditions {
            out += "\n" + condition(c)
        }
        return out + ";"
    }

    public static func format(_ expr: Expr) -> String {
        var w = Writer()
        w.expr(expr, 0)
        return w.out
    }

    static let lineWidth = 80

    /// The layout of Cedar's own formatter, for the common cases: `when { … }` on one
    /// line when it fits in 80 columns; else the braced body on the next line; else the
    /// body on lines of its own, a top-level `&&` or `||` chain broken after each
    /// operator when even the body alone is too wide.
    static func condition(_ c: Condition) -> String {
        let head = c.kind.rawValue
        let body = format(c.body)
        let flat = "\(head) { \(body) }"
        if flat.count <= lineWidth { return flat }
        if body.count + 4 <= lineWidth { return "\(head)\n{ \(body) }" }
        var parts: [Expr] = []
        var op = ""
        switch c.body.kind {
        case .and where body.count + 2 > lineWidth && Writer.hasChain(c.body) == nil:
            op = "&&"; flatten(c.body, and: true, into: &parts)
        case .or where body.count + 2 > lineWidth:
            op = "||"; flatten(c.body, and: false, into: &parts)
        default:
            return "\(head)\n{\n  \(body)\n}"
        }
        let level = op == "&&" ? 3 : 2
        let lines = parts.map { e -> String in
            var w = Writer()
            w.expr(e, level)
            return "  " + w.out
        }
        return "\(head)\n{\n" + lines.joined(separator: " \(op)\n") + "\n}"
    }

    private static func flatten(_ e: Expr, and: Bool, into parts: inout [Expr]) {
        switch e.kind {
        case .and(let l, let r) where and && Writer.hasChain(e) == nil:
            flatten(l, and: and, into: &parts); parts.append(r)
        case .or(let l, let r) where !and:
            flatten(l, and: and, into: &parts); parts.append(r)
        default:
            parts.append(e)
        }
    }

    static func scope(_ v: String, _ c: ScopeConstraint) -> String {
        switch c {
        case .any: return v
        case .eq(let e): return "\(v) == \(entityOrSlot(e))"
        case .in(let e): return "\(v) in \(entityOrSlot(e))"
        case .is(let n): return "\(v) is \(n.qualified)"
        case .isIn(let n, let e): return "\(v) is \(n.qualified) in \(entityOrSlot(e))"
        }
    }

    static func entityOrSlot(_ e: EntityOrSlot) -> String {
        switch e {
        case .entity(let uid): return uid.description
        case .slot(let s): return s.rawValue
        }
    }

    /// `action is` is not Cedar syntax; such a tree (only built by code, never parsed) is
    /// printed as the condition Cedar would need, which the parser will not accept back
    /// as a scope constraint.
    static func action(_ c: ActionConstraint) -> String {
        switch c {
        case .any: return "action"
        case .eq(let e): return "action == \(e)"
        case .in(let e): return "action in \(e)"
        case .inSet(let es): return "action in [" + es.map(\.description).joined(separator: ", ") + "]"
        case .is(let n): return "action is \(n.qualified)"
        case .isIn(let n, let es): return "action is \(n.qualified) in [" + es.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// An attribute or record key is written bare when Cedar allows it as an identifier.
    static func isPlainIdentifier(_ s: String) -> Bool {
        guard let f = s.utf8.first, !(f >= 0x30 && f <= 0x39) else { return false }
        return s.utf8.allSatisfy(Lexer.isIdentChar) && !Parser.isReserved(s)
    }

    static func quotedPattern(_ p: Pattern) -> String {
        var out = "\""
        for el in p.elements {
            switch el {
            case .wildcard: out += "*"
            case .char("*"): out += "\\*"
            case .char(let c):
                let q = cedarQuoted(String(Character(c)))
                out += q.dropFirst().dropLast()
            }
        }
        return out + "\""
    }
}

/// Precedence levels, loosest first; an expression printed where a tighter level is
/// required gets parentheses.
private enum Level {
    static let expr = 0, or = 1, and = 2, relation = 3, add = 4, mult = 5, unary = 6, member = 7, primary = 8
}

private struct Writer {
    var out = ""

    /// Recognizes the tree that `x has a.b.c` is read as,
    /// `(x has a && x.a has b) && x.a.b has c`, so it can be written that way again.
    static func hasChain(_ e: Expr) -> (Expr, [String])? {
        // Collect the `has` tests down the left spine of `&&`s, outermost first.
        var tests: [(target: Expr, attr: String)] = []
        var cur = e
        while case .and(let l, let r) = cur.kind {
            guard case .hasAttr(let target, let b) = r.kind, CedarFormatter.isPlainIdentifier(b) else { return nil }
            tests.append((target, b))
            cur = l
        }
        guard !tests.isEmpty, case .hasAttr(let x, let first) = cur.kind,
              CedarFormatter.isPlainIdentifier(first) else { return nil }
        let attrs = [first] + tests.reversed().map(\.attr)
        // The k-th test's target must be `x.attrs[0]. … .attrs[k-1]`; walk it outside in.
        for (k, test) in tests.reversed().enumerated() {
            var t = test.target
            for a in attrs[0...k].reversed() {
                guard case .getAttr(let inner, let name) = t.kind, name == a else { return nil }
                t = inner
            }
            if t != x { return nil }
        }
        return (x, attrs)
    }

    static func level(_ e: Expr) -> Int {
        switch e.kind {
        case .ifThenElse: return Level.expr
        case .or: return Level.or
        case .and: return hasChain(e) != nil ? Level.relation : Level.and
        case .hasAttr, .like, .isType: return Level.relation
        case .binary(let op, _, _):
            switch op {
            case .eq, .neq, .lt, .le, .gt, .ge, .in: return Level.relation
            case .add, .sub: return Level.add
            case .mul: return Level.mult
            case .contains, .containsAll, .containsAny, .getTag, .hasTag: return Level.member
            }
        case .unary(let op, _): return op == .isEmpty ? Level.member : Level.unary
        case .long(let n): return n < 0 ? Level.unary : Level.primary
        case .getAttr: return Level.member
        case .call(let name, let args):
            return cedarExtensionFunctions.contains(name) || args.isEmpty ? Level.primary : Level.member
        default: return Level.primary
        }
    }

    mutating func expr(_ e: Expr, _ min: Int) {
        if Writer.level(e) < min {
            out += "("
            body(e)
            out += ")"
        } else {
            body(e)
        }
    }

    mutating func list(_ es: ArraySlice<Expr>) {
        var first = true
        for e in es {
            if !first { out += ", " }
            first = false
            expr(e, Level.expr)
        }
    }

    mutating func attr(_ name: String) {
        if CedarFormatter.isPlainIdentifier(name) { out += "." + name } else { out += "[" + cedarQuoted(name) + "]" }
    }

    mutating func body(_ e: Expr) {
        switch e.kind {
        case .bool(let b): out += b ? "true" : "false"
        case .long(let n): out += String(n)
        case .string(let s): out += cedarQuoted(s)
        case .entity(let uid): out += uid.description
        case .variable(let v): out += v.rawValue
        case .slot(let s): out += s.rawValue
        case .ifThenElse(let c, let t, let f):
            out += "if "; expr(c, Level.expr)
            out += " then "; expr(t, Level.expr)
            out += " else "; expr(f, Level.expr)
        case .or(let l, let r):
            expr(l, Level.or); out += " || "; expr(r, Level.and)
        case .and(let l, let r):
            if let (x, attrs) = Writer.hasChain(e) {
                expr(x, Level.add); out += " has " + attrs.joined(separator: ".")
                return
            }
            expr(l, Level.and); out += " && "; expr(r, Level.relation)
        case .unary(.isEmpty, let x):
            expr(x, Level.member); out += ".isEmpty()"
        case .unary(let op, let x):
            unary(op, x, run: 1)
        case .binary(let op, let l, let r):
            switch op {
            case .eq, .neq, .lt, .le, .gt, .ge, .in:
                expr(l, Level.add); out += " \(op.rawValue) "; expr(r, Level.add)
            case .add, .sub:
                expr(l, Level.add); out += " \(op.rawValue) "; expr(r, Level.mult)
            case .mul:
                expr(l, Level.mult); out += " * "; expr(r, Level.unary)
            case .contains, .containsAll, .containsAny, .getTag, .hasTag:
                expr(l, Level.member); out += ".\(op.rawValue)("; expr(r, Level.expr); out += ")"
            }
        case .getAttr(let x, let name):
            expr(x, Level.member); attr(name)
        case .hasAttr(let x, let name):
            expr(x, Level.add)
            out += " has " + (CedarFormatter.isPlainIdentifier(name) ? name : cedarQuoted(name))
        case .like(let x, let p):
            expr(x, Level.add); out += " like " + CedarFormatter.quotedPattern(p)
        case .isType(let x, let n, let inExpr):
            expr(x, Level.add); out += " is " + n.qualified
            if let inExpr { out += " in "; expr(inExpr, Level.add) }
        case .set(let xs):
            out += "["; list(xs[...]); out += "]"
        case .record(let kv):
            if kv.isEmpty { out += "{}"; return }
            out += "{ "
            var first = true
            for (k, v) in kv {
                if !first { out += ", " }
                first = false
                out += (CedarFormatter.isPlainIdentifier(k) ? k : cedarQuoted(k)) + ": "
                expr(v, Level.expr)
            }
            out += " }"
        case .call(let name, let args):
            if cedarExtensionFunctions.contains(name) || args.isEmpty {
                out += name + "("; list(args[...]); out += ")"
            } else {
                expr(args[0], Level.member)
                out += "." + name + "("; list(args.dropFirst()); out += ")"
            }
        }
    }

    /// A run of one unary operator: Cedar allows at most four in a row, a `-` in front
    /// of a non-negative integer literal would fold into a negative literal, and `!`
    /// and `-` cannot be mixed without parentheses.
    mutating func unary(_ op: UnaryOp, _ x: Expr, run: Int) {
        out += op.rawValue
        switch x.kind {
        case .unary(let inner, let y) where inner == op && run < 4:
            unary(op, y, run: run + 1)
        case .long(let n) where op == .neg && n < 0 && run < 4:
            out += String(n)
        case .long(let n) where op == .neg && n >= 0:
            out += "(" + String(n) + ")"
        default:
            expr(x, Level.member)
        }
    }
}
