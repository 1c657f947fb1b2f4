// Cedar's expression semantics. The evaluator is parameterised by what is known: each
// request variable and slot is optional, and reading an unknown one throws
// `.unknownVariable`/`.unlinkedSlot`, so a caller that knows only part of a request
// (the policy compiler) can tell "depends on the rest" apart from a real error.

import CedarSyntax

public struct Evaluator: Sendable {
    public var entities: Entities
    public var principal: EntityUID?
    public var action: EntityUID?
    public var resource: EntityUID?
    public var context: [String: Value]?
    public var slots: [SlotID: EntityUID]

    public init(entities: Entities, principal: EntityUID? = nil, action: EntityUID? = nil,
                resource: EntityUID? = nil, context: [String: Value]? = nil, slots: [SlotID: EntityUID] = [:]) {
        self.entities = entities; self.principal = principal; self.action = action
        self.resource = resource; self.context = context; self.slots = slots
    }

    public init(request: Request, entities: Entities, slots: [SlotID: EntityUID] = [:]) {
        self.init(entities: entities, principal: request.principal, action: request.action,
                  resource: request.resource, context: request.context, slots: slots)
    }

    // MARK: Policies

    /// True when the policy's scope matches and every `when` holds and no `unless` does,
    /// checked left to right with short-circuiting, as Cedar's policy condition
    /// `scope && when… && !unless…` is.
    public func satisfies(_ policy: Policy) throws(EvaluationError) -> Bool {
        guard try matches(policy.principal, variable: .principal),
              try matches(policy.action),
              try matches(policy.resource, variable: .resource) else { return false }
        for c in policy.conditions {
            let holds = try bool(try evaluate(c.body))
            if holds != (c.kind == .when) { return false }
        }
        return true
    }

    /// The same, reading the policy in place.
    func satisfies(_ active: ActivePolicy) throws(EvaluationError) -> Bool {
        guard try matches(active.policy.principal, variable: .principal),
              try matches(active.policy.action),
              try matches(active.policy.resource, variable: .resource) else { return false }
        for c in active.policy.conditions {
            let holds = try bool(try evaluate(c.body))
            if holds != (c.kind == .when) { return false }
        }
        return true
    }

    func matches(_ scope: ScopeConstraint, variable: Variable) throws(EvaluationError) -> Bool {
        if case .any = scope { return true }
        let uid = try entityVariable(variable)
        switch scope {
        case .any: return true
        case .eq(let x): return uid == (try resolve(x))
        case .in(let x): return entities.isDescendant(uid, of: try resolve(x))
        case .is(let t): return uid.type == t
        case .isIn(let t, let x):
            guard uid.type == t else { return false }
            return entities.isDescendant(uid, of: try resolve(x))
        }
    }

    func matches(_ scope: ActionConstraint) throws(EvaluationError) -> Bool {
        if case .any = scope { return true }
        let uid = try entityVariable(.action)
        switch scope {
        case .any: return true
        case .eq(let x): return uid == x
        case .in(let x): return entities.isDescendant(uid, of: x)
        case .inSet(let xs): return xs.contains { entities.isDescendant(uid, of: $0) }
        case .is(let t): return uid.type == t
        case .isIn(let t, let xs): return uid.type == t && xs.contains { entities.isDescendant(uid, of: $0) }
        }
    }

    func entityVariable(_ v: Variable) throws(EvaluationError) -> EntityUID {
        let u: EntityUID?
        switch v {
        case .principal: u = principal
        case .action: u = action
        case .resource: u = resource
        case .context: u = nil
        }
        guard let u else { throw .unknownVariable(v) }
        return u
    }

    func resolve(_ x: EntityOrSlot) throws(EvaluationError) -> EntityUID {
        switch x {
        case .entity(let u): return u
        case .slot(let s):
            guard let u = slots[s] else { throw .unlinkedSlot(s) }
            return u
        }
    }

    // MARK: Expressions

    public func evaluate(_ expr: Expr) throws(EvaluationError) -> Value {
        switch expr.kind {
        case .bool(let b): return .bool(b)
        case .long(let i): return .long(i)
        case .string(let s): return .string(s)
        case .entity(let u): return .entity(u)
        case .variable(let v):
            if v == .context {
                guard let context else { throw .unknownVariable(.context) }
                return .record(context)
            }
            return .entity(try entityVariable(v))
        case .slot(let s):
            guard let u = slots[s] else { throw .unlinkedSlot(s) }
            return .entity(u)
        case let .ifThenElse(c, t, e):
            return try bool(try evaluate(c)) ? try evaluate(t) : try evaluate(e)
        case let .and(a, b):
            guard try bool(try evaluate(a)) else { return .bool(false) }
            return .bool(try bool(try evaluate(b)))
        case let .or(a, b):
            if try bool(try evaluate(a)) { return .bool(true) }
            return .bool(try bool(try evaluate(b)))
        case let .unary(op, a):
            return try unary(op, try evaluate(a))
        case let .binary(op, a, b):
            let x = try evaluate(a)
            let y = try evaluate(b)
            return try binary(op, x, y)
        case let .getAttr(a, name):
            return try attribute(of: try evaluate(a), name)
        case let .hasAttr(a, name):
            return .bool(try hasAttribute(try evaluate(a), name))
        case let .like(a, pattern):
            return .bool(matchesPattern(try string(try evaluate(a)), pattern))
        case let .isType(a, type, container):
            let uid = try entity(try evaluate(a))
            guard uid.type == type else { return .bool(false) }
            guard let container else { return .bool(true) }
            return .bool(try isIn(uid, try evaluate(container)))
        case .set(let items):
            var s = Set<Value>(minimumCapacity: items.count)
            for i in items { s.insert(try evaluate(i)) }
            return .set(s)
        case .record(let fields):
            var r: [String: Value] = Dictionary(minimumCapacity: fields.count)
            for (k, v) in fields { r[k] = try evaluate(v) }
            return .record(r)
        case let .call(name, args):
            var values: [Value] = []
            values.reserveCapacity(args.count)
            for a in args { values.append(try evaluate(a)) }
            return try ExtensionFunctions.call(name, values)
        }
    }

    func unary(_ op: UnaryOp, _ v: Value) throws(EvaluationError) -> Value {
        switch op {
        case .not: return .bool(!(try bool(v)))
        case .neg:
            let i = try long(v)
            guard i != .min else { throw .overflow("negating \(i)") }
            return .long(-i)
        case .isEmpty: return .bool(try set(v).isEmpty)
        }
    }

    func binary(_ op: BinaryOp, _ x: Value, _ y: Value) throws(EvaluationError) -> Value {
        switch op {
        case .eq: return .bool(x == y)
        case .neq: return .bool(x != y)
        case .lt, .le, .gt, .ge:
            let c = try compare(x, y)
            switch op {
            case .lt: return .bool(c < 0)
            case .le: return .bool(c <= 0)
            case .gt: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case .add, .sub, .mul:
            let a = try long(x), b = try long(y)
            let (r, o): (Int64, Bool)
            switch op {
            case .add: (r, o) = a.addingReportingOverflow(b)
            case .sub: (r, o) = a.subtractingReportingOverflow(b)
            default: (r, o) = a.multipliedReportingOverflow(by: b)
            }
            guard !o else { throw .overflow("\(a) \(op.rawValue) \(b)") }
            return .long(r)
        case .in: return .bool(try isIn(try entity(x), y))
        case .contains: return .bool(try set(x).contains(y))
        case .containsAll: return .bool(try set(y).isSubset(of: try set(x)))
        case .containsAny:
            let a = try set(x), b = try set(y)
            return .bool(!a.isDisjoint(with: b))
        case .getTag:
            let uid = try entity(x), key = try string(y)
            guard let e = entities[uid] else { throw .entityNotFound(uid) }
            guard let v = e.tags[key] else { throw .missingTag(key, on: uid) }
            return v
        case .hasTag:
            let uid = try entity(x), key = try string(y)
            return .bool(entities[uid]?.tags[key] != nil)
        }
    }

    /// Ordering of longs, datetimes and durations; both operands must have the same type.
    func compare(_ x: Value, _ y: Value) throws(EvaluationError) -> Int {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (x, y) {
        case let (.long(a), .long(b)): return order(a, b)
        case let (.datetime(a), .datetime(b)): return order(a, b)
        case let (.duration(a), .duration(b)): return order(a, b)
        case (.long, _), (.datetime, _), (.duration, _):
            throw .typeMismatch(expected: [x.typeName], got: y.typeName)
        default:
            throw .typeMismatch(expected: ["long", "datetime", "duration"], got: x.typeName)
        }
    }

    /// `uid in target`, where the target is an entity or a set of entities.
    func isIn(_ uid: EntityUID, _ target: Value) throws(EvaluationError) -> Bool {
        switch target {
        case .entity(let t): return entities.isDescendant(uid, of: t)
        case .set(let s):
            var found = false
            // Every element must be an entity, even after a match, as in Cedar.
            for v in s {
                let t = try entity(v)
                if !found, entities.isDescendant(uid, of: t) { found = true }
            }
            return found
        default:
            throw .typeMismatch(expected: ["set", "entity"], got: target.typeName)
        }
    }

    func attribute(of v: Value, _ name: String) throws(EvaluationError) -> Value {
        switch v {
        case .record(let r):
            guard let a = r[name] else { throw .missingAttribute(name, on: "record") }
            return a
        case .entity(let uid):
            guard let e = entities[uid] else { throw .entityNotFound(uid) }
            guard let a = e.attrs[name] else { throw .missingAttribute(name, on: uid.description) }
            return a
        default:
            throw .typeMismatch(expected: ["record", "entity"], got: v.typeName)
        }
    }

    func hasAttribute(_ v: Value, _ name: String) throws(EvaluationError) -> Bool {
        switch v {
        case .record(let r): return r[name] != nil
        case .entity(let uid): return entities[uid]?.attrs[name] != nil
        default: throw .typeMismatch(expected: ["record", "entity"], got: v.typeName)
        }
    }

    // MARK: Operand types

    func bool(_ v: Value) throws(EvaluationError) -> Bool {
        guard case .bool(let b) = v else { throw .typeMismatch(expected: ["bool"], got: v.typeName) }
        return b
    }
    func long(_ v: Value) throws(EvaluationError) -> Int64 {
        guard case .long(let i) = v else { throw .typeMismatch(expected: ["long"], got: v.typeName) }
        return i
    }
    func string(_ v: Value) throws(EvaluationError) -> String {
        guard case .string(let s) = v else { throw .typeMismatch(expected: ["string"], got: v.typeName) }
        return s
    }
    func entity(_ v: Value) throws(EvaluationError) -> EntityUID {
        guard case .entity(let u) = v else { throw .typeMismatch(expected: ["entity"], got: v.typeName) }
        return u
    }
    func set(_ v: Value) throws(EvaluationError) -> Set<Value> {
        guard case .set(let s) = v else { throw .typeMismatch(expected: ["set"], got: v.typeName) }
        return s
    }
}
