// The one JSON reader. It keeps each value's source range, so a bad schema, entity file
// or policy JSON gets an error pointing at the offending value, not just "invalid JSON";
// `JSONNode(parsing:)` is the same reader with the positions dropped.
//
// Strict RFC 8259: no leading zeros, no lone surrogates, valid UTF-8, duplicate keys
// rejected, nesting bounded (callers pick the bound; serde_json's is 128).

/// A JSON value with the range of source text it was read from.
public struct LocatedJSON: Sendable {
    public indirect enum Value: Sendable {
        case null
        case bool(Bool)
        case integer(Int64)
        case number(String)
        case string(String)
        case array([LocatedJSON])
        /// Keys keep file order.
        case object([(String, LocatedJSON)])
    }

    public var value: Value
    public var range: SourceRange

    /// Parses one JSON document; `file` names the source in positions.
    public init(parsing text: String, file: String, maxNesting: Int = JSONNode.maxNesting) throws(JSONSyntaxError) {
        var r = JSONTextReader(Array(text.utf8), file: file, maxNesting: maxNesting)
        r.skipSpace()
        let v = try r.value(depth: 0)
        r.skipSpace()
        guard r.i == r.bytes.count else { throw r.error("unexpected text after the JSON value") }
        self = v
    }

    init(value: Value, range: SourceRange) { self.value = value; self.range = range }

    /// The value without positions.
    public var node: JSONNode {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .integer(let i): return .integer(i)
        case .number(let s): return .number(s)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(\.node))
        case .object(let o): return .object(o.map { ($0.0, $0.1.node) })
        }
    }

    public subscript(key: String) -> LocatedJSON? {
        if case .object(let kv) = value { return kv.first { $0.0 == key }?.1 }
        return nil
    }
    public var string: String? { if case .string(let s) = value { return s }; return nil }
    public var array: [LocatedJSON]? { if case .array(let a) = value { return a }; return nil }
    public var object: [(String, LocatedJSON)]? { if case .object(let o) = value { return o }; return nil }
    public var kindName: String { node.kindName }
}

/// A JSON syntax error with the position it was found at.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var range: SourceRange
    public var line: Int { range.start.line }
    public var column: Int { range.start.column }
    public var description: String { "\(line):\(column): \(message)" }
    public var diagnostic: Diagnostic { Diagnostic(.error, message, at: range) }
}

struct JSONTextReader {
    let bytes: [UInt8]
    let file: String
    let maxNesting: Int
    var i = 0
    var line = 1
    var lineStart = 0
    // Columns count Unicode scalars: continuation bytes seen on the current line.
    var continuationBytesOnLine = 0

    init(_ bytes: [UInt8], file: String, maxNesting: Int) {
        self.bytes = bytes; self.file = file; self.maxNesting = maxNesting
    }

    var location: SourceLocation {
        SourceLocation(line: line, column: i - lineStart - continuationBytesOnLine + 1, offset: i)
    }

    func error(_ message: String, from start: SourceLocation? = nil) -> JSONSyntaxError {
        let here = location
        return JSONSyntaxError(message: message, range: SourceRange(file: file, start: start ?? here, end: here))
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A: i += 1; line += 1; lineStart = i; continuationBytesOnLine = 0
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> LocatedJSON {
        let start = location
        guard i < bytes.count else { throw error("unexpected end of JSON") }
        let v: LocatedJSON.Value
        switch bytes[i] {
        case UInt8(ascii: "{"): v = try object(depth: depth)
        case UInt8(ascii: "["): v = try array(depth: depth)
        case UInt8(ascii: "\""): v = .string(try string())
        case UInt8(ascii: "t"): try literal("true"); v = .bool(true)
        case UInt8(ascii: "f"): try literal("false"); v = .bool(false)
        case UInt8(ascii: "n"): try literal("null"); v = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): v = try number()
        default:
            throw error("unexpected character '\(String(decoding: [bytes[i]], as: UTF8.self))'")
        }
        return LocatedJSON(value: v, range: SourceRange(file: file, start: start, end: location))
    }

    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
            throw error("invalid literal, expected '\(word)'")
        }
        i += w.count
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> LocatedJSON.Value {
        guard depth < maxNesting else { throw error("JSON nested too deeply (more than \(maxNesting) levels)") }
        i += 1
        var members: [(String, LocatedJSON)] = []
        var seen: Set<String> = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyStart = location
            let key = try string()
            guard seen.insert(key).inserted else { throw error("duplicate key \"\(key)\"", from: keyStart) }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
            i += 1
            skipSpace()
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of JSON in an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> LocatedJSON.Value {
        guard depth < maxNesting else { throw error("JSON nested too deeply (more than \(maxNesting) levels)") }
        i += 1
        var items: [LocatedJSON] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of JSON in an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    /// Appends bytes[run..<i] (plain string bytes, no newline) and counts their
    /// continuation bytes for columns.
    mutating func takeRun(from run: Int, into out: inout [UInt8]) {
        out.append(contentsOf: bytes[run..<i])
        for k in run..<i where bytes[k] & 0xC0 == 0x80 { continuationBytesOnLine += 1 }
    }

    /// A string literal. Raw control characters (newlines included) are errors, so the
    /// bytes consumed here never start a new line.
    mutating func string() throws(JSONSyntaxError) -> String {
        let start = location
        i += 1
        var out: [UInt8] = []
        var run = i
        while true {
            guard i < bytes.count else { takeRun(from: run, into: &out); throw error("unterminated string", from: start) }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { takeRun(from: run, into: &out); i += 1; break }
            if c < 0x20 { takeRun(from: run, into: &out); throw error("control character in string") }
            if c != UInt8(ascii: "\\") { i += 1; continue }
            takeRun(from: run, into: &out)
            i += 1
            guard i < bytes.count else { throw error("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5c)
            case UInt8(ascii: "/"): out.append(0x2f)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    throw error("unpaired surrogate in \\u escape")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
            default: throw error("invalid escape '\\\(String(decoding: [e], as: UTF8.self))'")
            }
            run = i
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8", from: start) }
        return s
    }

    mutating func number() throws(JSONSyntaxError) -> LocatedJSON.Value {
        let start = i
        var isInteger = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ r: inout JSONTextReader) -> Int {
            let s = r.i
            while r.i < r.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(r.bytes[r.i]) { r.i += 1 }
            return r.i - s
        }
        let intStart = i
        let n = digits(&self)
        guard n > 0 else { throw error("invalid number") }
        if n > 1, bytes[intStart] == UInt8(ascii: "0") { throw error("leading zero in number") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger, let v = Int64(text) { return .integer(v) }
        return .number(text)
    }
}
