// Cedar's JSON policy format (the "EST"): export and import, field for field as
// cedar-policy 4 writes and reads it. A policy set is
// `{"templates":{…},"staticPolicies":{…},"templateLinks":[…]}`.

public enum PolicyJSON {
    /// The whole set, compact, keys in the order Cedar writes them.
    public static func export(_ set: PolicySet) -> String {
        setValue(set).serialized
    }

    /// One policy or template as a JSON object.
    public static func export(_ policy: Policy) -> String {
        policyValue(policy).serialized
    }

    /// One expression in JSON form (`{"==":{"left":…,"right":…}}`).
    public static func export(_ expr: Expr) -> String {
        exprValue(expr).serialized
    }

    /// Reads a policy set in JSON form, or a single policy object (which gets id
    /// `policy0`). Errors name the JSON path of the offending value.
    public static func importPolicies(json: String, file: String = "<json>") throws -> PolicySet {
        // Deeper than serde_json's 128 on purpose: the EST's own depth check
        // (Parser.maxTreeDepth) gives the better message for deep expressions.
        let doc: JSONNode
        do { doc = try LocatedJSON(parsing: json, file: file, maxNesting: 512).node }
        catch { throw DiagnosticError([error.diagnostic]) }
        var r = ESTReader(file: file)
        return try r.policySet(doc)
    }

    // MARK: - Export

    static func setValue(_ set: PolicySet) -> JSONNode {
        .object([
            ("templates", .object(set.templates.map { ($0.id, policyValue($0)) })),
            ("staticPolicies", .object(set.policies.map { ($0.id, policyValue($0)) })),
            ("templateLinks", .array(set.links.map { link in
                .object([
                    ("templateId", .string(link.templateID)),
                    ("newId", .string(link.newID)),
                    ("values", .object(link.values.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                        ($0.key.rawValue, entityRef($0.value))
                    })),
                ])
            })),
        ])
    }

    static func entityRef(_ uid: EntityUID) -> JSONNode {
        .object([("type", .string(uid.type.qualified)), ("id", .string(uid.id))])
    }

    static func entityOrSlot(_ e: EntityOrSlot) -> (String, JSONNode) {
        switch e {
        case .entity(let uid): return ("entity", entityRef(uid))
        case .slot(let s): return ("slot", .string(s.rawValue))
        }
    }

    static func scopeValue(_ c: ScopeConstraint) -> JSONNode {
        switch c {
        case .any: return .object([("op", .string("All"))])
        case .eq(let e): return .object([("op", .string("==")), entityOrSlot(e)])
        case .in(let e): return .object([("op", .string("in")), entityOrSlot(e)])
        case .is(let n): return .object([("op", .string("is")), ("entity_type", .string(n.qualified))])
        case .isIn(let n, let e):
            return .object([("op", .string("is")), ("entity_type", .string(n.qualified)),
                            ("in", .object([entityOrSlot(e)]))])
        }
    }

    static func actionValue(_ c: ActionConstraint) -> JSONNode {
        switch c {
        case .any: return .object([("op", .string("All"))])
        case .eq(let uid): return .object([("op", .string("==")), ("entity", entityRef(uid))])
        case .in(let uid): return .object([("op", .string("in")), ("entity", entityRef(uid))])
        // Cedar writes a one-element list as a single entity.
        case .inSet(let uids) where uids.count == 1:
            return .object([("op", .string("in")), ("entity", entityRef(uids[0]))])
        case .inSet(let uids): return .object([("op", .string("in")), ("entities", .array(uids.map(entityRef)))])
        case .is(let n): return .object([("op", .string("is")), ("entity_type", .string(n.qualified))])
        case .isIn(let n, let uids):
            return .object([("op", .string("is")), ("entity_type", .string(n.qualified)),
                            ("in", .object([("entities", .array(uids.map(entityRef)))]))])
        }
    }

    static func policyValue(_ p: Policy) -> JSONNode {
        var fields: [(String, JSONNode)] = [
            ("effect", .string(p.effect.rawValue)),
            ("principal", scopeValue(p.principal)),
            ("action", actionValue(p.action)),
            ("resource", scopeValue(p.resource)),
            ("conditions", .array(p.conditions.map {
                .object([("kind", .string($0.kind.rawValue)), ("body", exprValue($0.body))])
            })),
        ]
        if !p.annotations.isEmpty {
            fields.append(("annotations", .object(p.annotations.map { ($0.key, $0.value.map(JSONNode.string) ?? .null) })))
        }
        return .object(fields)
    }

    private static func binary(_ op: String, _ l: Expr, _ r: Expr) -> JSONNode {
        .object([(op, .object([("left", exprValue(l)), ("right", exprValue(r))]))])
    }

    static func exprValue(_ e: Expr) -> JSONNode {
        switch e.kind {
        case .bool(let b): return .object([("Value", .bool(b))])
        case .long(let n): return .object([("Value", .integer(n))])
        case .string(let s): return .object([("Value", .string(s))])
        case .entity(let uid): return .object([("Value", .object([("__entity", entityRef(uid))]))])
        case .variable(let v): return .object([("Var", .string(v.rawValue))])
        case .slot(let s): return .object([("Slot", .string(s.rawValue))])
        case .ifThenElse(let c, let t, let f):
            return .object([("if-then-else", .object([("if", exprValue(c)), ("then", exprValue(t)), ("else", exprValue(f))]))])
        case .and(let l, let r): return binary("&&", l, r)
        case .or(let l, let r): return binary("||", l, r)
        case .unary(let op, let x):
            let name = op == .not ? "!" : op == .neg ? "neg" : "isEmpty"
            return .object([(name, .object([("arg", exprValue(x))]))])
        case .binary(let op, let l, let r): return binary(op.rawValue, l, r)
        case .getAttr(let x, let a): return .object([(".", .object([("left", exprValue(x)), ("attr", .string(a))]))])
        case .hasAttr(let x, let a): return .object([("has", .object([("left", exprValue(x)), ("attr", .string(a))]))])
        case .like(let x, let p):
            let pattern: [JSONNode] = p.elements.map {
                switch $0 {
                case .wildcard: return .string("Wildcard")
                case .char(let c): return .object([("Literal", .string(String(Character(c))))])
                }
            }
            return .object([("like", .object([("left", exprValue(x)), ("pattern", .array(pattern))]))])
        case .isType(let x, let n, let inExpr):
            var f: [(String, JSONNode)] = [("left", exprValue(x)), ("entity_type", .string(n.qualified))]
            if let inExpr { f.append(("in", exprValue(inExpr))) }
            return .object([("is", .object(f))])
        case .set(let xs): return .object([("Set", .array(xs.map(exprValue)))])
        case .record(let kv):
            // Cedar keeps record fields in a sorted map, so that is the order it writes.
            let sorted = kv.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            return .object([("Record", .object(sorted.map { ($0.0, exprValue($0.1)) }))])
        case .call(let name, let args): return .object([(name, .array(args.map(exprValue)))])
        }
    }
}
