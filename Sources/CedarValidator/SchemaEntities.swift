// Reading entities, contexts and requests with a schema, as Cedar does when a schema
// is given to the authorizer: values are read by their declared types (an `ipaddr`
// written as a plain string, an entity as a bare {"type","id"}), every entity must
// conform (declared type, required attributes present, no undeclared ones, allowed
// parent types, declared enum ids and tag types), and the schema's action entities,
// with their hierarchy, join the store.

import CedarEval
import CedarSyntax

/// An entity, context or request that does not conform to the schema.
public struct SchemaConformanceError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension SchemaType {
    /// The same type as CedarEval's typed JSON reader names it.
    public var expectedType: ExpectedType {
        switch self {
        case .bool: return .bool
        case .long: return .long
        case .string: return .string
        case .set(let e): return .set(e.expectedType)
        case .record(let r): return r.expectedType
        case .entity(let n): return .entity(n)
        case .ext(let n): return .ext(n)
        }
    }
}

extension SchemaRecord {
    public var expectedType: ExpectedType {
        .record(attributes.mapValues { ExpectedAttribute($0.type.expectedType, required: $0.required) })
    }
}

extension Schema {
    /// Reads attribute, tag and context JSON by the types this schema declares.
    public var valueDecoder: ValueDecoder {
        let schema = self
        return ValueDecoder(hook: { site, object, path in
            switch site {
            case .attributes(let uid):
                let type = try schema.attributeType(of: uid, path: path)
                return try schema.record(object, type, path)
            case .context(let action):
                guard let def = schema.actions[action] else {
                    throw SchemaConformanceError(path: path, message: "action `\(action)` does not exist in the schema")
                }
                return try schema.record(object, def.appliesTo?.context.expectedType ?? .record([:]), path)
            case .tags(let uid):
                guard case .object(let fields) = object else {
                    throw SchemaConformanceError(path: path, message: "expected an object of tags, found \(object.kindName)")
                }
                guard let tagType = schema.entityTypes[uid.type]?.tags else {
                    if let (k, _) = fields.first {
                        throw SchemaConformanceError(path: path, message: "found a tag `\(k)` on `\(uid)`, but no tags should exist on `\(uid)` according to the schema")
                    }
                    return [:]
                }
                var tags: [String: Value] = [:]
                for (k, v) in fields { tags[k] = try ValueJSON.value(v, expected: tagType.expectedType, path: "\(path).\(k)") }
                return tags
            }
        })
    }

    func record(_ object: JSONNode, _ type: ExpectedType, _ path: String) throws -> [String: Value] {
        guard case .record(let r) = try ValueJSON.value(object, expected: type, path: path) else {
            throw SchemaConformanceError(path: path, message: "expected a record")
        }
        return r
    }

    func attributeType(of uid: EntityUID, path: String) throws -> ExpectedType {
        if let def = entityTypes[uid.type] { return def.attributes.expectedType }
        if actions[uid] != nil { return .record([:]) }
        if uid.type.isAction && actions.keys.contains(where: { $0.type == uid.type }) {
            throw SchemaConformanceError(path: path, message: "found action entity `\(uid)`, but it was not declared as an action in the schema")
        }
        throw SchemaConformanceError(path: path, message: "entity `\(uid)` has type `\(uid.type)` which is not declared in the schema")
    }

    /// The schema's actions as entities: no attributes, their ancestors as parents.
    public var actionEntities: [Entity] {
        sortedActionIDs.map { Entity(uid: $0, parents: actionAncestors[$0] ?? []) }
    }

    /// Reads an entity store conforming to this schema; the schema's action entities are added.
    public func parseEntities(json text: String) throws -> Entities {
        let node: JSONNode
        do { node = try JSONNode(parsing: text) } catch let e {
            throw SchemaConformanceError(path: "\(e.line):\(e.column)", message: e.message)
        }
        guard case .array(let items) = node else {
            throw SchemaConformanceError(path: "", message: "the entity store must be a JSON array, found \(node.kindName)")
        }
        let decoder = valueDecoder
        var list: [Entity] = []
        var given = Set<EntityUID>()
        for (k, item) in items.enumerated() {
            let path = "entity \(k)"
            let e = try Entity(json: item, decoder: decoder, path: path)
            try checkConformance(e, path: "\(path) (\(e.uid))")
            list.append(e)
            given.insert(e.uid)
        }
        // Cedar compares a given action's ancestors after closing the given hierarchy, so
        // `read in [readGroup]` conforms when the store also has `readGroup in [all]`.
        let closed = try Entities(list)
        for (k, e) in list.enumerated() where actions[e.uid] != nil && closed.ancestors(of: e.uid) != (actionAncestors[e.uid] ?? []) {
            throw SchemaConformanceError(path: "entity \(k) (\(e.uid))", message: "definition of action `\(e.uid)` does not match its schema declaration")
        }
        list += actionEntities.filter { !given.contains($0.uid) }
        return try Entities(list)
    }

    func checkConformance(_ e: Entity, path: String) throws {
        if actions[e.uid] != nil {
            guard e.attrs.isEmpty, e.tags.isEmpty else {
                throw SchemaConformanceError(path: path, message: "definition of action `\(e.uid)` does not match its schema declaration")
            }
            return
        }
        guard let def = entityTypes[e.uid.type] else {
            throw SchemaConformanceError(path: path, message: "entity `\(e.uid)` has type `\(e.uid.type)` which is not declared in the schema")
        }
        if let choices = def.enumChoices, !choices.contains(e.uid.id) {
            throw SchemaConformanceError(path: path, message: "entity `\(e.uid)` is of an enumerated entity type, but `\(cedarQuoted(e.uid.id))` is not declared as a valid eid")
        }
        for p in e.parents.sorted() where !(entityDescendants[p.type]?.contains(e.uid.type) ?? false) {
            throw SchemaConformanceError(path: path, message: "`\(e.uid)` is not allowed to have an ancestor of type `\(p.type)` according to the schema")
        }
    }

    /// Reads the context of a request for `action` by the action's declared context type.
    public func parseContext(json text: String, action: EntityUID) throws -> [String: Value] {
        let node: JSONNode
        do { node = try JSONNode(parsing: text) } catch let e {
            throw SchemaConformanceError(path: "context \(e.line):\(e.column)", message: e.message)
        }
        return try parseContext(json: node, action: action)
    }

    public func parseContext(json node: JSONNode, action: EntityUID) throws -> [String: Value] {
        guard actions[action] != nil else {
            throw SchemaConformanceError(path: "", message: "action `\(action)` does not exist in the schema")
        }
        return try Request.context(json: node, action: action, decoder: valueDecoder)
    }

    /// Checks a request against the schema: a declared action that applies to the
    /// principal's and the resource's types, and a context of the declared type.
    public func validateRequest(_ r: Request) throws {
        guard let def = actions[r.action] else {
            throw SchemaConformanceError(path: "", message: "action `\(r.action)` does not exist in the schema")
        }
        let at = def.appliesTo
        guard at?.principals.contains(r.principal.type) == true else {
            throw SchemaConformanceError(path: "", message: "principal type `\(r.principal.type)` is not valid for `\(r.action)`")
        }
        guard at?.resources.contains(r.resource.type) == true else {
            throw SchemaConformanceError(path: "", message: "resource type `\(r.resource.type)` is not valid for `\(r.action)`")
        }
        for (uid, what) in [(r.principal, "principal"), (r.resource, "resource")] {
            if let choices = entityTypes[uid.type]?.enumChoices, !choices.contains(uid.id) {
                throw SchemaConformanceError(path: "", message: "\(what) `\(uid)` is of an enumerated entity type, but `\(cedarQuoted(uid.id))` is not declared as a valid eid")
            }
        }
    }
}
