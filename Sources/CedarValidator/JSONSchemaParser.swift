// Parser for the JSON schema form: `{"Namespace": {"entityTypes": …, "actions": …,
// "commonTypes": …}}`, the empty string naming the empty namespace.

import CedarSyntax

struct JSONSchemaParser {
    let file: String

    func error(_ message: String, at range: SourceRange) -> DiagnosticError {
        DiagnosticError([Diagnostic(.error, message, at: range)])
    }

    func parse(_ text: String) throws -> [RawNamespace] {
        let root: LocatedJSON
        do { root = try LocatedJSON(parsing: text, file: file) } catch { throw DiagnosticError([error.diagnostic]) }
        guard let namespaces = root.object else { throw error("a JSON schema must be an object of namespaces", at: root.range) }
        var out: [RawNamespace] = []
        for (nsName, body) in namespaces {
            let path = nsName.isEmpty ? [] : nsName.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
            if path.contains(where: { !isIdentifier($0) }) { throw error("invalid namespace name `\(nsName)`", at: body.range) }
            guard let fields = body.object else { throw error("namespace `\(nsName)` must be an object", at: body.range) }
            var ns = RawNamespace(path: path, range: body.range)
            for (key, v) in fields {
                switch key {
                case "entityTypes":
                    guard let ets = v.object else { throw error("`entityTypes` must be an object", at: v.range) }
                    for (name, def) in ets { ns.entities.append(try entity(name, def)) }
                case "actions":
                    guard let acts = v.object else { throw error("`actions` must be an object", at: v.range) }
                    for (name, def) in acts { ns.actions.append(try action(name, def)) }
                case "commonTypes":
                    guard let cts = v.object else { throw error("`commonTypes` must be an object", at: v.range) }
                    for (name, def) in cts {
                        guard isIdentifier(name) else { throw error("invalid common type name `\(name)`", at: def.range) }
                        ns.commonTypes.append(RawCommonType(name: name, type: try type(def), range: def.range))
                    }
                case "annotations":
                    if path.isEmpty { throw error("annotations are not allowed on the empty namespace", at: v.range) }
                default: throw error("unknown field `\(key)` in namespace `\(nsName)`", at: v.range)
                }
            }
            guard ns.entities.count + ns.actions.count + ns.commonTypes.count >= 0 else { continue }
            if body["entityTypes"] == nil { throw error("missing field `entityTypes` in namespace `\(nsName)`", at: body.range) }
            if body["actions"] == nil { throw error("missing field `actions` in namespace `\(nsName)`", at: body.range) }
            out.append(ns)
        }
        return out
    }

    /// An identifier that may name a type or namespace: not a reserved word, not `__cedar`.
    func isIdentifier(_ s: String) -> Bool {
        if CedarSchemaParser.reserved.contains(s) || s == "__cedar" { return false }
        guard let f = s.unicodeScalars.first, SchemaLexer.isIdentStart(f) else { return false }
        return s.unicodeScalars.allSatisfy(SchemaLexer.isIdentContinue)
    }

    func name(_ s: String, _ range: SourceRange) throws -> RawName {
        let parts = s.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy(isIdentifier) else { throw error("invalid name `\(s)`", at: range) }
        return RawName(path: Array(parts.dropLast()), basename: parts.last!, range: range)
    }

    func names(_ v: LocatedJSON, _ what: String) throws -> [RawName] {
        guard let a = v.array else { throw error("`\(what)` must be an array of type names", at: v.range) }
        return try a.map { e in
            guard let s = e.string else { throw error("`\(what)` must contain type names", at: e.range) }
            return try name(s, e.range)
        }
    }

    func entity(_ n: String, _ def: LocatedJSON) throws -> RawEntity {
        guard isIdentifier(n) else { throw error("invalid entity type name `\(n)`", at: def.range) }
        // Cedar (serde) also reads an empty array as an object with every field absent.
        if case .array(let xs) = def.value, xs.isEmpty {
            return RawEntity(name: n, range: def.range, memberOf: [], shape: nil, tags: nil, enumChoices: nil)
        }
        guard let fields = def.object else { throw error("entity type `\(n)` must be an object", at: def.range) }
        var e = RawEntity(name: n, range: def.range, memberOf: [], shape: nil, tags: nil, enumChoices: nil)
        for (k, v) in fields {
            switch k {
            case "memberOfTypes": e.memberOf = try names(v, k)
            case "shape": e.shape = try type(v)
            case "tags": e.tags = try type(v)
            case "enum":
                guard let a = v.array, !a.isEmpty else { throw error("`enum` must be a non-empty array of strings", at: v.range) }
                e.enumChoices = try a.map { x in
                    guard let s = x.string else { throw error("`enum` must contain strings", at: x.range) }
                    return s
                }
            case "annotations": break
            default: throw error("unknown field `\(k)` in entity type `\(n)`", at: v.range)
            }
        }
        if e.enumChoices != nil, e.shape != nil || e.tags != nil || !e.memberOf.isEmpty {
            throw error("an enumerated entity type `\(n)` cannot have a shape, tags or parents", at: def.range)
        }
        return e
    }

    func action(_ n: String, _ def: LocatedJSON) throws -> RawAction {
        var a = RawAction(name: n, range: def.range, memberOf: [], appliesTo: nil)
        if case .array(let xs) = def.value, xs.isEmpty { return a }
        guard let fields = def.object else { throw error("action `\(n)` must be an object", at: def.range) }
        for (k, v) in fields {
            // `memberOf` and `appliesTo` are optional: null means absent.
            if case .null = v.value, k == "memberOf" || k == "appliesTo" { continue }
            switch k {
            case "memberOf":
                guard let refs = v.array else { throw error("`memberOf` must be an array", at: v.range) }
                a.memberOf = try refs.map { r in
                    guard let id = r["id"]?.string else { throw error("an action reference needs a string `id`", at: r.range) }
                    var typePath: [String]? = nil
                    if let t = r["type"] {
                        guard let ts = t.string else { throw error("`type` must be a string", at: t.range) }
                        let rn = try name(ts, t.range)
                        typePath = rn.path + [rn.basename]
                    }
                    return RawActionRef(typePath: typePath, id: id, range: r.range)
                }
            case "appliesTo":
                guard v.object != nil else { throw error("`appliesTo` must be an object", at: v.range) }
                var at = RawAppliesTo(principals: [], resources: [], context: nil)
                for (ak, av) in v.object! {
                    switch ak {
                    case "principalTypes": at.principals = try names(av, ak)
                    case "resourceTypes": at.resources = try names(av, ak)
                    case "context": at.context = try type(av)
                    default: throw error("unknown field `\(ak)` in `appliesTo`", at: av.range)
                    }
                }
                if v["principalTypes"] == nil { throw error("missing field `principalTypes` in `appliesTo` of `\(n)`", at: v.range) }
                if v["resourceTypes"] == nil { throw error("missing field `resourceTypes` in `appliesTo` of `\(n)`", at: v.range) }
                a.appliesTo = at
            case "attributes":
                throw error("action attributes are not supported", at: v.range)
            case "annotations": break
            default: throw error("unknown field `\(k)` in action `\(n)`", at: v.range)
            }
        }
        return a
    }

    func type(_ v: LocatedJSON) throws -> RawType {
        guard v.object != nil, let t = v["type"], let kind = t.string else {
            throw error("a type must be an object with a string field `type`", at: v.range)
        }
        func allow(_ keys: Set<String>) throws {
            for (k, x) in v.object! where !keys.contains(k) && k != "type" && k != "required" && k != "annotations" {
                throw error("unknown field `\(k)` in a `\(kind)` type", at: x.range)
            }
        }
        switch kind {
        case "Long": try allow([]); return .long
        case "String": try allow([]); return .string
        case "Boolean": try allow([]); return .bool
        case "Set":
            try allow(["element"])
            guard let e = v["element"] else { throw error("a `Set` type needs `element`", at: v.range) }
            return .set(try type(e))
        case "Record":
            try allow(["attributes", "additionalAttributes"])
            if case .bool(true)? = v["additionalAttributes"]?.value {
                throw error("`additionalAttributes` is not supported", at: v.range)
            }
            var attrs: [RawAttribute] = []
            guard let a = v["attributes"] else { throw error("missing field `attributes` in a `Record` type", at: v.range) }
            do {
                guard let o = a.object else { throw error("`attributes` must be an object", at: a.range) }
                for (an, at) in o {
                    var required = true
                    if let r = at["required"] {
                        guard case .bool(let b) = r.value else { throw error("`required` must be a boolean", at: r.range) }
                        required = b
                    }
                    attrs.append(RawAttribute(name: an, type: try type(at), required: required, range: at.range))
                }
            }
            return .record(attrs)
        case "Entity":
            try allow(["name"])
            guard let n = v["name"]?.string else { throw error("an `Entity` type needs a string `name`", at: v.range) }
            return .entity(try name(n, v["name"]!.range))
        case "Extension":
            try allow(["name"])
            guard let n = v["name"]?.string else { throw error("an `Extension` type needs a string `name`", at: v.range) }
            return .ext(n, v["name"]!.range)
        case "EntityOrCommon":
            try allow(["name"])
            guard let n = v["name"]?.string else { throw error("an `EntityOrCommon` type needs a string `name`", at: v.range) }
            return .named(try name(n, v["name"]!.range))
        default:
            try allow([])
            return .common(try name(kind, t.range))
        }
    }
}
