// Cedar's entity-store JSON: an array of `{"uid", "attrs", "parents", "tags"?}`, where
// `uid` and each parent are entity references and attribute and tag values use the
// value encoding of ValueJSON. `attrs` and `parents` are required, as in the Rust engine.

import CedarSyntax

extension Entities {
    /// Reads an entity store from JSON text. Errors name the entity and field.
    public init(json text: String, decoder: ValueDecoder = .schemaless) throws {
        let node: JSONNode
        do { node = try JSONNode(parsing: text) } catch let e {
            throw EntitiesError.json(path: "\(e.line):\(e.column)", message: e.message)
        }
        try self.init(json: node, decoder: decoder)
    }

    public init(json: JSONNode, decoder: ValueDecoder = .schemaless) throws {
        guard case .array(let items) = json else {
            throw EntitiesError.json(path: "", message: "the entity store must be a JSON array, found \(json.kindName)")
        }
        var list: [Entity] = []
        list.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            do { list.append(try Entity(json: item, decoder: decoder, path: "entity \(k)")) } catch let e as ValueJSONError {
                throw EntitiesError.json(path: e.path, message: e.message)
            }
        }
        try self.init(list)
    }
}

extension Entity {
    public init(json: JSONNode, decoder: ValueDecoder = .schemaless, path: String) throws {
        guard case .object = json else {
            throw ValueJSONError(path: path, message: "an entity must be a JSON object, found \(json.kindName)")
        }
        guard let uidNode = json["uid"] else { throw ValueJSONError(path: path, message: "missing field \"uid\"") }
        let uid = try ValueJSON.entityUID(uidNode, path: "\(path).uid")
        let here = "\(path) (\(uid))"
        guard let attrsNode = json["attrs"] else { throw ValueJSONError(path: here, message: "missing field \"attrs\"") }
        guard let parentsNode = json["parents"] else { throw ValueJSONError(path: here, message: "missing field \"parents\"") }
        let attrs = try decoder.decode(.attributes(entity: uid), attrsNode, path: "\(here).attrs")
        guard case .array(let parentNodes) = parentsNode else {
            throw ValueJSONError(path: "\(here).parents", message: "expected an array, found \(parentsNode.kindName)")
        }
        var parents = Set<EntityUID>()
        for (k, p) in parentNodes.enumerated() { parents.insert(try ValueJSON.entityUID(p, path: "\(here).parents[\(k)]")) }
        var tags: [String: Value] = [:]
        if let tagsNode = json["tags"] { tags = try decoder.decode(.tags(entity: uid), tagsNode, path: "\(here).tags") }
        self.init(uid: uid, attrs: attrs, parents: parents, tags: tags)
    }
}

extension Request {
    /// Reads a request context: a JSON object in the value encoding.
    public static func context(json: JSONNode, action: EntityUID, decoder: ValueDecoder = .schemaless,
                               path: String = "context") throws -> [String: Value] {
        guard case .object = json else {
            throw ValueJSONError(path: path, message: "the context must be a JSON object, found \(json.kindName)")
        }
        return try decoder.decode(.context(action: action), json, path: path)
    }
}
