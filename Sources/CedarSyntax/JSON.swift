// The one JSON model of the Cedar modules (policy JSON, entities, contexts, requests,
// schemas, the CLI's JSON output). Foundation's JSONSerialization cannot tell `true` from
// `1`, loses integers above 2^53, silently keeps the last of two duplicate keys and drops
// key order; Cedar's JSON formats need all four, so this model keeps them.

public indirect enum JSONNode: Hashable, Sendable {
    case null
    case bool(Bool)
    /// Integers that fit in 64 bits; anything else numeric is `.number` with its text.
    case integer(Int64)
    case number(String)
    case string(String)
    case array([JSONNode])
    /// Keys keep file order.
    case object([(String, JSONNode)])

    public static func == (a: JSONNode, b: JSONNode) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let b): h.combine(1); h.combine(b)
        case .integer(let i): h.combine(2); h.combine(i)
        case .number(let s): h.combine(3); h.combine(s)
        case .string(let s): h.combine(4); h.combine(s)
        case .array(let xs): h.combine(5); h.combine(xs)
        case .object(let kv): h.combine(6); for (k, v) in kv { h.combine(k); h.combine(v) }
        }
    }

    /// The value of `key` in an object, nil for other nodes or a missing key.
    public subscript(key: String) -> JSONNode? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }

    /// What a user would call this kind of JSON value, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Arrays and objects nested deeper than this are an error, as in the Rust engine
    /// (serde_json's recursion limit), which also keeps the readers off the stack's edge.
    public static let maxNesting = 127

    /// Parses one JSON document (RFC 8259). Duplicate object keys are an error.
    public init(parsing text: String, maxNesting: Int = JSONNode.maxNesting) throws(JSONSyntaxError) {
        self = try LocatedJSON(parsing: text, file: "<json>", maxNesting: maxNesting).node
    }
}

// MARK: - Writing

extension JSONNode {
    /// Compact serialization in the style of serde_json: non-ASCII text is written as is.
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    public func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .number(let s): out += s
        case .string(let s): JSONNode.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (n, v) in a.enumerated() {
                if n > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (n, (k, v)) in o.enumerated() {
                if n > 0 { out += "," }
                JSONNode.writeString(k, to: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    public static func writeString(_ s: String, to out: inout String) {
        out += "\""
        // Most strings need no escaping at all.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += s
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        writeString(s, to: &out)
        return out
    }
}
