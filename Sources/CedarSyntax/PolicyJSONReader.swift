// Reads Cedar's JSON policy format into the AST. Strict, as Cedar is: unknown fields,
// unknown operators, reserved names and slots outside the scope are errors. Each error
// names the JSON path of the offending value (`staticPolicies.policy0.conditions[0].body`).

struct ESTReader {
    let file: String
    var path: [String] = []
    var depth = 0

    init(file: String) { self.file = file }

    func error(_ message: String) -> DiagnosticError {
        let where_ = path.isEmpty ? "" : path.joined() + ": "
        return DiagnosticError([Diagnostic(.error, where_ + message,
                                           at: SourceRange(file: file, start: .unknown, end: .unknown))])
    }

    mutating func within<T>(_ component: String, _ body: (inout ESTReader) throws -> T) rethrows -> T {
        path.append(path.isEmpty || component.hasPrefix("[") ? component : "." + component)
        defer { path.removeLast() }
        return try body(&self)
    }

    func object(_ v: JSONNode, _ what: String, allowed: Set<String>, required: Set<String> = []) throws -> [(String, JSONNode)] {
        guard case .object(let fields) = v else { throw error("expected \(what) (a JSON object)") }
        for (k, _) in fields where !allowed.contains(k) {
            throw error("unknown field \"\(k)\" in \(what)")
        }
        for k in required.sorted() where !fields.contains(where: { $0.0 == k }) {
            throw error("missing field \"\(k)\" in \(what)")
        }
        return fields
    }

    func string(_ v: JSONNode?, _ what: String) throws -> String {
        guard case .string(let s)? = v else { throw error("expected \(what) (a JSON string)") }
        return s
    }

    func name(_ s: String) throws -> Name {
        do { return try CedarParser.parseName(s) } catch {
            throw self.error("`\(s)` is not a valid Cedar name")
        }
    }

    mutating func policySet(_ doc: JSONNode) throws -> PolicySet {
        if doc["effect"] != nil {
            let p = try policy(doc, id: "policy0")
            return p.isTemplate ? PolicySet(templates: [p]) : PolicySet(policies: [p])
        }
        let fields = try object(doc, "a policy set", allowed: ["staticPolicies", "templates", "templateLinks"])
        var set = PolicySet()
        var seen: Set<String> = []
        for (k, v) in fields {
            switch k {
            case "staticPolicies", "templates":
                guard case .object(let ps) = v else { throw error("\"\(k)\" must be an object from ids to policies") }
                for (id, pv) in ps {
                    let p = try within(k) { r in try r.within(id) { try $0.policy(pv, id: id) } }
                    if !seen.insert(id).inserted { throw error("policy id \"\(id)\" is used twice") }
                    if k == "staticPolicies" {
                        if p.isTemplate {
                            throw within(k) { r in r.within(id) { $0.error("a static policy cannot contain template slots") } }
                        }
                        set.policies.append(p)
                    } else {
                        set.templates.append(p)
                    }
                }
            default:
                guard case .array(let links) = v else { throw error("\"templateLinks\" must be an array") }
                for (n, lv) in links.enumerated() {
                    try within(k) { r in try r.within("[\(n)]") { set.links.append(try $0.link(lv)) } }
                }
            }
        }
        return set
    }

    mutating func link(_ v: JSONNode) throws -> TemplateLink {
        let f = try object(v, "a template link", allowed: ["templateId", "newId", "values"],
                           required: ["templateId", "newId", "values"])
        var values: [SlotID: EntityUID] = [:]
        guard case .object(let vs)? = f.first(where: { $0.0 == "values" })?.1 else {
            throw error("\"values\" must be an object from slots to entities")
        }
        for (k, ev) in vs {
            guard let slot = SlotID(rawValue: k) else { throw error("`\(k)` is not a template slot") }
            values[slot] = try within("values") { try $0.entity(ev) }
        }
        return TemplateLink(templateID: try string(v["templateId"], "a template id"),
                            newID: try string(v["newId"], "a policy id"), values: values)
    }

    func entity(_ v: JSONNode) throws -> EntityUID {
        // Cedar also accepts the `{"__entity": {…}}` escape here.
        if let inner = v["__entity"] { return try entity(inner) }
        _ = try object(v, "an entity reference", allowed: ["type", "id"], required: ["type", "id"])
        return EntityUID(type: try name(try string(v["type"], "an entity type")), id: try string(v["id"], "an entity id"))
    }

    mutating func policy(_ v: JSONNode, id: String) throws -> Policy {
        _ = try object(v, "a policy", allowed: ["effect", "principal", "action", "resource", "conditions", "annotations"],
                       required: ["effect", "principal", "action", "resource", "conditions"])
        let effectText = try string(v["effect"], "an effect")
        guard let effect = Effect(rawValue: effectText) else { throw error("effect must be \"permit\" or \"forbid\"") }
        var p = Policy(id: id, effect: effect)
        p.principal = try within("principal") { try $0.scope(v["principal"]!, slot: .principal) }
        p.action = try within("action") { try $0.action(v["action"]!) }
        p.resource = try within("resource") { try $0.scope(v["resource"]!, slot: .resource) }
        guard case .array(let conds)? = v["conditions"] else { throw error("\"conditions\" must be an array") }
        for (n, cv) in conds.enumerated() {
            try within("conditions") { r in
                try r.within("[\(n)]") { r in
                    _ = try r.object(cv, "a condition", allowed: ["kind", "body"], required: ["kind", "body"])
                    guard let kind = ConditionKind(rawValue: try r.string(cv["kind"], "a condition kind")) else {
                        throw r.error("condition kind must be \"when\" or \"unless\"")
                    }
                    let body = try r.within("body") { try $0.expr(cv["body"]!) }
                    p.conditions.append(Condition(kind: kind, body: body))
                }
            }
        }
        if let av = v["annotations"] {
            guard case .object(let anns) = av else { throw error("\"annotations\" must be an object") }
            for (k, value) in anns {
                guard let f = k.utf8.first, !(f >= 0x30 && f <= 0x39), k.utf8.allSatisfy(Lexer.isIdentChar) else {
                    throw error("`\(k)` is not a valid annotation name")
                }
                switch value {
                case .null: p.annotations.append(Annotation(key: k, value: nil))
                case .string(let s): p.annotations.append(Annotation(key: k, value: s))
                default: throw error("annotation `\(k)` must be a string or null")
                }
            }
        }
        return p
    }

    func entityOrSlot(_ fields: [(String, JSONNode)], slot: SlotID) throws -> EntityOrSlot {
        if let e = fields.first(where: { $0.0 == "entity" })?.1 { return .entity(try entity(e)) }
        if let s = fields.first(where: { $0.0 == "slot" })?.1 {
            let text = try string(s, "a slot")
            guard SlotID(rawValue: text) == slot else { throw error("expected the slot `\(slot.rawValue)`, found `\(text)`") }
            return .slot(slot)
        }
        throw error("expected \"entity\" or \"slot\"")
    }

    func scope(_ v: JSONNode, slot: SlotID) throws -> ScopeConstraint {
        let op = try string(v["op"], "a scope operator")
        switch op {
        case "All":
            _ = try object(v, "a scope constraint", allowed: ["op"])
            return .any
        case "==", "in":
            let f = try object(v, "a scope constraint", allowed: ["op", "entity", "slot"])
            let target = try entityOrSlot(f, slot: slot)
            return op == "==" ? .eq(target) : .in(target)
        case "is":
            _ = try object(v, "a scope constraint", allowed: ["op", "entity_type", "in"], required: ["entity_type"])
            let n = try name(try string(v["entity_type"], "an entity type"))
            if let inner = v["in"] {
                let f = try object(inner, "the `in` part of `is`", allowed: ["entity", "slot"])
                return .isIn(n, try entityOrSlot(f, slot: slot))
            }
            return .is(n)
        default:
            throw error("unknown scope operator \"\(op)\"")
        }
    }

    func action(_ v: JSONNode) throws -> ActionConstraint {
        let op = try string(v["op"], "an action scope operator")
        switch op {
        case "All":
            _ = try object(v, "the action constraint", allowed: ["op"])
            return .any
        case "==":
            _ = try object(v, "the action constraint", allowed: ["op", "entity"], required: ["entity"])
            return .eq(try entity(v["entity"]!))
        case "in":
            _ = try object(v, "the action constraint", allowed: ["op", "entity", "entities"])
            if let e = v["entity"] { return .in(try entity(e)) }
            guard case .array(let es)? = v["entities"] else { throw error("expected \"entity\" or \"entities\"") }
            return .inSet(try es.map(entity))
        default:
            throw error("unknown action scope operator \"\(op)\"")
        }
    }

    mutating func expr(_ v: JSONNode) throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxTreeDepth { throw error("expression is nested too deeply") }
        guard case .object(let fields) = v, fields.count == 1 else {
            throw error("expected an expression: an object with exactly one operator key")
        }
        let (key, body) = fields[0]
        func operands(_ names: [String]) throws -> [JSONNode] {
            let f = try object(body, "the operands of `\(key)`", allowed: Set(names), required: Set(names))
            return names.map { n in f.first { $0.0 == n }!.1 }
        }
        func sub(_ name: String, _ x: JSONNode, _ r: inout ESTReader) throws -> Expr {
            try r.within(key) { try $0.within(name) { try $0.expr(x) } }
        }
        switch key {
        case "Value":
            return try within("Value") { try $0.literal(body) }
        case "Var":
            guard let vr = Variable(rawValue: try string(body, "a variable name")) else {
                throw error("unknown variable; the variables are principal, action, resource and context")
            }
            return Expr(.variable(vr))
        case "Slot":
            throw error("template slots can only appear in the policy scope")
        case "Unknown":
            throw error("unknowns are not supported")
        case "!", "neg", "isEmpty":
            let a = try operands(["arg"])
            let x = try sub("arg", a[0], &self)
            return Expr(.unary(key == "!" ? .not : key == "neg" ? .neg : .isEmpty, x))
        case "&&", "||":
            let a = try operands(["left", "right"])
            let l = try sub("left", a[0], &self), r = try sub("right", a[1], &self)
            return Expr(key == "&&" ? .and(l, r) : .or(l, r))
        case ".", "has":
            let a = try operands(["left", "attr"])
            let l = try sub("left", a[0], &self)
            let attr = try string(a[1], "an attribute name")
            return Expr(key == "." ? .getAttr(l, attr) : .hasAttr(l, attr))
        case "like":
            let a = try operands(["left", "pattern"])
            let l = try sub("left", a[0], &self)
            guard case .array(let parts) = a[1] else { throw error("a `like` pattern must be an array") }
            var els: [PatternElement] = []
            for part in parts {
                if case .string("Wildcard") = part { els.append(.wildcard); continue }
                guard case .string(let lit)? = part["Literal"], case .object(let o) = part, o.count == 1 else {
                    throw error("a pattern element is \"Wildcard\" or {\"Literal\": \"…\"}")
                }
                els += lit.unicodeScalars.map { .char($0) }
            }
            return Expr(.like(l, Pattern(els)))
        case "is":
            let f = try object(body, "the operands of `is`", allowed: ["left", "entity_type", "in"], required: ["left", "entity_type"])
            let l = try sub("left", f.first { $0.0 == "left" }!.1, &self)
            let n = try name(try string(body["entity_type"], "an entity type"))
            var inExpr: Expr? = nil
            if let iv = body["in"] { inExpr = try sub("in", iv, &self) }
            return Expr(.isType(l, n, in: inExpr))
        case "if-then-else":
            let a = try operands(["if", "then", "else"])
            return Expr(.ifThenElse(try sub("if", a[0], &self), try sub("then", a[1], &self), try sub("else", a[2], &self)))
        case "Set":
            guard case .array(let items) = body else { throw error("\"Set\" must be an array") }
            var out: [Expr] = []
            for (n, item) in items.enumerated() { out.append(try within("Set") { try $0.within("[\(n)]") { try $0.expr(item) } }) }
            return Expr(.set(out))
        case "Record":
            guard case .object(let kv) = body else { throw error("\"Record\" must be an object") }
            var out: [(String, Expr)] = []
            for (k, item) in kv { out.append((k, try within("Record") { try $0.within(k) { try $0.expr(item) } })) }
            return Expr(.record(out))
        default:
            if let op = BinaryOp(rawValue: key) {
                let a = try operands(["left", "right"])
                return Expr(.binary(op, try sub("left", a[0], &self), try sub("right", a[1], &self)))
            }
            guard cedarExtensionFunctions.contains(key) || cedarExtensionMethods.contains(key) else {
                throw error("unknown operator or extension function `\(key)`")
            }
            guard case .array(let args) = body else { throw error("the arguments of `\(key)` must be an array") }
            var out: [Expr] = []
            for (n, arg) in args.enumerated() { out.append(try within(key) { try $0.within("[\(n)]") { try $0.expr(arg) } }) }
            return Expr(.call(key, out))
        }
    }

    /// A JSON value written as a Cedar value: numbers, strings, booleans, arrays (sets),
    /// objects (records), and the `__entity` / `__extn` escapes.
    mutating func literal(_ v: JSONNode) throws -> Expr {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxTreeDepth { throw error("value is nested too deeply") }
        switch v {
        case .bool(let b): return Expr(.bool(b))
        case .integer(let i): return Expr(.long(i))
        case .string(let s): return Expr(.string(s))
        case .number(let s): throw error("`\(s)` is not a Cedar integer (64-bit, no fraction)")
        case .null: throw error("null is not a Cedar value")
        case .array(let items): return Expr(.set(try items.map { try literal($0) }))
        case .object(let kv):
            if kv.count == 1, kv[0].0 == "__entity" { return Expr(.entity(try entity(kv[0].1))) }
            if kv.count == 1, kv[0].0 == "__extn" {
                let f = try object(kv[0].1, "an extension value", allowed: ["fn", "arg", "args"], required: ["fn"])
                let fn = try string(kv[0].1["fn"], "an extension function name")
                guard cedarExtensionFunctions.contains(fn) || cedarExtensionMethods.contains(fn) else {
                    throw error("unknown extension function `\(fn)`")
                }
                var args: [Expr] = []
                if let a = f.first(where: { $0.0 == "arg" })?.1 { args.append(try literal(a)) }
                if case .array(let xs)? = f.first(where: { $0.0 == "args" })?.1 { args += try xs.map { try literal($0) } }
                return Expr(.call(fn, args))
            }
            return Expr(.record(try kv.map { ($0.0, try literal($0.1)) }))
        }
    }
}
