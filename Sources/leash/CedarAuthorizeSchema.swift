// `leash cedar authorize --schema`: reading entities and requests as the schema types
// them, as the Rust engine does when given a schema. Entity attributes, tags and the
// context are read with their declared types (so `"10.0.0.1"` is an ipaddr where the
// schema says so); undeclared entity types, attributes, tags and parent types are
// errors; the schema's actions become entities with their declared groups; a request's
// principal and resource must be types its action applies to.

import Cedar

struct AuthorizeSchema {
    let schema: Schema

    static func load(_ text: String, file: String) throws -> AuthorizeSchema {
        let isJSON = file.hasSuffix(".json") || text.first(where: { !$0.isWhitespace }) == "{"
        do {
            return AuthorizeSchema(schema: isJSON ? try Schema.parse(json: text, file: file)
                                                  : try Schema.parse(cedarschema: text, file: file))
        } catch let e as DiagnosticError {
            throw CommandFailure(status: ExitCode.dataError, message: e.diagnostics.map { $0.rendered(source: text) }.joined(separator: "\n"))
        }
    }

    static func expected(_ t: SchemaType) -> ExpectedType {
        switch t {
        case .bool: return .bool
        case .long: return .long
        case .string: return .string
        case .set(let e): return .set(expected(e))
        case .entity(let n): return .entity(n)
        case .ext(let n): return .ext(n)
        case .record(let r): return expected(r)
        }
    }

    static func expected(_ r: SchemaRecord) -> ExpectedType {
        .record(r.attributes.mapValues { ExpectedAttribute(expected($0.type), required: $0.required) })
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    func isAction(_ uid: EntityUID) -> Bool { uid.type.isAction }

    func checkDeclared(_ uid: EntityUID, role: String) throws {
        if isAction(uid) {
            guard schema.actions[uid] != nil else { throw Problem(description: "\(role) \(uid) is not an action declared in the schema") }
            return
        }
        guard let def = schema.entityTypes[uid.type] else {
            throw Problem(description: "\(role) \(uid) has type `\(uid.type)`, which the schema does not declare")
        }
        if let choices = def.enumChoices, !choices.contains(uid.id) {
            throw Problem(description: "\(role) \(uid) is of an enumerated entity type, but \(cedarQuoted(uid.id)) is not one of its ids")
        }
    }

    var decoder: ValueDecoder {
        let schema = self.schema
        return ValueDecoder(expectedType: { site in
            switch site {
            case .attributes(let uid):
                if uid.type.isAction { return .record([:]) }
                guard let def = schema.entityTypes[uid.type] else { return nil }
                return AuthorizeSchema.expected(def.attributes)
            case .tags(let uid):
                guard let def = schema.entityTypes[uid.type], let t = def.tags else {
                    throw Problem(description: "\(uid) has tags, but the schema declares none for its type")
                }
                return AuthorizeSchema.expected(t)
            case .context(let action):
                guard let applies = schema.actions[action]?.appliesTo else { return nil }
                return AuthorizeSchema.expected(applies.context)
            }
        })
    }

    /// Reads and checks the entity store, then adds the schema's actions.
    func entities(_ text: String) throws -> Entities {
        let node = try JSONNode(parsing: text)
        guard case .array(let items) = node else { throw Problem(description: "the entity store must be a JSON array") }
        var list: [Entity] = []
        for (k, item) in items.enumerated() {
            let e = try Entity(json: item, decoder: decoder, path: "entity \(k)")
            try checkDeclared(e.uid, role: "entity")
            if isAction(e.uid) {
                guard e.parents == Set(schema.actions[e.uid]!.memberOf), e.attrs.isEmpty, e.tags.isEmpty else {
                    throw Problem(description: "entity \(k): action \(e.uid) does not match its declaration in the schema")
                }
            } else {
                let allowed = Set(schema.entityTypes[e.uid.type]!.memberOf)
                for p in e.parents.sorted() where !allowed.contains(p.type) {
                    throw Problem(description: "entity \(k): \(e.uid) cannot have a parent of type `\(p.type)` according to the schema")
                }
            }
            list.append(e)
        }
        let present = Set(list.map(\.uid))
        for (uid, def) in schema.actions where !present.contains(uid) {
            list.append(Entity(uid: uid, parents: Set(def.memberOf)))
        }
        return try Entities(list)
    }

    /// Checks a request's entities against its action's `appliesTo`.
    func check(_ r: Request, path: String) throws {
        try checkDeclared(r.action, role: "\(path): action")
        try checkDeclared(r.principal, role: "\(path): principal")
        try checkDeclared(r.resource, role: "\(path): resource")
        let applies = schema.actions[r.action]!.appliesTo
        guard let applies, applies.principals.contains(r.principal.type) else {
            throw Problem(description: "\(path): principal type `\(r.principal.type)` is not valid for \(r.action)")
        }
        guard applies.resources.contains(r.resource.type) else {
            throw Problem(description: "\(path): resource type `\(r.resource.type)` is not valid for \(r.action)")
        }
    }
}
