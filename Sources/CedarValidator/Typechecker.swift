// Cedar's strict type checker for one request environment (one principal type, one
// action, one resource type). It follows the reference validator's rules: singleton
// boolean types short-circuit `&&`, `||` and `if`; `has` earns a capability that makes
// a later access to an optional attribute (or a tag) safe; strict mode refuses least
// upper bounds between different entity types or differently shaped records.

import CedarSyntax

struct TypeError: Error {
    var message: String
    var range: SourceRange
    /// Reported elsewhere (an unknown entity type or action is found by the scope
    /// checks), so the type checker only stops here without repeating it.
    var silent = false
}

struct Capability: Hashable {
    enum Key: Hashable { case attr(String), tag(Expr) }
    var expr: Expr
    var key: Key
}

typealias Capabilities = Set<Capability>

struct Typechecker {
    let schema: Schema
    let env: Schema.RequestEnv

    typealias Result = (type: VType, caps: Capabilities)

    func fail(_ e: Expr, _ message: String) -> TypeError { TypeError(message: message, range: e.range) }

    /// Checks `e` and requires its type to be a (non-strict) subtype of one of `expected`.
    func expect(_ e: Expr, _ prior: Capabilities, _ expected: [VType], what: String) throws -> Result {
        let r = try check(e, prior)
        guard expected.contains(where: { VType.isSubtype(r.type, $0, strict: false) }) else {
            throw fail(e, "unexpected type: expected \(what) but saw \(r.type)")
        }
        return r
    }

    func expectBool(_ e: Expr, _ prior: Capabilities) throws -> Result {
        try expect(e, prior, [.bool], what: "Bool")
    }

    /// The literal an expression denotes, with `action` replaced by the request's action
    /// and `-5` folded into a literal as Cedar's parser does.
    func literal(_ e: Expr) -> Expr.Kind? {
        switch e.kind {
        case .bool, .long, .string, .entity: return e.kind
        case .variable(.action): return .entity(env.action)
        case .unary(.neg, let x):
            if case .long(let n) = x.kind { return n == Int64.min ? nil : .long(-n) }
            return nil
        default: return nil
        }
    }

    func entityUID(_ e: Expr) -> EntityUID? {
        if case .entity(let u)? = literal(e) { return u }
        return nil
    }

    func check(_ e: Expr, _ prior: Capabilities) throws -> Result {
        switch e.kind {
        case .bool(let b): return (b ? .tt : .ff, [])
        case .long: return (.long, [])
        case .string: return (.string, [])
        case .entity(let uid):
            if uid.type.isAction {
                guard schema.actions[uid] != nil else { throw TypeError(message: "unrecognized action `\(uid)`", range: e.range, silent: true) }
                return (.actionEntity(uid.type), [])
            }
            guard schema.entityTypes[uid.type] != nil else {
                throw TypeError(message: "unrecognized entity type `\(uid.type)`", range: e.range, silent: true)
            }
            return (.entity(uid.type), [])
        case .variable(let v):
            switch v {
            case .principal: return (.entity(env.principal), [])
            case .action: return (.actionEntity(env.action.type), [])
            case .resource: return (.entity(env.resource), [])
            case .context: return (VType(env.context), [])
            }
        case .slot(let s):
            let t = s == .principal ? env.principalSlot : env.resourceSlot
            return (t.map { VType.entity($0) } ?? .anyEntity, [])
        case .ifThenElse(let c, let t, let f):
            let (tc, cc) = try expectBool(c, prior)
            switch tc {
            case .tt:
                let (tt, ct) = try check(t, prior.union(cc))
                return (tt, ct.union(cc))
            case .ff:
                return try check(f, prior)
            default:
                let (tt, ct) = try check(t, prior.union(cc))
                let (tf, cf) = try check(f, prior)
                guard let l = VType.lub(tt, tf) else {
                    throw fail(e, "the types \(tt) and \(tf) are not compatible: the branches of an `if` must have compatible types")
                }
                return (l, ct.union(cc).intersection(cf))
            }
        case .and(let a, let b):
            let (ta, ca) = try expectBool(a, prior)
            if ta == .ff { return (.ff, []) }
            let (tb, cb) = try expectBool(b, prior.union(ca))
            if tb == .ff { return (.ff, []) }
            if tb == .tt { return (ta, ca.union(cb)) }
            if ta == .tt { return (tb, cb) }
            return (.bool, ca.union(cb))
        case .or(let a, let b):
            let (ta, ca) = try expectBool(a, prior)
            if ta == .tt { return (.tt, ca) }
            let (tb, cb) = try expectBool(b, prior)
            if tb == .tt { return (.tt, cb) }
            if tb == .ff { return (ta, ca) }
            if ta == .ff { return (tb, cb) }
            return (.bool, ca.intersection(cb))
        case .unary(let op, let x):
            switch op {
            case .not:
                let (t, _) = try expectBool(x, prior)
                return (t == .tt ? .ff : t == .ff ? .tt : .bool, [])
            case .neg:
                _ = try expect(x, prior, [.long], what: "Long")
                return (.long, [])
            case .isEmpty:
                _ = try expect(x, prior, [.set(nil)], what: "a set")
                return (.bool, [])
            }
        case .binary(let op, let a, let b):
            return try checkBinary(e, op, a, b, prior)
        case .getAttr(let x, let attr):
            let (t, _) = try expect(x, prior, [.anyEntity, .anyRecord], what: "an entity or a record")
            guard let at = lookupAttribute(t, attr) else {
                throw fail(e, "attribute `\(attr)` \(describeOwner(t, x)) not found")
            }
            if at.required || prior.contains(Capability(expr: x, key: .attr(attr))) { return (at.type, []) }
            throw fail(e, "unable to guarantee safety of access to optional attribute `\(attr)` \(describeOwner(t, x))")
        case .hasAttr(let x, let attr):
            let (t, _) = try expect(x, prior, [.anyEntity, .anyRecord], what: "an entity or a record")
            let cap = Capability(expr: x, key: .attr(attr))
            if let at = lookupAttribute(t, attr) {
                let isRecord: Bool
                if case .record = t { isRecord = true } else { isRecord = false }
                let known = prior.contains(cap) || (at.required && isRecord)
                return (known ? .tt : .bool, [cap])
            }
            return (mayHaveAttribute(t, attr) ? .bool : .ff, [])
        case .like(let x, _):
            _ = try expect(x, prior, [.string], what: "String")
            return (.bool, [])
        case .isType(let x, let name, let inExpr):
            let (t, _) = try expect(x, prior, [.anyEntity], what: "an entity")
            let isType: VType
            switch t {
            case .entity(let lub):
                isType = !lub.contains(name) ? .ff : (lub == [name] ? .tt : .bool)
            case .actionEntity(let n):
                isType = n == name ? .tt : .ff
            default:
                isType = .bool
            }
            guard let inExpr else { return (isType, []) }
            // `x is T in y` means `x is T && x in y`.
            if isType == .ff { return (.ff, []) }
            let (ti, _) = try checkIn(e, x, inExpr, prior)
            if ti == .ff { return (.ff, []) }
            if ti == .tt { return (isType, []) }
            return (.bool, [])
        case .set(let xs):
            var types: [VType] = []
            for x in xs { types.append(try check(x, prior).type) }
            if xs.isEmpty { throw fail(e, "empty set literals are forbidden in policies") }
            var l = VType.never
            for t in types {
                guard let n = VType.lub(l, t) else {
                    throw fail(e, "the types \(l) and \(t) are not compatible: the elements of a set must have compatible types")
                }
                l = n
            }
            return (.set(l), [])
        case .record(let kvs):
            var attrs: [String: AttrType] = [:]
            for (k, v) in kvs { attrs[k] = AttrType(type: try check(v, prior).type, required: true) }
            return (.record(attrs, open: false), [])
        case .call(let name, let args):
            return try checkCall(e, name, args, prior)
        }
    }

    func describeOwner(_ t: VType, _ x: Expr) -> String {
        switch t {
        case .entity, .actionEntity: return "on entity type `\(t)`"
        default:
            if case .variable(.context) = x.kind { return "in context for \(env.action)" }
            return "in record type `\(t)`"
        }
    }

    func lookupAttribute(_ t: VType, _ attr: String) -> AttrType? {
        switch t {
        case .record(let attrs, _): return attrs[attr]
        case .entity(let lub):
            // Strict validation never forms unions; a union keeps only shared attributes.
            let per = lub.map { n in schema.entityTypes[n].map { VType($0.attributes) } }
            guard per.count == 1, case .record(let attrs, _)?? = per.first else { return nil }
            return attrs[attr]
        default: return nil
        }
    }

    func mayHaveAttribute(_ t: VType, _ attr: String) -> Bool {
        switch t {
        case .never, .anyEntity: return true
        case .record(let attrs, let open): return open || attrs[attr] != nil
        case .entity(let lub):
            return lub.contains { n in schema.entityTypes[n].map { $0.attributes.attributes[attr] != nil } ?? true }
        default: return false
        }
    }

    func tagTypes(_ t: VType) -> [VType] {
        switch t {
        case .entity(let lub): return lub.sorted().compactMap { schema.entityTypes[$0]?.tags.map(VType.init) }
        case .anyEntity: return schema.sortedEntityTypeNames.compactMap { schema.entityTypes[$0]!.tags.map(VType.init) }
        default: return []
        }
    }

    func checkBinary(_ e: Expr, _ op: BinaryOp, _ a: Expr, _ b: Expr, _ prior: Capabilities) throws -> Result {
        switch op {
        case .eq, .neq:
            let (ta, _) = try check(a, prior)
            let (tb, _) = try check(b, prior)
            var t: VType
            if VType.areDisjoint(ta, tb) {
                t = .ff
            } else if let la = literal(a), let lb = literal(b) {
                t = la == lb ? .tt : .ff
            } else {
                t = .bool
            }
            if t == .bool && VType.lub(ta, tb) == nil {
                throw fail(e, "the types \(ta) and \(tb) are not compatible: `\(op.rawValue)` compares values of compatible types only")
            }
            if op == .neq { t = t == .tt ? .ff : t == .ff ? .tt : .bool }
            return (t, [])
        case .lt, .le, .gt, .ge:
            let (ta, _) = try check(a, prior)
            let (tb, _) = try check(b, prior)
            let valid: (VType) -> Bool = { $0 == .long || ExtensionSignatures.comparable.contains($0) }
            if ta == tb && valid(ta) { return (.bool, []) }
            if ta == .never && valid(tb) || tb == .never && valid(ta) { return (.bool, []) }
            let bad = valid(ta) ? (b, tb, "\(ta)") : valid(tb) ? (a, ta, "\(tb)") : (a, ta, "datetime, or duration, or Long")
            throw fail(bad.0, "unexpected type: expected \(bad.2) but saw \(bad.1)")
        case .add, .sub, .mul:
            _ = try expect(a, prior, [.long], what: "Long")
            _ = try expect(b, prior, [.long], what: "Long")
            return (.long, [])
        case .in:
            return try checkIn(e, a, b, prior)
        case .contains:
            let (ta, _) = try expect(a, prior, [.set(nil)], what: "a set")
            let (tb, _) = try check(b, prior)
            if case .set(.some(let elem)) = ta, VType.lub(elem, tb) == nil {
                throw fail(e, "the types \(elem) and \(tb) are not compatible: `contains` needs an element of the set's type")
            }
            return (.bool, [])
        case .containsAll, .containsAny:
            let (ta, _) = try expect(a, prior, [.set(nil)], what: "a set")
            let (tb, _) = try expect(b, prior, [.set(nil)], what: "a set")
            if VType.lub(ta, tb) == nil {
                throw fail(e, "the types \(ta) and \(tb) are not compatible: `\(op.rawValue)` needs sets of the same type")
            }
            return (.bool, [])
        case .hasTag:
            let (ta, _) = try expect(a, prior, [.anyEntity], what: "an entity")
            _ = try expect(b, prior, [.string], what: "String")
            let cap = Capability(expr: a, key: .tag(b))
            let t: VType = tagTypes(ta).isEmpty ? .ff : (prior.contains(cap) ? .tt : .bool)
            return (t, [cap])
        case .getTag:
            let (ta, _) = try expect(a, prior, [.anyEntity], what: "an entity")
            _ = try expect(b, prior, [.string], what: "String")
            guard prior.contains(Capability(expr: a, key: .tag(b))) else {
                throw fail(e, "unable to guarantee safety of access to a tag of entity type `\(ta)`: guard it with `hasTag`")
            }
            let tags = tagTypes(ta)
            guard !tags.isEmpty else { throw fail(e, "entity type `\(ta)` has no tags") }
            var l = VType.never
            for t in tags {
                guard let n = VType.lub(l, t) else { throw fail(e, "the tag types \(l) and \(t) are not compatible") }
                l = n
            }
            return (l, [])
        }
    }

    func checkIn(_ e: Expr, _ a: Expr, _ b: Expr, _ prior: Capabilities) throws -> Result {
        let (ta, _) = try expect(a, prior, [.anyEntity], what: "an entity")
        let (tb, _) = try expect(b, prior, [.set(.anyEntity), .anyEntity], what: "an entity or a set of entities")
        // An action literal (or `action`) in action literals: decided by the action hierarchy.
        if let lhs = entityUID(a), lhs.type.isAction {
            var rhs: [EntityUID]? = nil
            if let u = entityUID(b) { rhs = [u] }
            else if case .set(let xs) = b.kind {
                let us = xs.compactMap(entityUID)
                if us.count == xs.count { rhs = us }
            }
            if let rhs {
                let actions = rhs.filter { $0.type.isAction }
                if actions.isEmpty { return (.ff, []) }
                guard let within = schema.actionsIn(actions) else {
                    throw TypeError(message: "unrecognized action in `in`", range: b.range, silent: true)
                }
                return (within.contains(lhs) ? .tt : .ff, [])
            }
        }
        // Action entities count as entities of their action type here.
        func entityTypes(_ t: VType) -> Set<Name>? {
            switch t {
            case .entity(let s): return s
            case .actionEntity(let n): return [n]
            default: return nil
            }
        }
        let lhsTypes = entityTypes(ta)
        var rhsTypes = entityTypes(tb)
        if case .set(.some(let elem)) = tb { rhsTypes = entityTypes(elem) }
        if let l = lhsTypes, let r = rhsTypes, !mayBeDescendant(l, r) { return (.ff, []) }
        return (.bool, [])
    }

    /// Whether an entity of a type in `lhs` may be a member of one of a type in `rhs`.
    func mayBeDescendant(_ lhs: Set<Name>, _ rhs: Set<Name>) -> Bool {
        lhs.contains { l in
            rhs.contains { r in
                if schema.entityTypesIn(r).contains(l) || l == r { return true }
                return schema.actions.values.contains { act in
                    act.uid.type == r && (schema.actionDescendants[act.uid] ?? []).contains { $0.type == l }
                }
            }
        }
    }

    func checkCall(_ e: Expr, _ name: String, _ args: [Expr], _ prior: Capabilities) throws -> Result {
        guard let sig = ExtensionSignatures.all[name] else { throw fail(e, "undefined extension function `\(name)`") }
        guard args.count == sig.arguments.count else {
            throw fail(e, "wrong number of arguments in extension function application: expected \(sig.arguments.count), got \(args.count)")
        }
        if let literalCheck = sig.literalCheck {
            if case .string(let s) = args[0].kind, let problem = literalCheck(s) {
                throw fail(e, "error during extension function argument validation: \(problem)")
            }
            // `action` stands for a literal elsewhere, but here it is a variable.
            var isLiteral = literal(args[0]) != nil
            if case .variable = args[0].kind { isLiteral = false }
            if !isLiteral { throw fail(e, "extension constructors may not be called with non-literal expressions") }
        }
        for (x, t) in zip(args, sig.arguments) { _ = try expect(x, prior, [t], what: "\(t)") }
        return (sig.result, [])
    }
}
