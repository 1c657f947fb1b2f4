// Reading Cedar JSON values when their type is known (from a schema). Knowing the type
// allows the shorter spellings the Rust engine accepts with a schema: an entity as a bare
// `{"type": T, "id": I}`, an extension value as `{"fn": F, "arg": A}` or as a plain
// string given to the type's constructor (`"10.0.0.1"` for an `ipaddr`). It also checks
// that the value conforms: the right JSON kind, entity type, required record attributes
// present and no attributes the type does not declare.

import CedarSyntax

/// The type a JSON value is expected to have. The validator's schema types map onto it.
public indirect enum ExpectedType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case long
    case string
    case entity(Name)
    case set(ExpectedType)
    case record([String: ExpectedAttribute])
    /// An extension type by its Cedar name: `ipaddr`, `decimal`, `datetime`, `duration`.
    case ext(String)

    public var description: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .entity(let n): return n.qualified
        case .set(let t): return "Set<\(t)>"
        case .record(let r):
            return "{" + r.keys.sorted().map { "\($0)\(r[$0]!.required ? "" : "?"): \(r[$0]!.type)" }.joined(separator: ", ") + "}"
        case .ext(let n): return n
        }
    }
}

public struct ExpectedAttribute: Hashable, Sendable {
    public var type: ExpectedType
    public var required: Bool
    public init(_ type: ExpectedType, required: Bool = true) { self.type = type; self.required = required }
}

extension ValueJSON {
    /// The constructor that builds each extension type from a string.
    static let constructors: [String: String] = ["ipaddr": "ip", "decimal": "decimal", "datetime": "datetime", "duration": "duration"]

    public static func value(_ json: JSONNode, expected: ExpectedType, path: String) throws(ValueJSONError) -> Value {
        func mismatch(_ found: String) -> ValueJSONError {
            ValueJSONError(path: path, message: "expected a value of type \(expected), found \(found)")
        }
        switch expected {
        case .bool, .long, .string:
            let v = try value(json, path: path)
            switch (expected, v) {
            case (.bool, .bool), (.long, .long), (.string, .string): return v
            default: throw mismatch(v.description)
            }
        case .entity(let type):
            guard case .object = json, json["__entity"] != nil || json["type"] != nil else {
                throw ValueJSONError(path: path, message: "expected an entity reference {\"type\": …, \"id\": …}, found \(json.kindName)")
            }
            let uid = try entityUID(json, path: path)
            guard uid.type == type else { throw mismatch("an entity of type \(uid.type)") }
            return .entity(uid)
        case .set(let element):
            guard case .array(let items) = json else { throw mismatch(json.kindName) }
            var s = Set<Value>()
            for (k, item) in items.enumerated() { s.insert(try value(item, expected: element, path: "\(path)[\(k)]")) }
            return .set(s)
        case .record(let attributes):
            guard case .object(let fields) = json else { throw mismatch(json.kindName) }
            var r: [String: Value] = Dictionary(minimumCapacity: fields.count)
            for (k, v) in fields {
                let here = path.isEmpty ? k : "\(path).\(k)"
                guard let a = attributes[k] else {
                    throw ValueJSONError(path: here, message: "attribute `\(k)` is not declared by the type \(expected)")
                }
                r[k] = try value(v, expected: a.type, path: here)
            }
            for (k, a) in attributes.sorted(by: { $0.key < $1.key }) where a.required && r[k] == nil {
                throw ValueJSONError(path: path, message: "required attribute `\(k)` is missing")
            }
            return .record(r)
        case .ext(let name):
            let v: Value
            if case .object = json, let body = json["__extn"] ?? (json["fn"] != nil ? json : nil),
               let (fn, args) = extensionCall(body) {
                var values: [Value] = []
                for (k, a) in args.enumerated() { values.append(try value(a, path: "\(path).args[\(k)]")) }
                do { v = try ExtensionFunctions.call(fn, values) } catch { throw ValueJSONError(path: path, message: error.description) }
            } else if case .object = json {
                v = try value(json, path: path)
            } else {
                guard let constructor = constructors[name] else {
                    throw ValueJSONError(path: path, message: "unknown extension type `\(name)`")
                }
                let argument = try value(json, path: path)
                do { v = try ExtensionFunctions.call(constructor, [argument]) } catch {
                    throw ValueJSONError(path: path, message: error.description)
                }
            }
            guard v.typeName == name else { throw mismatch(v.description) }
            return v
        }
    }
}
