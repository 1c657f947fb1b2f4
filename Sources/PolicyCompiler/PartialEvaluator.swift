// Partial evaluation of one policy for one (principal, action) pair. The result is the
// exact set of requests, as a formula over atoms, for which the policy is satisfied.
// Anything whose meaning cannot be written as such a formula is rejected with a
// diagnostic naming the construct; nothing is approximated.

import CedarSyntax

struct LoweringFailure: Error { var diagnostic: Diagnostic }

struct PartialEvaluator {
    let store: FormulaStore
    let kind: ResourceKind
    let action: String
    let principal: EntityUID

    typealias F = FormulaID
    var T: F { FormulaStore.trueID }
    var FALSE: F { FormulaStore.falseID }

    func reject(_ e: Expr, _ why: String, fixIt: String? = nil, notes: [String] = []) -> LoweringFailure {
        LoweringFailure(diagnostic: Diagnostic(.error, why, at: e.range, fixIt: fixIt, notes: notes))
    }

    // MARK: policy

    /// T of the policy's whole condition: head constraints, then each `when`/`unless`.
    func satisfied(_ p: Policy) throws(LoweringFailure) -> F {
        var acc: SymbolicValue = .bool(t: and(principalMatches(p.principal), actionMatches(p.action)), e: FALSE)
        acc = andValues(acc, .bool(t: try resourceMatches(p.resource, range: p.resourceRange), e: FALSE))
        for c in p.conditions {
            if acc.concreteBool == false { break }
            var v = try eval(c.body)
            if c.kind == .unless { v = notValue(v) }
            acc = andValues(acc, v)
        }
        guard case .bool(let t, _) = acc else { return FALSE }
        return t
    }

    func and(_ a: F, _ b: F) -> F { store.and(a, b) }
    func or(_ a: F, _ b: F) -> F { store.or(a, b) }
    func not(_ a: F) -> F { store.not(a) }

    func principalMatches(_ c: ScopeConstraint) -> F {
        switch c {
        case .any: return T
        case .eq(.entity(let u)), .in(.entity(let u)): return store.const(u == principal)
        case .is(let n): return store.const(n == principal.type)
        case .isIn(let n, .entity(let u)): return store.const(n == principal.type && u == principal)
        default: return FALSE
        }
    }

    func actionUID(_ name: String) -> EntityUID { EntityUID(type: Name(basename: "Action"), id: name) }

    func actionIn(_ u: EntityUID) -> Bool {
        guard u.type == Name(basename: "Action") else { return false }
        return u.id == action || Vocabulary.ancestors(ofAction: action).contains(u.id)
    }

    func actionMatches(_ c: ActionConstraint) -> F {
        switch c {
        case .any: return T
        case .eq(let u): return store.const(u == actionUID(action))
        case .in(let u): return store.const(actionIn(u))
        case .inSet(let us): return store.const(us.contains(where: actionIn))
        case .is(let n): return store.const(n == Name(basename: "Action"))
        case .isIn(let n, let us): return store.const(n == Name(basename: "Action") && us.contains(where: actionIn))
        }
    }

    func resourceMatches(_ c: ScopeConstraint, range: SourceRange) throws(LoweringFailure) -> F {
        switch c {
        case .any: return T
        case .eq(.entity(let u)): return resourceEquals(u)
        case .in(.entity(let u)): return resourceIn(u)
        case .is(let n): return store.const(n.qualified == kind.entityType)
        case .isIn(let n, .entity(let u)): return n.qualified == kind.entityType ? resourceIn(u) : FALSE
        default:
            throw LoweringFailure(diagnostic: Diagnostic(.error, "templates (policies with ?resource or ?principal slots) are not supported by the compiler", at: range))
        }
    }

    // MARK: resource identity and hierarchy (mirrors OperationRequest.cedarAncestors)

    func str(_ d: StringDim, _ s: String) -> F { store.atom(.string(d, GlobPattern(literal: s))) }
    func strPattern(_ d: StringDim, _ p: GlobPattern) -> F {
        // `**` means the same as `*`; one spelling keeps equal patterns one atom.
        var e: [Unicode.Scalar?] = []
        for x in p.elements where !(x == nil && !e.isEmpty && e.last! == nil) { e.append(x) }
        return store.atom(.string(d, GlobPattern(e)))
    }
    func portEq(_ p: Int) -> F { (0...65535).contains(p) ? store.atom(.port(p, p)) : FALSE }
    func ipEq(_ n: IPNet) -> F { n.isHost ? store.atom(.ipIn(n)) : FALSE }

    /// `File::"p"` is the file at p; `Dir::"d"` is the directory d (with or without its
    /// trailing slash); the ancestors of a file are its directories.
    func resourceEquals(_ u: EntityUID) -> F {
        switch kind {
        case .file:
            return u.type.qualified == "File" ? str(.path, u.id) : FALSE
        case .host:
            guard u.type.qualified == "Host", let (h, p) = Self.splitHostPort(u.id) else { return FALSE }
            return and(str(.host, h), portEq(p))
        case .mcp:
            return u.type.qualified == "MCP::Tool" ? str(.mcpTool, u.id) : FALSE
        }
    }

    func resourceIn(_ u: EntityUID) -> F {
        let eq = resourceEquals(u)
        switch kind {
        case .file:
            guard u.type.qualified == "Dir", !u.id.isEmpty else { return eq }
            let d = u.id.hasSuffix("/") ? u.id : u.id + "/"
            var pattern = GlobPattern(literal: d); pattern.elements.append(nil)
            return or(eq, and(strPattern(.path, pattern), not(str(.path, d))))
        case .host:
            guard u.type.qualified == "Host" else { return eq }
            var parts = [eq, str(.host, u.id)]
            if u.id.hasPrefix("*."), u.id.count > 2 {
                let suffix = String(u.id.dropFirst(1))  // ".s"
                var pattern = GlobPattern(literal: suffix); pattern.elements.insert(nil, at: 0)
                parts.append(and(strPattern(.host, pattern), not(str(.host, suffix))))
            }
            if let n = IPNet(parsing: u.id), n.isHost, n.canonicalText == u.id { parts.append(ipEq(n)) }
            if let (h, p) = Self.splitHostPort(u.id), let n = IPNet(parsing: h), n.isHost, n.canonicalText == h {
                parts.append(and(ipEq(n), portEq(p)))
            }
            return store.or(parts)
        case .mcp:
            if u.type.qualified == "MCP::Server" { return str(.mcpServer, u.id) }
            return eq
        }
    }

    /// Inverse of OperationRequest.hostPortID: `[v6]:port` or `host:port` with a host
    /// that has no ':' and a port in canonical decimal.
    static func splitHostPort(_ id: String) -> (String, Int)? {
        guard let colon = id.lastIndex(of: ":") else { return nil }
        var host = String(id[..<colon])
        let portText = id[id.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              !(portText.count > 1 && portText.first == "0"), let port = Int(portText), port <= 65535 else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count >= 2 else { return nil }
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") else { return nil }
        } else if host.contains(":") {
            return nil
        }
        return (host, port)
    }

    // MARK: boolean connectives with Cedar's error order

    func asBool(_ v: SymbolicValue) -> (t: F, e: F) {
        if case .bool(let t, let e) = v { return (t, e) }
        return (FALSE, T)  // a non-boolean operand is a type error where it is evaluated
    }

    func andValues(_ a: SymbolicValue, _ b: SymbolicValue) -> SymbolicValue {
        let (ta, ea) = asBool(a), (tb, eb) = asBool(b)
        return .bool(t: and(ta, tb), e: or(ea, and(ta, eb)))
    }

    func orValues(_ a: SymbolicValue, _ b: SymbolicValue) -> SymbolicValue {
        let (ta, ea) = asBool(a), (tb, eb) = asBool(b)
        // When a cannot error, "a false" is just !a, and a || (!a && b) is a || b.
        if ea == FALSE { return .bool(t: or(ta, tb), e: and(not(ta), eb)) }
        let fa = and(not(ta), not(ea))
        return .bool(t: or(ta, and(fa, tb)), e: or(ea, and(fa, eb)))
    }

    func notValue(_ a: SymbolicValue) -> SymbolicValue {
        let (t, e) = asBool(a)
        return .bool(t: and(not(t), not(e)), e: e)
    }

    // MARK: expressions

    func eval(_ e: Expr) throws(LoweringFailure) -> SymbolicValue {
        switch e.kind {
        case .bool(let b): return .bool(t: store.const(b), e: FALSE)
        case .long(let n): return .long(n)
        case .string(let s): return .string(s)
        case .entity(let u):
            if u.type == Name(basename: "Action"), let why = Vocabulary.rejectedActions[u.id] { throw reject(e, why) }
            return .entity(u)
        case .variable(.principal): return .entity(principal)
        case .variable(.action): return .entity(actionUID(action))
        case .variable(.resource): return .resource
        case .variable(.context): return .context
        case .slot: throw reject(e, "templates (policies with ?resource or ?principal slots) are not supported by the compiler")
        case .and(let a, let b):
            let va = try eval(a)
            if va.concreteBool == false { return va }
            if case .bool = va {} else { return .bool(t: FALSE, e: T) }
            return andValues(va, try eval(b))
        case .or(let a, let b):
            let va = try eval(a)
            if va.concreteBool == true { return va }
            if case .bool = va {} else { return .bool(t: FALSE, e: T) }
            return orValues(va, try eval(b))
        case .unary(.not, let a): return notValue(try eval(a))
        case .unary(.neg, let a):
            let v = try eval(a)
            if case .long(let n) = v { return n == Int64.min ? .error : .long(-n) }
            if v.isConcrete || isError(v) { return .error }
            throw reject(e, "arithmetic on request attributes cannot be lowered to kernel tables")
        case .unary(.isEmpty, let a):
            let v = try eval(a)
            if case .set(let xs) = v { return .bool(t: store.const(xs.isEmpty), e: FALSE) }
            return .error  // only sets have isEmpty(); no request attribute is a set
        case .ifThenElse(let c, let x, let y):
            let vc = try eval(c)
            if let b = vc.concreteBool { return try eval(b ? x : y) }
            guard case .bool(let tc, let ec) = vc else { return .error }
            var vx = try eval(x), vy = try eval(y)
            // An erroring branch is an error whatever the consumer, so it can stand as a
            // boolean that is always an error.
            if isError(vx) { vx = .bool(t: FALSE, e: T) }
            if isError(vy) { vy = .bool(t: FALSE, e: T) }
            guard case .bool = vx, case .bool = vy else {
                throw reject(e, "an `if` whose condition depends on the request must have boolean branches to be lowered")
            }
            let (tx, ex) = asBool(vx), (ty, ey) = asBool(vy)
            let fc = and(not(tc), not(ec))
            return .bool(t: or(and(tc, tx), and(fc, ty)), e: store.or([ec, and(tc, ex), and(fc, ey)]))
        case .binary(let op, let a, let b): return try binary(e, op, a, b)
        case .getAttr(let a, let name): return try getAttr(e, try eval(a), name)
        case .hasAttr(let a, let name):
            let v = try eval(a)
            switch v {
            case .resource: return .bool(t: store.const(kind.attributes[name] != nil), e: FALSE)
            case .context:
                // Every flag a policy names is in every request's context (off unless set).
                _ = store.atomID(.flag(name))
                return .bool(t: T, e: FALSE)
            case .record(let r): return .bool(t: store.const(r[name] != nil), e: FALSE)
            case .entity: return .bool(t: FALSE, e: FALSE)  // no entity but the resource has attributes
            case .error: return .error
            case .attribute, .bool, .long, .string, .ip, .set: return .error
            }
        case .like(let a, let pattern):
            let v = try eval(a)
            let glob = GlobPattern(pattern.elements.map { if case .char(let c) = $0 { return c } else { return nil } })
            switch v {
            case .string(let s): return .bool(t: store.const(glob.matches(s)), e: FALSE)
            case .attribute(let n, .string): return .bool(t: stringAtom(n, glob), e: FALSE)
            case .error: return .error
            default:
                if v.isConcrete || isKnownNonString(v) { return .error }
                throw reject(e, "`like` on this value cannot be lowered")
            }
        case .isType(let a, let n, let inExpr):
            let v = try eval(a)
            var t: F
            switch v {
            case .resource: t = store.const(n.qualified == kind.entityType)
            case .entity(let u): t = store.const(u.type == n)
            case .error: return .error
            default: return .error
            }
            if let inExpr {
                let r = try binaryIn(inExpr, v, try eval(inExpr))
                return andValues(.bool(t: t, e: FALSE), r)
            }
            return .bool(t: t, e: FALSE)
        case .set(let xs):
            var out: [SymbolicValue] = []
            for x in xs {
                let v = try eval(x)
                if isError(v) { return .error }
                if case .bool(_, let err) = v, err != FALSE {
                    throw reject(x, "a set element that is an error for some requests cannot be lowered")
                }
                out.append(v)
            }
            return .set(out)
        case .record(let kv):
            var out: [String: SymbolicValue] = [:]
            for (k, x) in kv {
                let v = try eval(x)
                if isError(v) { return .error }
                out[k] = v
            }
            return .record(out)
        case .call(let name, let args): return try call(e, name, args)
        }
    }

    func isError(_ v: SymbolicValue) -> Bool { if case .error = v { return true }; return false }
    func isKnownNonString(_ v: SymbolicValue) -> Bool {
        switch v {
        case .attribute(_, let t): return t != .string
        case .resource, .context: return true
        case .bool: return true
        default: return false
        }
    }

    func stringAtom(_ attr: String, _ p: GlobPattern) -> F {
        switch attr {
        case "path": return strPattern(.path, p)
        case "domain": return strPattern(.host, p)
        case "server": return strPattern(.mcpServer, p)
        case "tool": return strPattern(.mcpTool, p)
        case "protocol": return store.or(Vocabulary.protocols.filter { p.matches($0) }.map { store.atom(.proto($0)) })
        default: return FALSE
        }
    }

    func getAttr(_ e: Expr, _ v: SymbolicValue, _ name: String) throws(LoweringFailure) -> SymbolicValue {
        switch v {
        case .resource:
            guard let t = kind.attributes[name] else { return .error }
            return .attribute(name, t)
        case .context: return .bool(t: store.atom(.flag(name)), e: FALSE)
        case .record(let r): return r[name] ?? .error
        case .entity: return .error  // principal and action entities carry no attributes
        default: return .error
        }
    }

    // MARK: binary operators

    func binary(_ e: Expr, _ op: BinaryOp, _ a: Expr, _ b: Expr) throws(LoweringFailure) -> SymbolicValue {
        if op == .contains, case .getAttr(let base, let attr) = a.kind, case .variable(.resource) = base.kind,
           case .string(let s) = b.kind, kind.attributes[attr] == .string || ["path", "domain"].contains(attr) {
            throw seedSpelling(e, attr: attr, method: "contains", argument: s)
        }
        let va = try eval(a), vb = try eval(b)
        if isError(va) || isError(vb) { return .error }
        switch op {
        case .eq: return try equal(e, va, vb)
        case .neq:
            let r = try equal(e, va, vb)
            return notValue(r)
        case .lt, .le, .gt, .ge: return try compare(e, op, va, vb)
        case .in: return try binaryIn(e, va, vb)
        case .add, .sub, .mul:
            guard case .long(let x) = va, case .long(let y) = vb else {
                if va.isConcrete && vb.isConcrete { return .error }
                if case .attribute(_, .long) = va { throw reject(e, "arithmetic on request attributes cannot be lowered to kernel tables") }
                if case .attribute(_, .long) = vb { throw reject(e, "arithmetic on request attributes cannot be lowered to kernel tables") }
                return .error
            }
            let r: (Int64, Bool)
            switch op {
            case .add: r = x.addingReportingOverflow(y)
            case .sub: r = x.subtractingReportingOverflow(y)
            default: r = x.multipliedReportingOverflow(by: y)
            }
            return r.1 ? .error : .long(r.0)
        case .contains, .containsAll, .containsAny:
            guard case .set(let xs) = va else {
                if va.isConcrete { return .error }
                throw reject(e, "`\(op.rawValue)` on a request attribute cannot be lowered")
            }
            if op == .contains { return try anyEqual(e, xs, vb) }
            guard case .set(let ys) = vb else {
                if vb.isConcrete { return .error }
                throw reject(e, "`\(op.rawValue)` with a request attribute cannot be lowered")
            }
            if op == .containsAll {
                var acc: SymbolicValue = .bool(t: T, e: FALSE)
                for y in ys { acc = andValues(acc, try anyEqual(e, xs, y)) }
                return acc
            }
            var acc: SymbolicValue = .bool(t: FALSE, e: FALSE)
            for y in ys { acc = orValues(acc, try anyEqual(e, xs, y)) }
            return acc
        case .getTag, .hasTag:
            if case .resource = va { throw reject(e, "entity tags are not part of the leash vocabulary") }
            return op == .hasTag && va.isConcrete ? .bool(t: FALSE, e: FALSE) : .error
        }
    }

    func anyEqual(_ e: Expr, _ xs: [SymbolicValue], _ y: SymbolicValue) throws(LoweringFailure) -> SymbolicValue {
        var acc: SymbolicValue = .bool(t: FALSE, e: FALSE)
        for x in xs { acc = orValues(acc, try equal(e, x, y)) }
        return acc
    }

    func equal(_ e: Expr, _ a: SymbolicValue, _ b: SymbolicValue) throws(LoweringFailure) -> SymbolicValue {
        if a.isConcrete && b.isConcrete { return .bool(t: store.const(SymbolicValue.concreteEqual(a, b)), e: FALSE) }
        switch (a, b) {
        case (.attribute, .attribute), (.resource, .attribute), (.attribute, .resource):
            throw reject(e, "comparing two request attributes cannot be lowered to kernel tables")
        case (.attribute(let n, let t), _): return .bool(t: attributeEquals(n, t, b), e: FALSE)
        case (_, .attribute(let n, let t)): return .bool(t: attributeEquals(n, t, a), e: FALSE)
        case (.resource, .entity(let u)), (.entity(let u), .resource): return .bool(t: resourceEquals(u), e: FALSE)
        case (.resource, .resource): return .bool(t: T, e: FALSE)
        case (.resource, _), (_, .resource): return .bool(t: FALSE, e: FALSE)
        case (.bool(let t1, let e1), .bool(let t2, let e2)):
            let err = or(e1, e2)
            let f1 = and(not(t1), not(e1)), f2 = and(not(t2), not(e2))
            return .bool(t: and(not(err), or(and(t1, t2), and(f1, f2))), e: err)
        case (.bool(_, let e1), _) where b.isConcrete: return .bool(t: FALSE, e: e1)
        case (_, .bool(_, let e2)) where a.isConcrete: return .bool(t: FALSE, e: e2)
        default:
            throw reject(e, "this comparison cannot be lowered to kernel tables")
        }
    }

    func attributeEquals(_ name: String, _ type: AttributeType, _ v: SymbolicValue) -> F {
        switch (type, v) {
        case (.string, .string(let s)): return stringAtom(name, GlobPattern(literal: s))
        case (.long, .long(let n)): return (0...65535).contains(n) ? portEq(Int(n)) : FALSE
        case (.ip, .ip(let n)): return ipEq(n)
        default: return FALSE
        }
    }

    func compare(_ e: Expr, _ op: BinaryOp, _ a: SymbolicValue, _ b: SymbolicValue) throws(LoweringFailure) -> SymbolicValue {
        switch (a, b) {
        case let (.long(x), .long(y)):
            let r: Bool
            switch op { case .lt: r = x < y; case .le: r = x <= y; case .gt: r = x > y; default: r = x >= y }
            return .bool(t: store.const(r), e: FALSE)
        case (.attribute(_, .long), .long(let y)): return .bool(t: portRange(op, y), e: FALSE)
        case (.long(let x), .attribute(_, .long)):
            let flipped: BinaryOp = op == .lt ? .gt : op == .le ? .ge : op == .gt ? .lt : .le
            return .bool(t: portRange(flipped, x), e: FALSE)
        case (.attribute(_, .long), .attribute(_, .long)):
            throw reject(e, "comparing two request attributes cannot be lowered to kernel tables")
        case (.bool(_, let e1), _) where !a.isConcrete:
            if case .long = b { return .bool(t: FALSE, e: T) }
            return .bool(t: FALSE, e: or(e1, T))
        default:
            if (a.isConcrete || isKnownLongOrNot(a)) && (b.isConcrete || isKnownLongOrNot(b)) { return .error }
            throw reject(e, "this comparison cannot be lowered to kernel tables")
        }
    }

    func isKnownLongOrNot(_ v: SymbolicValue) -> Bool {
        switch v {
        case .attribute, .resource, .context: return true
        default: return false
        }
    }

    /// The port condition `port op n` as an interval.
    func portRange(_ op: BinaryOp, _ n: Int64) -> F {
        var lo: Int64 = 0, hi: Int64 = 65535
        switch op {
        case .lt: hi = min(hi, n - 1)
        case .le: hi = min(hi, n)
        case .gt: lo = max(lo, n + 1)
        default: lo = max(lo, n)
        }
        return lo > hi ? FALSE : store.atom(.port(Int(lo), Int(hi)))
    }

    func binaryIn(_ e: Expr, _ a: SymbolicValue, _ b: SymbolicValue) throws(LoweringFailure) -> SymbolicValue {
        func inOne(_ target: SymbolicValue) -> F? {
            guard case .entity(let u) = target else { return nil }
            switch a {
            case .resource: return resourceIn(u)
            case .entity(let x):
                if x.type == Name(basename: "Action") && x.id == action { return store.const(actionIn(u)) }
                if x.type == Name(basename: "Action"), Vocabulary.isKnownAction(x.id), u.type == x.type {
                    return store.const(x == u || Vocabulary.ancestors(ofAction: x.id).contains(u.id))
                }
                return store.const(x == u)
            default: return nil
            }
        }
        switch a {
        case .resource, .entity: break
        default:
            if a.isConcrete || isKnownLongOrNot(a) { return .error }
            throw reject(e, "`in` on this value cannot be lowered")
        }
        if case .set(let xs) = b {
            var parts: [F] = []
            for x in xs {
                guard let f = inOne(x) else { return .error }
                parts.append(f)
            }
            return .bool(t: store.or(parts), e: FALSE)
        }
        guard let f = inOne(b) else { return .error }
        return .bool(t: f, e: FALSE)
    }

    // MARK: extension functions

    func call(_ e: Expr, _ name: String, _ args: [Expr]) throws(LoweringFailure) -> SymbolicValue {
        if name == "endsWith" || name == "startsWith", args.count == 2,
           case .getAttr(let base, let attr) = args[0].kind, case .variable(.resource) = base.kind,
           case .string(let s) = args[1].kind {
            throw seedSpelling(e, attr: attr, method: name, argument: s)
        }
        var vs: [SymbolicValue] = []
        for a in args {
            let v = try eval(a)
            if isError(v) { return .error }
            vs.append(v)
        }
        switch (name, vs.count) {
        case ("ip", 1):
            guard case .string(let s) = vs[0] else { return .error }
            return IPNet(parsing: s).map { .ip($0) } ?? .error
        case ("isIpv4", 1), ("isIpv6", 1), ("isLoopback", 1), ("isMulticast", 1):
            switch vs[0] {
            case .ip(let n):
                let r: Bool
                switch name {
                case "isIpv4": r = !n.isV6
                case "isIpv6": r = n.isV6
                case "isLoopback": r = n.isIn(n.isV6 ? .loopbackV6 : .loopbackV4)
                default: r = n.isIn(n.isV6 ? .multicastV6 : .multicastV4)
                }
                return .bool(t: store.const(r), e: FALSE)
            case .attribute(_, .ip):
                let v6 = store.atom(.ipFamilyV6)
                switch name {
                case "isIpv4": return .bool(t: not(v6), e: FALSE)
                case "isIpv6": return .bool(t: v6, e: FALSE)
                case "isLoopback": return .bool(t: or(store.atom(.ipIn(.loopbackV4)), store.atom(.ipIn(.loopbackV6))), e: FALSE)
                default: return .bool(t: or(store.atom(.ipIn(.multicastV4)), store.atom(.ipIn(.multicastV6))), e: FALSE)
                }
            default: return .error
            }
        case ("isInRange", 2):
            switch (vs[0], vs[1]) {
            case let (.ip(x), .ip(y)): return .bool(t: store.const(x.isIn(y)), e: FALSE)
            case (.attribute(_, .ip), .ip(let r)): return .bool(t: store.atom(.ipIn(r.network)), e: FALSE)
            case (.ip(let x), .attribute(_, .ip)): return .bool(t: ipEq(x), e: FALSE)
            case (.attribute(_, .ip), .attribute(_, .ip)):
                throw reject(e, "comparing two request attributes cannot be lowered to kernel tables")
            default: return .error
            }
        default:
            if vs.allSatisfy(\.isConcrete) {
                throw reject(e, "the extension function `\(name)` is not part of the lowerable fragment")
            }
            throw reject(e, "`\(name)` on request attributes cannot be lowered to kernel tables")
        }
    }

    // MARK: seed spellings

    /// `resource.domain.endsWith(".x")` and `resource.path.contains("/.ssh/")` are not
    /// Cedar (strings have no such methods, so Cedar would make the policy error and
    /// never apply). Say so, and give the `like` that means what was intended.
    func seedSpelling(_ e: Expr, attr: String, method: String, argument: String) -> LoweringFailure {
        let escaped = Self.likeEscaped(argument)
        let pattern: String
        switch method {
        case "endsWith": pattern = "*" + escaped
        case "startsWith": pattern = escaped + "*"
        default: pattern = "*" + escaped + "*"
        }
        let rewrite = "resource.\(attr) like \"\(pattern)\""
        return reject(e, "`\(method)` is not a Cedar string method; write `\(rewrite)`", fixIt: rewrite,
                      notes: ["help: Cedar matches strings with `like`, where `*` is any sequence of characters"])
    }

    /// Escapes a string for use inside a `like` pattern literal.
    static func likeEscaped(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "*": out += "\\*"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
