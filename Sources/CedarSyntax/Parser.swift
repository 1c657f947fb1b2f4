// A recursive-descent parser for Cedar policies, templates and expressions.
//
// Errors are recorded as diagnostics. A problem that leaves the parse position
// meaningful (a bad escape, a duplicate key, a reserved word) is recorded and parsing
// goes on; one that does not (an unexpected token) aborts the current policy, and the
// parser resumes at the next policy, so one run reports the errors of every policy.

/// Thrown inside the parser after a diagnostic has been recorded, to unwind to the
/// nearest recovery point.
struct ParseAbort: Error {}

struct Parser {
    let bytes: [UInt8]
    let file: String
    var tokens: [Token]
    var i = 0
    var diagnostics: [Diagnostic]
    let comments: [Range<Int>]
    /// Current recursion depth of nested expressions (parentheses, brackets, …).
    var nesting = 0
    /// The clause being parsed, for the message about slots in conditions.
    var clause = "expression"

    /// Deeper nesting than this is refused with a diagnostic, so that no input (fuzzed or
    /// hostile) can exhaust the stack here or in the recursive passes that follow
    /// (formatter, evaluator, validator).
    static let maxNesting = 64
    /// Longest chain of nodes from an expression's root to a leaf, including the left-deep
    /// chains that `a || b || c …` builds without recursion in the parser.
    static let maxTreeDepth = 512

    /// Tokens keep 32-bit offsets.
    static let maxInputBytes = Int(Int32.max)

    init(source: String, file: String) {
        bytes = Array(source.utf8.count < Parser.maxInputBytes ? source.utf8 : "".utf8)
        self.file = file
        if source.utf8.count >= Parser.maxInputBytes {
            tokens = Lexer.tokenize(bytes, file: file).tokens
            comments = []
            diagnostics = [Diagnostic(.error, "input is too large (2 GiB or more)",
                                      at: SourceRange(file: file, start: SourceLocation(line: 1, column: 1, offset: 0),
                                                      end: SourceLocation(line: 1, column: 1, offset: 0)))]
            return
        }
        let lexed = Lexer.tokenize(bytes, file: file)
        tokens = lexed.tokens
        diagnostics = lexed.diagnostics
        comments = lexed.comments
    }

    // MARK: - Token access

    var tok: Token { tokens[i] }
    var kind: TokenKind { tokens[i].kind }
    func peekKind(_ k: Int) -> TokenKind { tokens[min(i + k, tokens.count - 1)].kind }

    func text(_ t: Token) -> String { String(decoding: bytes[t.start..<t.end], as: UTF8.self) }
    var tokText: String { text(tok) }

    /// True if the current token is the identifier `word`.
    func at(_ word: String) -> Bool {
        guard kind == .ident else { return false }
        let t = tok
        let u = word.utf8
        guard t.end - t.start == u.count else { return false }
        var j = t.start
        for b in u { if bytes[j] != b { return false }; j += 1 }
        return true
    }

    mutating func bump() -> Token {
        let t = tokens[i]
        if i < tokens.count - 1 { i += 1 }
        return t
    }

    var previousEnd: SourceLocation { i > 0 ? tokens[i - 1].endLoc : tokens[0].startLoc }

    func range(from start: SourceLocation, to end: SourceLocation) -> SourceRange {
        SourceRange(file: file, start: start, end: end)
    }
    func range(of t: Token) -> SourceRange { range(from: t.startLoc, to: t.endLoc) }
    func range(from start: SourceLocation) -> SourceRange { range(from: start, to: previousEnd) }

    // MARK: - Errors

    mutating func report(_ message: String, at r: SourceRange, notes: [String] = []) {
        diagnostics.append(Diagnostic(.error, message, at: r, notes: notes))
    }

    /// Records an error at the current token and aborts to the recovery point. An
    /// invalid character, or the end of input after an unterminated string, was already
    /// reported by the lexer, so a second message about it would only be noise.
    mutating func fail(_ message: String) -> ParseAbort {
        if kind == .invalid || (kind == .eof && lexerSwallowedTheEnd) { return ParseAbort() }
        report(message, at: range(of: tok))
        return ParseAbort()
    }

    var lexerSwallowedTheEnd: Bool {
        tokens.count >= 2 && tokens[tokens.count - 2].kind == .string
            && !(tokens[tokens.count - 2].end - tokens[tokens.count - 2].start >= 2
                 && stringBody(tokens[tokens.count - 2]).endIndex == tokens[tokens.count - 2].end - 1)
    }

    var describeCurrent: String {
        switch kind {
        case .eof: return "end of input"
        case .invalid: return "invalid character `\(tokText)`"
        default:
            var s = tokText
            if s.unicodeScalars.count > 40 { s = String(s.unicodeScalars.prefix(37)) + "..." }
            return "`\(s)`"
        }
    }

    mutating func unexpected(expected: String) -> ParseAbort {
        if kind == .assign {
            report("unexpected `=`, expected \(expected)", at: range(of: tok), notes: ["help: write `==` to compare"])
            return ParseAbort()
        }
        return fail("unexpected \(describeCurrent), expected \(expected)")
    }

    mutating func expect(_ k: TokenKind, _ what: String? = nil) throws -> Token {
        guard kind == k else { throw unexpected(expected: what ?? k.spelling) }
        return bump()
    }

    mutating func expectWord(_ word: String) throws {
        guard at(word) else { throw unexpected(expected: "`\(word)`") }
        _ = bump()
    }

    // MARK: - Literals and names

    static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "like", "has", "is", "__cedar"]

    /// `reserved.contains(s)`, without hashing for the common case of a word that starts
    /// with a letter no reserved word starts with.
    static func isReserved(_ s: String) -> Bool {
        switch s.utf8.first {
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "i"), UInt8(ascii: "e"),
             UInt8(ascii: "l"), UInt8(ascii: "h"), UInt8(ascii: "_"):
            return s.utf8.count <= 7 && reserved.contains(s)
        default:
            return false
        }
    }

    /// Checks an identifier used as an attribute, record key, or part of a name.
    mutating func checkIdentifier(_ t: Token) {
        let s = text(t)
        if s == "__cedar" {
            report("`__cedar` is reserved and cannot be used as an identifier", at: range(of: t))
        } else if Parser.isReserved(s) {
            report("`\(s)` is a reserved word and cannot be used as an identifier", at: range(of: t))
        }
    }

    /// Decodes a string token; a bad escape is reported and the literal becomes "".
    mutating func stringValue(_ t: Token) -> String {
        let body = stringBody(t)
        switch StringEscapes.unescape(body) {
        case .success(let s): return s
        case .failure(let e):
            reportEscape(e, in: t)
            return ""
        }
    }

    func stringBody(_ t: Token) -> ArraySlice<UInt8> {
        // The lexer leaves off the closing quote of an unterminated literal.
        let closed = t.end - t.start >= 2 && bytes[t.end - 1] == UInt8(ascii: "\"")
            && !isEscaped(t.end - 1, from: t.start + 1)
        return bytes[(t.start + 1)..<(closed ? t.end - 1 : t.end)]
    }

    private func isEscaped(_ p: Int, from lo: Int) -> Bool {
        var n = 0
        var j = p - 1
        while j >= lo, bytes[j] == UInt8(ascii: "\\") { n += 1; j -= 1 }
        return n % 2 == 1
    }

    mutating func reportEscape(_ e: InvalidEscape, in t: Token) {
        // Walk from the token start to find the escape's line and column.
        var loc = t.startLoc
        var p = t.start
        let target = t.start + 1 + e.start
        while p < target {
            if bytes[p] == 0x0A { loc.line += 1; loc.column = 1 }
            else if bytes[p] & 0xC0 != 0x80 { loc.column += 1 }
            p += 1
        }
        loc.offset = target
        var end = loc
        end.column += e.text.unicodeScalars.count
        end.offset += e.text.utf8.count
        report("invalid escape `\(e.text)` in string literal", at: range(from: loc, to: end),
               notes: ["help: valid escapes are \\n \\r \\t \\\\ \\0 \\' \\\" \\xHH (up to 7F) and \\u{HHHHHH}"])
    }

    /// `Ident {:: Ident}` while the next part is an identifier (not a string).
    mutating func parsePath(first: Token) -> Name {
        var parts = [text(first)]
        checkIdentifier(first)
        while kind == .doubleColon, peekKind(1) == .ident {
            _ = bump()
            let t = bump()
            checkIdentifier(t)
            parts.append(text(t))
        }
        return Name(path: Array(parts.dropLast()), basename: parts.last!)
    }

    /// `Path :: "id"`.
    mutating func parseEntityUIDTokens() throws -> EntityUID {
        guard kind == .ident else { throw unexpected(expected: "an entity reference like `Type::\"id\"`") }
        let first = bump()
        let name = parsePath(first: first)
        guard kind == .doubleColon else { throw unexpected(expected: "`::` and a quoted entity id") }
        _ = bump()
        guard kind == .string else { throw unexpected(expected: "a quoted entity id") }
        return EntityUID(type: name, id: stringValue(bump()))
    }
}
