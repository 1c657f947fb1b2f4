// Splits Cedar source text into tokens. Works on UTF-8 bytes for speed; lines and
// columns are tracked as it goes (columns count Unicode scalars, as editors show them).
// Lexical errors become diagnostics and the lexer carries on, so that the parser can
// report more than the first problem of a file.

struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var pos = 0
    private var line = 1
    private var col = 1
    private(set) var diagnostics: [Diagnostic] = []
    /// Byte ranges of `//` comments, kept for the formatter of whole files.
    private(set) var comments: [Range<Int>] = []

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Every token of the input, ending with one `.eof`.
    static func tokenize(_ bytes: [UInt8], file: String) -> (tokens: [Token], diagnostics: [Diagnostic], comments: [Range<Int>]) {
        var lx = Lexer(bytes: bytes, file: file)
        var out: [Token] = []
        out.reserveCapacity(bytes.count / 4 + 1)
        while true {
            let t = lx.next()
            out.append(t)
            if t.kind == .eof { break }
        }
        return (out, lx.diagnostics, lx.comments)
    }

    private var location: SourceLocation { SourceLocation(line: line, column: col, offset: pos) }

    /// Moves one byte forward, keeping line and column right.
    private mutating func advance() {
        let b = bytes[pos]
        pos += 1
        if b == 0x0A {
            line += 1; col = 1
        } else if b & 0xC0 != 0x80 {
            col += 1
        }
    }

    private func peek(_ k: Int = 0) -> UInt8? {
        pos + k < bytes.count ? bytes[pos + k] : nil
    }

    private mutating func error(_ message: String, from start: SourceLocation) {
        let r = SourceRange(file: file, start: start, end: location)
        diagnostics.append(Diagnostic(.error, message, at: r))
    }

    /// Decodes the scalar starting at `pos` without consuming it.
    private func scalarAt(_ p: Int) -> (Unicode.Scalar?, Int) {
        let b0 = bytes[p]
        var len = 1
        var v = UInt32(b0)
        if b0 >= 0xF0 { len = 4; v = UInt32(b0 & 0x07) }
        else if b0 >= 0xE0 { len = 3; v = UInt32(b0 & 0x0F) }
        else if b0 >= 0xC0 { len = 2; v = UInt32(b0 & 0x1F) }
        else if b0 >= 0x80 { return (nil, 1) }
        if p + len > bytes.count { return (nil, 1) }
        if len > 1 {
            for i in 1..<len { v = (v << 6) | UInt32(bytes[p + i] & 0x3F) }
        }
        return (Unicode.Scalar(v), len)
    }

    private mutating func skipTrivia() {
        while pos < bytes.count {
            let b = bytes[pos]
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
                advance()
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                let start = pos
                while pos < bytes.count, bytes[pos] != 0x0A { advance() }
                comments.append(start..<pos)
            default:
                // Cedar skips any Unicode white space (its lexer uses `\s`).
                if b >= 0x80 {
                    let (s, len) = scalarAt(pos)
                    if let s, s.properties.isWhitespace {
                        for _ in 0..<len { advance() }
                        continue
                    }
                }
                return
            }
        }
    }

    private static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }
    static func isIdentChar(_ b: UInt8) -> Bool {
        isIdentStart(b) || (b >= 0x30 && b <= 0x39)
    }

    mutating func next() -> Token {
        skipTrivia()
        let start = pos
        let startLoc = location
        func tok(_ k: TokenKind) -> Token {
            Token(kind: k, start: start, end: pos, startLoc: startLoc, endLoc: location)
        }
        guard pos < bytes.count else { return tok(.eof) }
        let b = bytes[pos]
        if Lexer.isIdentStart(b) {
            while pos < bytes.count, Lexer.isIdentChar(bytes[pos]) { advance() }
            return tok(.ident)
        }
        if b >= 0x30 && b <= 0x39 {
            while pos < bytes.count, bytes[pos] >= 0x30 && bytes[pos] <= 0x39 { advance() }
            return tok(.integer)
        }
        switch b {
        case UInt8(ascii: "\""):
            advance()
            var closed = false
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") { advance(); closed = true; break }
                if c == UInt8(ascii: "\\") {
                    let escStart = location
                    advance()
                    if pos < bytes.count {
                        if bytes[pos] == 0x0A {
                            error("a backslash cannot end a line inside a string literal", from: escStart)
                        }
                        advance()
                    }
                    continue
                }
                advance()
            }
            if !closed { error("unterminated string literal", from: startLoc) }
            return tok(.string)
        case UInt8(ascii: "?"):
            advance()
            while pos < bytes.count, Lexer.isIdentChar(bytes[pos]) { advance() }
            return tok(.slot)
        default:
            break
        }
        let next1 = peek(1)
        func two(_ k: TokenKind) -> Token { advance(); advance(); return tok(k) }
        func one(_ k: TokenKind) -> Token { advance(); return tok(k) }
        switch b {
        case UInt8(ascii: "@"): return one(.at)
        case UInt8(ascii: "("): return one(.lparen)
        case UInt8(ascii: ")"): return one(.rparen)
        case UInt8(ascii: "["): return one(.lbracket)
        case UInt8(ascii: "]"): return one(.rbracket)
        case UInt8(ascii: "{"): return one(.lbrace)
        case UInt8(ascii: "}"): return one(.rbrace)
        case UInt8(ascii: ","): return one(.comma)
        case UInt8(ascii: ";"): return one(.semicolon)
        case UInt8(ascii: "."): return one(.dot)
        case UInt8(ascii: "+"): return one(.plus)
        case UInt8(ascii: "-"): return one(.minus)
        case UInt8(ascii: "*"): return one(.star)
        case UInt8(ascii: ":"): return next1 == UInt8(ascii: ":") ? two(.doubleColon) : one(.colon)
        case UInt8(ascii: "="): return next1 == UInt8(ascii: "=") ? two(.eq) : one(.assign)
        case UInt8(ascii: "!"): return next1 == UInt8(ascii: "=") ? two(.neq) : one(.not)
        case UInt8(ascii: "<"): return next1 == UInt8(ascii: "=") ? two(.le) : one(.lt)
        case UInt8(ascii: ">"): return next1 == UInt8(ascii: "=") ? two(.ge) : one(.gt)
        case UInt8(ascii: "&") where next1 == UInt8(ascii: "&"): return two(.and)
        case UInt8(ascii: "|") where next1 == UInt8(ascii: "|"): return two(.or)
        default:
            // One whole scalar, so the diagnostic shows the character the user typed.
            let (_, len) = scalarAt(pos)
            for _ in 0..<len { advance() }
            let t = tok(.invalid)
            let text = String(decoding: bytes[start..<pos], as: UTF8.self)
            diagnostics.append(Diagnostic(.error, "invalid character `\(text)`",
                                          at: SourceRange(file: file, start: startLoc, end: t.endLoc),
                                          notes: Suggestions.hint(forInvalid: text, next: peek())))
            return t
        }
    }
}
