// Cedar expressions, with Cedar's precedence from loosest to tightest:
// if-then-else, ||, &&, relations (non-associative; also has, like, is), + and -, *,
// unary ! and - (at most four of one kind), member access and method calls, primaries.
//
// Every function returns the tree depth of what it built next to the expression, so
// that a left-deep chain (`a || b || …`) counts toward the depth limit as much as a
// nested one does.

typealias Parsed = (expr: Expr, depth: Int)

/// Names callable as functions: `ip("…")`.
let cedarExtensionFunctions: Set<String> = ["ip", "decimal", "datetime", "duration"]

/// Extension methods: `a.lessThan(b)` becomes `.call("lessThan", [a, b])`.
let cedarExtensionMethods: Set<String> = [
    "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual",
    "isIpv4", "isIpv6", "isLoopback", "isMulticast", "isInRange",
    "offset", "durationSince", "toDate", "toTime",
    "toDays", "toHours", "toMinutes", "toSeconds", "toMilliseconds",
]

/// Built-in methods that are operators in the AST, with their argument count.
let cedarOperatorMethods: [String: (BinaryOp?, UnaryOp?)] = [
    "contains": (.contains, nil), "containsAll": (.containsAll, nil), "containsAny": (.containsAny, nil),
    "getTag": (.getTag, nil), "hasTag": (.hasTag, nil), "isEmpty": (nil, .isEmpty),
]

extension Parser {
    mutating func parseExpr() throws -> Expr {
        try expr().expr
    }

    mutating func checkDepth(_ d: Int, from start: SourceLocation) throws {
        if d > Parser.maxTreeDepth {
            report("expression is too deeply nested (more than \(Parser.maxTreeDepth) levels)",
                   at: range(from: start))
            throw ParseAbort()
        }
    }

    mutating func expr() throws -> Parsed {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxNesting {
            throw fail("expression is nested too deeply (more than \(Parser.maxNesting) levels of parentheses, brackets or braces)")
        }
        let start = tok.startLoc
        if at("if") {
            _ = bump()
            let c = try expr()
            try expectWord("then")
            let t = try expr()
            try expectWord("else")
            let e = try expr()
            let d = max(c.depth, t.depth, e.depth) + 1
            try checkDepth(d, from: start)
            return (Expr(.ifThenElse(c.expr, t.expr, e.expr), range: range(from: start)), d)
        }
        return try or()
    }

    mutating func or() throws -> Parsed {
        let start = tok.startLoc
        var l = try and()
        while kind == .or {
            _ = bump()
            let r = try and()
            l = (Expr(.or(l.expr, r.expr), range: range(from: start)), max(l.depth, r.depth) + 1)
            try checkDepth(l.depth, from: start)
        }
        return l
    }

    mutating func and() throws -> Parsed {
        let start = tok.startLoc
        var l = try relation()
        while kind == .and {
            _ = bump()
            let r = try relation()
            l = (Expr(.and(l.expr, r.expr), range: range(from: start)), max(l.depth, r.depth) + 1)
            try checkDepth(l.depth, from: start)
        }
        return l
    }

    var relationalOp: BinaryOp? {
        switch kind {
        case .eq: return .eq
        case .neq: return .neq
        case .lt: return .lt
        case .le: return .le
        case .gt: return .gt
        case .ge: return .ge
        case .ident: return at("in") ? .in : nil
        default: return nil
        }
    }

    var atRelation: Bool { relationalOp != nil || at("has") || at("like") || at("is") }

    mutating func relation() throws -> Parsed {
        let start = tok.startLoc
        let l = try add()
        var result: Parsed
        if let op = relationalOp {
            _ = bump()
            let r = try add()
            result = (Expr(.binary(op, l.expr, r.expr), range: range(from: start)), max(l.depth, r.depth) + 1)
        } else if at("has") {
            _ = bump()
            result = try hasChain(l, start: start)
        } else if at("like") {
            _ = bump()
            guard kind == .string else {
                throw fail("the right-hand side of `like` must be a string literal pattern")
            }
            let t = bump()
            var pattern = Pattern([])
            switch StringEscapes.pattern(stringBody(t)) {
            case .success(let els): pattern = Pattern(els)
            case .failure(let e): reportEscape(e, in: t)
            }
            result = (Expr(.like(l.expr, pattern), range: range(from: start)), l.depth + 1)
        } else if at("is") {
            _ = bump()
            guard kind == .ident else { throw unexpected(expected: "an entity type after `is`") }
            let name = parsePath(first: bump())
            if at("in") {
                _ = bump()
                let r = try add()
                result = (Expr(.isType(l.expr, name, in: r.expr), range: range(from: start)), max(l.depth, r.depth) + 1)
            } else {
                result = (Expr(.isType(l.expr, name, in: nil), range: range(from: start)), l.depth + 1)
            }
        } else {
            return l
        }
        try checkDepth(result.depth, from: start)
        if atRelation {
            throw fail("relational operators (==, <, in, has, like, is, …) do not chain; add parentheses to make the order explicit")
        }
        return result
    }

    /// `e has a`, `e has "a b"`, and `e has a.b.c`, which Cedar reads as
    /// `(e has a && e.a has b) && e.a.b has c`.
    mutating func hasChain(_ l: Parsed, start: SourceLocation) throws -> Parsed {
        if kind == .string {
            let name = stringValue(bump())
            if kind == .dot {
                throw fail("after `has \"…\"` no `.` may follow; write `has a.b` with identifiers")
            }
            return (Expr(.hasAttr(l.expr, name), range: range(from: start)), l.depth + 1)
        }
        guard kind == .ident else { throw unexpected(expected: "an attribute name or string after `has`") }
        let first = bump()
        checkIdentifier(first)
        var attrs = [text(first)]
        while kind == .dot {
            _ = bump()
            guard kind == .ident else { throw unexpected(expected: "an attribute name after `.`") }
            let t = bump()
            checkIdentifier(t)
            attrs.append(text(t))
            // The desugared tree grows with the chain; refuse it before building it.
            try checkDepth(l.depth + attrs.count + 1, from: start)
        }
        let r = range(from: start)
        var target = l.expr
        var result = Expr(.hasAttr(target, attrs[0]), range: r)
        var depth = l.depth + 1
        for k in 1..<attrs.count {
            target = Expr(.getAttr(target, attrs[k - 1]), range: r)
            let test = Expr(.hasAttr(target, attrs[k]), range: r)
            result = Expr(.and(result, test), range: r)
            depth = max(depth, l.depth + k + 1) + 1
        }
        return (result, depth)
    }

    mutating func add() throws -> Parsed {
        let start = tok.startLoc
        var l = try mult()
        while kind == .plus || kind == .minus {
            let op: BinaryOp = bump().kind == .plus ? .add : .sub
            let r = try mult()
            l = (Expr(.binary(op, l.expr, r.expr), range: range(from: start)), max(l.depth, r.depth) + 1)
            try checkDepth(l.depth, from: start)
        }
        return l
    }

    mutating func mult() throws -> Parsed {
        let start = tok.startLoc
        var l = try unary()
        while kind == .star {
            _ = bump()
            let r = try unary()
            l = (Expr(.binary(.mul, l.expr, r.expr), range: range(from: start)), max(l.depth, r.depth) + 1)
            try checkDepth(l.depth, from: start)
        }
        return l
    }

    /// Up to four `!` or four `-`. A `-` directly before an integer literal makes a
    /// negative literal (which is how -9223372036854775808 is written); any further
    /// `-` negate that.
    mutating func unary() throws -> Parsed {
        let start = tok.startLoc
        guard kind == .not || kind == .minus else { return try member() }
        let opKind = kind
        var count = 0
        while kind == opKind { _ = bump(); count += 1 }
        if kind == .not || kind == .minus {
            throw fail("`!` and `-` cannot be mixed without parentheses")
        }
        if count > 4 {
            report("too many `\(opKind == .not ? "!" : "-")` in a row (Cedar allows at most four)", at: range(from: start))
            throw ParseAbort()
        }
        var inner: Parsed
        var remaining = count
        if opKind == .minus, kind == .integer, peekKind(1) != .dot, peekKind(1) != .lbracket {
            let t = bump()
            inner = (Expr(.long(integerValue(t, negated: true)), range: range(from: tokens[i - 2].startLoc)), 1)
            remaining -= 1
        } else {
            inner = try member()
        }
        let op: UnaryOp = opKind == .not ? .not : .neg
        for _ in 0..<remaining {
            inner = (Expr(.unary(op, inner.expr), range: range(from: start)), inner.depth + 1)
        }
        try checkDepth(inner.depth, from: start)
        return inner
    }

    /// The value of an integer token; too large a literal is reported and becomes 0.
    mutating func integerValue(_ t: Token, negated: Bool) -> Int64 {
        var v: UInt64 = 0
        var overflow = false
        for j in t.start..<t.end {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[j] - 0x30))
            if o1 || o2 { overflow = true; break }
            v = a
        }
        let limit: UInt64 = negated ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if overflow || v > limit {
            report("integer literal `\(negated ? "-" : "")\(text(t))` does not fit in 64 bits", at: range(of: t))
            return 0
        }
        if negated { return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v) }
        return Int64(v)
    }

    mutating func member() throws -> Parsed {
        let start = tok.startLoc
        var e = try primary()
        while true {
            if kind == .dot {
                _ = bump()
                guard kind == .ident else { throw unexpected(expected: "an attribute or method name after `.`") }
                let nameTok = bump()
                let name = text(nameTok)
                if kind == .lparen {
                    let args = try argumentList()
                    e = try methodCall(name, nameTok: nameTok, receiver: e, args: args, start: start)
                } else {
                    checkIdentifier(nameTok)
                    e = (Expr(.getAttr(e.expr, name), range: range(from: start)), e.depth + 1)
                }
            } else if kind == .lbracket {
                _ = bump()
                guard kind == .string else {
                    throw fail("only a string literal can appear inside `[…]` after an expression")
                }
                let name = stringValue(bump())
                _ = try expect(.rbracket)
                e = (Expr(.getAttr(e.expr, name), range: range(from: start)), e.depth + 1)
            } else {
                return e
            }
            try checkDepth(e.depth, from: start)
        }
    }

    /// `( [Expr {, Expr}] )`, the opening parenthesis being current.
    mutating func argumentList() throws -> [Parsed] {
        _ = try expect(.lparen)
        var args: [Parsed] = []
        while kind != .rparen {
            args.append(try expr())
            if kind == .comma { _ = bump() } else { break }
        }
        _ = try expect(.rparen, "`)` or `,`")
        return args
    }

    mutating func methodCall(_ name: String, nameTok: Token, receiver: Parsed, args: [Parsed],
                             start: SourceLocation) throws -> Parsed {
        let r = range(from: start)
        let depth = ([receiver] + args).map(\.depth).max()! + 1
        if let (bin, un) = cedarOperatorMethods[name] {
            let want = bin != nil ? 1 : 0
            if args.count != want {
                report("`\(name)` takes exactly \(want) argument\(want == 1 ? "" : "s"), but \(args.count) \(args.count == 1 ? "was" : "were") given",
                       at: range(from: nameTok.startLoc))
                return (Expr(.bool(false), range: r), depth)
            }
            if let bin { return (Expr(.binary(bin, receiver.expr, args[0].expr), range: r), depth) }
            return (Expr(.unary(un!, receiver.expr), range: r), depth)
        }
        if cedarExtensionMethods.contains(name) {
            return (Expr(.call(name, [receiver.expr] + args.map(\.expr)), range: r), depth)
        }
        if cedarExtensionFunctions.contains(name) {
            report("`\(name)` is a function, not a method: write `\(name)(…)`", at: range(of: nameTok))
        } else {
            let methods = Array(cedarExtensionMethods) + Array(cedarOperatorMethods.keys)
            report("`\(name)` is not a Cedar method", at: range(of: nameTok),
                   notes: Suggestions.note(for: name, in: methods.sorted()))
        }
        return (Expr(.bool(false), range: r), depth)
    }

    mutating func primary() throws -> Parsed {
        let start = tok.startLoc
        switch kind {
        case .integer:
            let t = bump()
            return (Expr(.long(integerValue(t, negated: false)), range: range(of: t)), 1)
        case .string:
            let t = bump()
            return (Expr(.string(stringValue(t)), range: range(of: t)), 1)
        case .slot:
            let t = bump()
            let s = text(t)
            if let slot = SlotID(rawValue: s) {
                report("template slot `\(s)` can only appear in the policy scope, not in \(clause)", at: range(of: t))
                return (Expr(.slot(slot), range: range(of: t)), 1)
            }
            report("`\(s)` is not a template slot; the slots are `?principal` and `?resource`", at: range(of: t))
            return (Expr(.bool(false), range: range(of: t)), 1)
        case .lparen:
            _ = bump()
            let e = try expr()
            _ = try expect(.rparen, "`)`")
            return e
        case .lbracket:
            _ = bump()
            var items: [Parsed] = []
            while kind != .rbracket {
                items.append(try expr())
                if kind == .comma { _ = bump() } else { break }
            }
            _ = try expect(.rbracket, "`]` or `,`")
            return (Expr(.set(items.map(\.expr)), range: range(from: start)), (items.map(\.depth).max() ?? 0) + 1)
        case .lbrace:
            return try record()
        case .ident:
            return try identifierPrimary()
        default:
            throw unexpected(expected: "an expression")
        }
    }

    mutating func record() throws -> Parsed {
        let start = bump().startLoc
        var fields: [(String, Expr)] = []
        var seen: Set<String> = []
        var depth = 0
        while kind != .rbrace {
            let keyTok = tok
            let key: String
            if kind == .string {
                key = stringValue(bump())
            } else if kind == .ident {
                checkIdentifier(keyTok)
                key = text(bump())
            } else {
                throw unexpected(expected: "a record key (identifier or string) or `}`")
            }
            _ = try expect(.colon, "`:` after the record key")
            let v = try expr()
            if !seen.insert(key).inserted {
                report("duplicate key `\(key)` in record literal", at: range(of: keyTok))
            }
            fields.append((key, v.expr))
            depth = max(depth, v.depth)
            if kind == .comma { _ = bump() } else { break }
        }
        _ = try expect(.rbrace, "`}` or `,`")
        return (Expr(.record(fields), range: range(from: start)), depth + 1)
    }

    /// Literals `true`/`false`, variables, entity references `A::B::"id"`, and
    /// extension function calls `ip("…")`.
    mutating func identifierPrimary() throws -> Parsed {
        let first = tok
        let start = first.startLoc
        let word = text(first)
        if peekKind(1) != .doubleColon {
            switch word {
            case "true", "false":
                _ = bump()
                return (Expr(.bool(word == "true"), range: range(of: first)), 1)
            case "principal", "action", "resource", "context":
                _ = bump()
                return (Expr(.variable(Variable(rawValue: word)!), range: range(of: first)), 1)
            case "if", "then", "else", "in", "like", "has", "is":
                throw fail("unexpected `\(word)`, expected an expression")
            default:
                break
            }
        }
        _ = bump()
        let name = parsePath(first: first)
        if kind == .doubleColon {
            _ = bump()
            guard kind == .string else { throw unexpected(expected: "a quoted entity id or a name after `::`") }
            let id = stringValue(bump())
            return (Expr(.entity(EntityUID(type: name, id: id)), range: range(from: start)), 1)
        }
        if kind == .lparen {
            let args = try argumentList()
            let r = range(from: start)
            let depth = (args.map(\.depth).max() ?? 0) + 1
            guard name.path.isEmpty, cedarExtensionFunctions.contains(name.basename) else {
                if name.path.isEmpty, cedarExtensionMethods.contains(name.basename) || cedarOperatorMethods[name.basename] != nil {
                    report("`\(name)` is a method, not a function: write `value.\(name)(…)`", at: range(of: first))
                } else {
                    report("`\(name)` is not a Cedar function; the functions are ip, decimal, datetime and duration",
                           at: range(from: start, to: previousEnd),
                           notes: Suggestions.note(for: name.qualified, in: cedarExtensionFunctions.sorted()))
                }
                return (Expr(.bool(false), range: r), depth)
            }
            return (Expr(.call(name.basename, args.map(\.expr)), range: r), depth)
        }
        if name.path.isEmpty {
            report("unknown variable `\(word)`; the variables are principal, action, resource and context",
                   at: range(of: first), notes: Suggestions.note(for: word, in: Variable.allCases.map(\.rawValue)))
            return (Expr(.bool(false), range: range(of: first)), 1)
        }
        throw unexpected(expected: "`::` and a quoted entity id after `\(name)`")
    }
}
