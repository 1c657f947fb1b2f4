// Strict validation of a policy set against a schema: the checks Cedar's validator
// runs once per policy (every entity type and action named exists, enumerated
// entities use a declared id, some action in the schema can apply to the scope) and
// the type check under every request environment the schema allows.

import CedarSyntax

public enum Validator {
    /// All validation errors, each naming its policy and pointing at the offending text.
    /// An empty result means the policy set is valid. With `warnings`, policies that are
    /// false for every request the schema allows are also reported, as warnings (Cedar
    /// reports them but does not fail validation for them).
    public static func validate(_ policies: PolicySet, schema: Schema, warnings: Bool = false) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen = Set<String>()
        func add(_ d: Diagnostic) {
            let key = "\(d.range.file):\(d.range.start.offset):\(d.range.end.offset):\(d.message)"
            if seen.insert(key).inserted { out.append(d) }
        }
        let all = (policies.policies + policies.templates).sorted { $0.range.start.offset < $1.range.start.offset }
        for p in all {
            for d in validate(p, schema: schema) where d.severity == .error || warnings { add(d) }
        }
        for link in policies.links {
            guard let t = policies.templates.first(where: { $0.id == link.templateID }) else { continue }
            for d in validateLink(t, link, schema: schema) { add(d) }
        }
        return out
    }

    static func diagnostic(_ policy: String, _ message: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(.error, "for policy `\(policy)`, \(message)", at: range)
    }

    static func validate(_ p: Policy, schema: Schema) -> [Diagnostic] {
        var out = scopeAndLiteralChecks(p, schema: schema)
        if !actionCanApply(p.principal, p.action, p.resource, schema: schema) {
            out.append(diagnostic(p.id, "unable to find an applicable action given the policy scope constraints", p.actionRange == .unknown ? p.range : p.actionRange))
        }
        let condition = PolicyCondition.expression(p)
        var alwaysFalse = true
        for env in schema.requestEnvironments {
            for linked in linkedEnvironments(env, p, schema: schema) {
                let checker = Typechecker(schema: schema, env: linked)
                do {
                    let (t, _) = try checker.check(condition, [])
                    if t != .ff { alwaysFalse = false }
                    if !VType.isSubtype(t, .bool, strict: false) {
                        out.append(diagnostic(p.id, "unexpected type: expected Bool but saw \(t)", p.range))
                    }
                } catch let e as TypeError {
                    alwaysFalse = false
                    if !e.silent { out.append(diagnostic(p.id, e.message, e.range)) }
                } catch {}
            }
        }
        if alwaysFalse && out.isEmpty {
            out.append(Diagnostic(.warning, "for policy `\(p.id)`, policy is impossible: the policy expression evaluates to false for all valid requests", at: p.range))
        }
        return out
    }

    static func validateLink(_ t: Policy, _ link: TemplateLink, schema: Schema) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, uid) in link.values.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !schema.isKnownEntityType(uid.type) {
            out.append(diagnostic(link.newID, "unrecognized entity type `\(uid.type)`", t.range))
        }
        func fill(_ c: ScopeConstraint, _ slot: SlotID) -> ScopeConstraint {
            guard let v = link.values[slot] else { return c }
            switch c {
            case .eq(.slot): return .eq(.entity(v))
            case .in(.slot): return .in(.entity(v))
            case .isIn(let n, .slot): return .isIn(n, .entity(v))
            default: return c
            }
        }
        if !actionCanApply(fill(t.principal, .principal), t.action, fill(t.resource, .resource), schema: schema) {
            out.append(diagnostic(link.newID, "unable to find an applicable action given the policy scope constraints", t.range))
        }
        return out
    }

    /// Unknown entity types, unknown actions and bad enumerated ids anywhere in the policy.
    static func scopeAndLiteralChecks(_ p: Policy, schema: Schema) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var uids: [(EntityUID, SourceRange)] = []
        var typeNames: [(Name, SourceRange)] = []
        func scope(_ c: ScopeConstraint, _ r: SourceRange) {
            switch c {
            case .any: break
            case .eq(.entity(let u)), .in(.entity(let u)): uids.append((u, r))
            case .eq(.slot), .in(.slot): break
            case .is(let n): typeNames.append((n, r))
            case .isIn(let n, let x):
                typeNames.append((n, r))
                if case .entity(let u) = x { uids.append((u, r)) }
            }
        }
        scope(p.principal, p.principalRange == .unknown ? p.range : p.principalRange)
        let ar = p.actionRange == .unknown ? p.range : p.actionRange
        switch p.action {
        case .any: break
        case .eq(let u), .in(let u): uids.append((u, ar))
        case .inSet(let us): uids += us.map { ($0, ar) }
        case .is(let n): typeNames.append((n, ar))
        case .isIn(let n, let us): typeNames.append((n, ar)); uids += us.map { ($0, ar) }
        }
        scope(p.resource, p.resourceRange == .unknown ? p.range : p.resourceRange)
        for c in p.conditions { collectLiterals(c.body, &uids, &typeNames) }

        for (n, r) in typeNames + uids.map({ ($0.0.type, $0.1) }) where !schema.isKnownEntityType(n) {
            out.append(diagnostic(p.id, "unrecognized entity type `\(n)`", r))
        }
        for (u, r) in uids {
            if u.type.isAction {
                if schema.actions[u] == nil { out.append(diagnostic(p.id, "unrecognized action `\(u)`", r)) }
            } else if let choices = schema.entityTypes[u.type]?.enumChoices, !choices.contains(u.id) {
                out.append(diagnostic(p.id, "entity `\(u)` is of an enumerated entity type, but `\(cedarQuoted(u.id))` is not declared as a valid eid", r))
            }
        }
        return out
    }

    static func collectLiterals(_ e: Expr, _ uids: inout [(EntityUID, SourceRange)], _ types: inout [(Name, SourceRange)]) {
        switch e.kind {
        case .entity(let u): uids.append((u, e.range))
        case .bool, .long, .string, .variable, .slot: break
        case .ifThenElse(let a, let b, let c): for x in [a, b, c] { collectLiterals(x, &uids, &types) }
        case .and(let a, let b), .or(let a, let b), .binary(_, let a, let b):
            collectLiterals(a, &uids, &types); collectLiterals(b, &uids, &types)
        case .unary(_, let a), .getAttr(let a, _), .hasAttr(let a, _), .like(let a, _): collectLiterals(a, &uids, &types)
        case .isType(let a, let n, let i):
            collectLiterals(a, &uids, &types)
            types.append((n, e.range))
            if let i { collectLiterals(i, &uids, &types) }
        case .set(let xs), .call(_, let xs): for x in xs { collectLiterals(x, &uids, &types) }
        case .record(let kvs): for (_, x) in kvs { collectLiterals(x, &uids, &types) }
        }
    }

    /// Whether some action the scope allows applies to some principal type and some
    /// resource type the scope allows.
    static func actionCanApply(_ principal: ScopeConstraint, _ action: ActionConstraint, _ resource: ScopeConstraint, schema: Schema) -> Bool {
        let actions: [EntityUID]
        switch action {
        case .any: actions = schema.sortedActionIDs
        case .eq(let u): actions = [u]
        case .in(let u): actions = Array(schema.actionsIn([u]) ?? [])
        case .inSet(let us): actions = Array(schema.actionsIn(us) ?? [])
        case .is(let n): actions = schema.sortedActionIDs.filter { $0.type == n }
        case .isIn(let n, let us): actions = Array(schema.actionsIn(us) ?? []).filter { $0.type == n }
        }
        let ps = typesSatisfying(principal, schema)
        let rs = typesSatisfying(resource, schema)
        return actions.contains { a in
            guard let at = schema.actions[a]?.appliesTo else { return false }
            return !ps.isDisjoint(with: at.principals) && !rs.isDisjoint(with: at.resources)
        }
    }

    static func typesSatisfying(_ c: ScopeConstraint, _ schema: Schema) -> Set<Name> {
        switch c {
        case .any, .eq(.slot), .in(.slot): return Set(schema.entityTypes.keys)
        case .eq(.entity(let u)): return [u.type]
        case .in(.entity(let u)): return schema.entityTypesIn(u.type)
        case .is(let n), .isIn(let n, .slot): return schema.entityTypes[n] != nil ? [n] : []
        case .isIn(let n, .entity(let u)): return schema.entityTypesIn(u.type).filter { $0 == n }
        }
    }

    /// For a template, the environments with each possible type of its slots.
    static func linkedEnvironments(_ env: Schema.RequestEnv, _ p: Policy, schema: Schema) -> [Schema.RequestEnv] {
        func slotTypes(_ c: ScopeConstraint, _ slot: SlotID, _ varType: Name) -> [Name?] {
            guard p.slots.contains(slot) else { return [nil] }
            switch c {
            case .eq: return [varType]
            case .in, .isIn:
                return schema.sortedEntityTypeNames.filter { schema.entityDescendants[$0, default: []].contains(varType) } + [varType]
            default: return schema.sortedEntityTypeNames
            }
        }
        var out: [Schema.RequestEnv] = []
        for ps in slotTypes(p.principal, .principal, env.principal) {
            for rs in slotTypes(p.resource, .resource, env.resource) {
                var e = env
                e.principalSlot = ps
                e.resourceSlot = rs
                out.append(e)
            }
        }
        return out
    }
}

/// A policy's meaning as one expression: scope constraints, `when` conditions and
/// negated `unless` conditions joined by `&&`, as Cedar's validator checks it.
enum PolicyCondition {
    static func expression(_ p: Policy) -> Expr {
        func v(_ x: Variable, _ r: SourceRange) -> Expr { Expr(.variable(x), range: r) }
        func ref(_ x: EntityOrSlot, _ r: SourceRange) -> Expr {
            switch x {
            case .entity(let u): return Expr(.entity(u), range: r)
            case .slot(let s): return Expr(.slot(s), range: r)
            }
        }
        func scope(_ c: ScopeConstraint, _ x: Variable, _ r: SourceRange) -> Expr {
            switch c {
            case .any: return Expr(.bool(true), range: r)
            case .eq(let t): return Expr(.binary(.eq, v(x, r), ref(t, r)), range: r)
            case .in(let t): return Expr(.binary(.in, v(x, r), ref(t, r)), range: r)
            case .is(let n): return Expr(.isType(v(x, r), n, in: nil), range: r)
            case .isIn(let n, let t):
                return Expr(.and(Expr(.isType(v(x, r), n, in: nil), range: r), Expr(.binary(.in, v(x, r), ref(t, r)), range: r)), range: r)
            }
        }
        let pr = p.principalRange == .unknown ? p.range : p.principalRange
        let ar = p.actionRange == .unknown ? p.range : p.actionRange
        let rr = p.resourceRange == .unknown ? p.range : p.resourceRange
        let action: Expr
        switch p.action {
        case .any: action = Expr(.bool(true), range: ar)
        case .eq(let u): action = Expr(.binary(.eq, v(.action, ar), Expr(.entity(u), range: ar)), range: ar)
        case .in(let u): action = Expr(.binary(.in, v(.action, ar), Expr(.entity(u), range: ar)), range: ar)
        case .inSet(let us): action = Expr(.binary(.in, v(.action, ar), Expr(.set(us.map { Expr(.entity($0), range: ar) }), range: ar)), range: ar)
        case .is(let n): action = Expr(.isType(v(.action, ar), n, in: nil), range: ar)
        case .isIn(let n, let us):
            action = Expr(.and(Expr(.isType(v(.action, ar), n, in: nil), range: ar),
                               Expr(.binary(.in, v(.action, ar), Expr(.set(us.map { Expr(.entity($0), range: ar) }), range: ar)), range: ar)), range: ar)
        }
        var body: Expr? = nil
        for c in p.conditions {
            let x = c.kind == .when ? c.body : Expr(.unary(.not, c.body), range: c.range == .unknown ? c.body.range : c.range)
            body = body.map { Expr(.and($0, x), range: x.range) } ?? x
        }
        let scopeExpr = Expr(.and(Expr(.and(scope(p.principal, .principal, pr), action), range: p.range), scope(p.resource, .resource, rr)), range: p.range)
        return Expr(.and(scopeExpr, body ?? Expr(.bool(true), range: p.range)), range: p.range)
    }
}
