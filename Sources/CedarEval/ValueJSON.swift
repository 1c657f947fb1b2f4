// Cedar's JSON encoding of values, without a schema: booleans, 64-bit integers, strings,
// arrays as sets, objects as records, and two escapes that must be an object's only key:
// `{"__entity": {"type": T, "id": I}}` and `{"__extn": {"fn": F, "arg": A}}` or
// `{"__extn": {"fn": F, "args": [A, B]}}` (any extension function, arguments encoded
// the same way). An escape with extra keys, or with a body of the wrong shape, reads as
// a plain record, as in the Rust engine. `null` and non-integer numbers are errors.
//
// Schema-directed reading (an entity reference written as a bare `{"type","id"}`, say)
// belongs to the validator; it plugs in through `ValueDecoder`.

import CedarSyntax

/// How the JSON of an entity's attributes and tags, and of a request's context,
/// becomes values. The default reads without a schema; a schema-aware reader takes
/// over per object and returns nil to fall back to the default.
public struct ValueDecoder: Sendable {
    /// Where an object of values sits, so that a schema can find its expected type.
    public enum Site: Hashable, Sendable {
        /// The `attrs` object of an entity.
        case attributes(entity: EntityUID)
        /// The `tags` object of an entity.
        case tags(entity: EntityUID)
        /// The context record of a request for this action.
        case context(action: EntityUID)
    }

    public typealias Hook = @Sendable (_ site: Site, _ object: JSONNode, _ path: String) throws -> [String: Value]?

    public var hook: Hook?
    public init(hook: Hook? = nil) { self.hook = hook }
    public static let schemaless = ValueDecoder()

    /// A decoder driven by expected types: for attributes and context the record type,
    /// for tags the type every tag value has. Returning nil reads that site without a schema.
    public init(expectedType: @escaping @Sendable (Site) throws -> ExpectedType?) {
        self.init(hook: { site, object, path in
            guard let type = try expectedType(site) else { return nil }
            if case .tags = site {
                guard case .object(let fields) = object else {
                    throw ValueJSONError(path: path, message: "expected an object, found \(object.kindName)")
                }
                var tags: [String: Value] = [:]
                for (k, v) in fields { tags[k] = try ValueJSON.value(v, expected: type, path: "\(path).\(k)") }
                return tags
            }
            guard case .record(let r) = try ValueJSON.value(object, expected: type, path: path) else {
                throw ValueJSONError(path: path, message: "expected a record type for \(site)")
            }
            return r
        })
    }

    func decode(_ site: Site, _ object: JSONNode, path: String) throws -> [String: Value] {
        if let hook, let v = try hook(site, object, path) { return v }
        guard case .object(let fields) = object else {
            throw ValueJSONError(path: path, message: "expected an object, found \(object.kindName)")
        }
        var r: [String: Value] = Dictionary(minimumCapacity: fields.count)
        for (k, v) in fields { r[k] = try ValueJSON.value(v, path: path.isEmpty ? k : "\(path).\(k)") }
        return r
    }
}

/// A value that is not valid Cedar JSON, with where it was found.
public struct ValueJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

public enum ValueJSON {
    public static func value(_ json: JSONNode, path: String) throws(ValueJSONError) -> Value {
        switch json {
        case .null: throw ValueJSONError(path: path, message: "null is not a Cedar value")
        case .bool(let b): return .bool(b)
        case .integer(let i): return .long(i)
        case .number(let t): throw ValueJSONError(path: path, message: "\(t) is not a 64-bit integer (Cedar has no other numbers)")
        case .string(let s): return .string(s)
        case .array(let items):
            var s = Set<Value>()
            for (k, item) in items.enumerated() { s.insert(try value(item, path: "\(path)[\(k)]")) }
            return .set(s)
        case .object(let fields):
            if fields.count == 1 {
                let (key, body) = fields[0]
                if key == "__entity", case .string? = body["type"], case .string? = body["id"] {
                    return .entity(try typeAndID(body, path: path))
                }
                if key == "__extn", let (fn, args) = extensionCall(body) {
                    var values: [Value] = []
                    for (k, a) in args.enumerated() { values.append(try value(a, path: "\(path).__extn.args[\(k)]")) }
                    do { return try ExtensionFunctions.call(fn, values) } catch {
                        throw ValueJSONError(path: path, message: error.description)
                    }
                }
                if key == "__expr" { throw ValueJSONError(path: path, message: "the `__expr` escape is no longer supported") }
            }
            var r: [String: Value] = Dictionary(minimumCapacity: fields.count)
            for (k, v) in fields { r[k] = try value(v, path: path.isEmpty ? k : "\(path).\(k)") }
            return .record(r)
        }
    }

    /// `{"fn": F, "arg": A}` or `{"fn": F, "args": [..]}`; nil for any other shape.
    static func extensionCall(_ body: JSONNode) -> (String, [JSONNode])? {
        guard case .string(let fn)? = body["fn"] else { return nil }
        if let arg = body["arg"] { return (fn, [arg]) }
        if case .array(let args)? = body["args"] { return (fn, args) }
        return nil
    }

    /// An entity reference: `{"type": T, "id": I}` or `{"__entity": {"type": T, "id": I}}`.
    /// Other keys are ignored and a well-formed `__entity` wins, as in the Rust engine.
    public static func entityUID(_ json: JSONNode, path: String) throws(ValueJSONError) -> EntityUID {
        if let inner = json["__entity"], case .string? = inner["type"], case .string? = inner["id"] {
            return try typeAndID(inner, path: path)
        }
        if json["type"] == nil, let inner = json["__entity"] { return try typeAndID(inner, path: path) }
        return try typeAndID(json, path: path)
    }

    static func typeAndID(_ json: JSONNode, path: String) throws(ValueJSONError) -> EntityUID {
        guard case .object = json else {
            throw ValueJSONError(path: path, message: "expected an entity reference {\"type\": …, \"id\": …}, found \(json.kindName)")
        }
        guard case .string(let type)? = json["type"] else {
            throw ValueJSONError(path: path, message: "an entity reference needs a string \"type\"")
        }
        guard case .string(let id)? = json["id"] else {
            throw ValueJSONError(path: path, message: "an entity reference needs a string \"id\"")
        }
        return EntityUID(type: try entityTypeName(type, path: path), id: id)
    }

    static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"]

    /// A type name as Cedar writes it: identifiers joined by `::`, no spaces, no keywords.
    public static func entityTypeName(_ s: String, path: String) throws(ValueJSONError) -> Name {
        let name = Name(qualified: s)
        for part in name.path + [name.basename] {
            let u = Array(part.unicodeScalars)
            let ok = !u.isEmpty && (u[0] == "_" || (u[0].isASCII && u[0].properties.isAlphabetic))
                && u.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
            guard ok else { throw ValueJSONError(path: path, message: "`\(s)` is not a valid entity type name") }
            guard !reserved.contains(part) else {
                throw ValueJSONError(path: path, message: "`\(s)` is not a valid entity type name: `\(part)` is reserved")
            }
        }
        return name
    }
}
