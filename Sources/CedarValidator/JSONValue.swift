// A small JSON reader that keeps source positions, so that a bad schema or entity
// file gets an error pointing at the offending value, not just "invalid JSON".

import CedarSyntax

indirect enum JSONValue {
    case null
    case bool(Bool)
    /// Integers are kept exact; Cedar has no floating-point values.
    case int(Int64)
    case double(Double)
    case string(String)
    case array([Located])
    /// Keys keep file order.
    case object([(String, Located)])

    struct Located {
        var value: JSONValue
        var range: SourceRange
    }

    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSONValue.Located {
    subscript(key: String) -> JSONValue.Located? {
        if case .object(let kv) = value { return kv.first { $0.0 == key }?.1 }
        return nil
    }
    var string: String? { if case .string(let s) = value { return s }; return nil }
    var array: [JSONValue.Located]? { if case .array(let a) = value { return a }; return nil }
    var object: [(String, JSONValue.Located)]? { if case .object(let o) = value { return o }; return nil }
}

struct JSONReader {
    let file: String
    let bytes: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    // Columns count Unicode scalars: track continuation bytes on the current line.
    var continuationBytesOnLine = 0

    init(_ text: String, file: String) {
        self.file = file
        self.bytes = Array(text.utf8)
    }

    static func parse(_ text: String, file: String) throws -> JSONValue.Located {
        var r = JSONReader(text, file: file)
        r.skipSpace()
        let v = try r.value()
        r.skipSpace()
        if r.i < r.bytes.count { throw r.fail("unexpected text after the JSON value") }
        return v
    }

    var location: SourceLocation {
        SourceLocation(line: line, column: i - lineStart - continuationBytesOnLine + 1, offset: i)
    }

    func fail(_ message: String, from start: SourceLocation? = nil) -> DiagnosticError {
        let here = location
        return DiagnosticError([Diagnostic(.error, message, at: SourceRange(file: file, start: start ?? here, end: here))])
    }

    mutating func bump() {
        let b = bytes[i]
        i += 1
        if b == 0x0A { line += 1; lineStart = i; continuationBytesOnLine = 0 }
        else if b & 0xC0 == 0x80 { continuationBytesOnLine += 1 }
    }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { bump() }
    }

    mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { return false }
        for _ in w { bump() }
        return true
    }

    mutating func value() throws -> JSONValue.Located {
        let start = location
        guard i < bytes.count else { throw fail("unexpected end of JSON") }
        let v: JSONValue
        switch bytes[i] {
        case UInt8(ascii: "{"):
            bump(); skipSpace()
            var kv: [(String, JSONValue.Located)] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { bump() } else {
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    let keyStart = location
                    let k = try string()
                    if kv.contains(where: { $0.0 == k }) { throw fail("duplicate key `\(k)`", from: keyStart) }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected `:`") }
                    bump(); skipSpace()
                    kv.append((k, try value()))
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end of JSON") }
                    if bytes[i] == UInt8(ascii: ",") { bump(); continue }
                    if bytes[i] == UInt8(ascii: "}") { bump(); break }
                    throw fail("expected `,` or `}`")
                }
            }
            v = .object(kv)
        case UInt8(ascii: "["):
            bump(); skipSpace()
            var a: [JSONValue.Located] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { bump() } else {
                while true {
                    skipSpace()
                    a.append(try value())
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end of JSON") }
                    if bytes[i] == UInt8(ascii: ",") { bump(); continue }
                    if bytes[i] == UInt8(ascii: "]") { bump(); break }
                    throw fail("expected `,` or `]`")
                }
            }
            v = .array(a)
        case UInt8(ascii: "\""):
            v = .string(try string())
        case UInt8(ascii: "t"):
            guard literal("true") else { throw fail("invalid JSON value") }
            v = .bool(true)
        case UInt8(ascii: "f"):
            guard literal("false") else { throw fail("invalid JSON value") }
            v = .bool(false)
        case UInt8(ascii: "n"):
            guard literal("null") else { throw fail("invalid JSON value") }
            v = .null
        default:
            v = try number()
        }
        return JSONValue.Located(value: v, range: SourceRange(file: file, start: start, end: location))
    }

    mutating func number() throws -> JSONValue {
        let start = i
        var isInteger = true
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { bump() }
        while i < bytes.count {
            let b = bytes[i]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { bump(); continue }
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
                isInteger = false; bump(); continue
            }
            break
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if text.isEmpty || text == "-" { throw fail("invalid JSON value") }
        if isInteger, let n = Int64(text) { return .int(n) }
        guard let d = Double(text) else { throw fail("invalid number `\(text)`") }
        return .double(d)
    }

    mutating func string() throws -> String {
        bump()  // opening quote
        var out = [UInt8]()
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { bump(); break }
            if b < 0x20 { throw fail("control character in string") }
            if b == UInt8(ascii: "\\") {
                bump()
                guard i < bytes.count else { throw fail("unterminated string") }
                let e = bytes[i]
                bump()
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var cp = try hex4()
                    if (0xD800..<0xDC00).contains(cp) {
                        guard literal("\\u") else { throw fail("unpaired surrogate in string") }
                        let lo = try hex4()
                        guard (0xDC00..<0xE000).contains(lo) else { throw fail("unpaired surrogate in string") }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(cp) else { throw fail("unpaired surrogate in string") }
                    out.append(contentsOf: Array(String(u).utf8))
                default: throw fail("invalid escape in string")
                }
                continue
            }
            out.append(b)
            bump()
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        for _ in 0..<4 { bump() }
        return v
    }
}
