// Decodes the body of a Cedar string literal the way Cedar does (Rust's string
// unescaping): \n \r \t \\ \0 \' \" , \xHH up to 7F, and \u{H…} with 1 to 6 hex
// digits (underscores allowed after the first) naming a Unicode scalar. In a `like`
// pattern `\*` is also allowed and means a literal star, while a bare `*` is a wildcard.

struct InvalidEscape: Error {
    /// Byte offsets, within the literal's body, of the offending text.
    var start: Int
    var end: Int
    var text: String
}

enum StringEscapes {
    /// Decodes a plain string literal body.
    static func unescape(_ body: ArraySlice<UInt8>) -> Result<String, InvalidEscape> {
        // Fast path: nothing to decode.
        if !body.contains(UInt8(ascii: "\\")) {
            return .success(String(decoding: body, as: UTF8.self))
        }
        var scalars = String.UnicodeScalarView()
        var failure: InvalidEscape?
        walk(body, pattern: false, onError: { failure = $0 }) { el in
            if case .char(let c) = el { scalars.append(c) }
        }
        if let failure { return .failure(failure) }
        return .success(String(scalars))
    }

    /// Decodes a `like` pattern body into literal characters and wildcards.
    static func pattern(_ body: ArraySlice<UInt8>) -> Result<[PatternElement], InvalidEscape> {
        var out: [PatternElement] = []
        var failure: InvalidEscape?
        walk(body, pattern: true, onError: { failure = $0 }) { out.append($0) }
        if let failure { return .failure(failure) }
        return .success(out)
    }

    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: return UInt32(b - 0x30)
        case 0x61...0x66: return UInt32(b - 0x61 + 10)
        case 0x41...0x46: return UInt32(b - 0x41 + 10)
        default: return nil
        }
    }

    private static func walk(_ body: ArraySlice<UInt8>, pattern: Bool,
                             onError: (InvalidEscape) -> Void,
                             emit: (PatternElement) -> Void) {
        let base = body.startIndex
        var i = body.startIndex
        let end = body.endIndex
        func fail(_ from: Int, _ to: Int) {
            let text = String(decoding: body[from..<min(to, end)], as: UTF8.self)
            onError(InvalidEscape(start: from - base, end: min(to, end) - base, text: text))
        }
        // Decode the UTF-8 text in place; the lexer guaranteed nothing about validity
        // beyond what `String(decoding:)` repairs, so decode per scalar.
        while i < end {
            let b = body[i]
            if b == UInt8(ascii: "\\") {
                let escStart = i
                guard i + 1 < end else { fail(escStart, end); return }
                let c = body[i + 1]
                i += 2
                switch c {
                case UInt8(ascii: "n"): emit(.char("\n"))
                case UInt8(ascii: "r"): emit(.char("\r"))
                case UInt8(ascii: "t"): emit(.char("\t"))
                case UInt8(ascii: "\\"): emit(.char("\\"))
                case UInt8(ascii: "0"): emit(.char("\0"))
                case UInt8(ascii: "'"): emit(.char("'"))
                case UInt8(ascii: "\""): emit(.char("\""))
                case UInt8(ascii: "*") where pattern: emit(.char("*"))
                case UInt8(ascii: "x"):
                    guard i + 1 < end, let h = hexValue(body[i]), let l = hexValue(body[i + 1]) else {
                        fail(escStart, min(i + 2, end)); return
                    }
                    i += 2
                    let v = h * 16 + l
                    guard v <= 0x7F else { fail(escStart, i); return }
                    // Only `\*` is a literal star: Cedar reads a star spelled `\x2a` as a wildcard.
                    emit(pattern && v == 0x2A ? .wildcard : .char(Unicode.Scalar(UInt8(v))))
                case UInt8(ascii: "u"):
                    guard i < end, body[i] == UInt8(ascii: "{") else { fail(escStart, i); return }
                    i += 1
                    var v: UInt32 = 0
                    var digits = 0
                    var closed = false
                    while i < end {
                        let d = body[i]
                        if d == UInt8(ascii: "}") { i += 1; closed = true; break }
                        if d == UInt8(ascii: "_") && digits > 0 { i += 1; continue }
                        guard let h = hexValue(d) else { i += 1; break }
                        digits += 1
                        i += 1
                        if digits > 6 { break }
                        v = v * 16 + h
                    }
                    guard closed, digits >= 1, digits <= 6, let s = Unicode.Scalar(v) else {
                        fail(escStart, i); return
                    }
                    emit(pattern && s == "*" ? .wildcard : .char(s))
                default:
                    // Report the whole escaped character, which may be several bytes.
                    var j = i
                    while j < end, body[j] & 0xC0 == 0x80 { j += 1 }
                    fail(escStart, j); return
                }
                continue
            }
            if b == UInt8(ascii: "*") && pattern {
                emit(.wildcard)
                i += 1
                continue
            }
            // One UTF-8 scalar.
            var len = 1
            if b >= 0xF0 { len = 4 } else if b >= 0xE0 { len = 3 } else if b >= 0xC0 { len = 2 }
            let stop = min(i + len, end)
            for s in String(decoding: body[i..<stop], as: UTF8.self).unicodeScalars { emit(.char(s)) }
            i = stop
        }
    }
}
