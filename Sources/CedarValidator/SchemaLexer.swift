// Tokens of the human-readable schema syntax. The schema grammar is small and its
// keywords are contextual (an attribute may be called `entity`), so keywords are lexed
// as identifiers and recognised by the parser.

import CedarSyntax

struct SchemaToken: Equatable {
    enum Kind: Equatable {
        case ident(String)
        case string(String)
        case punct(String)  // { } [ ] ( ) < > , ; : :: ? = @
        case eof
    }
    var kind: Kind
    var range: SourceRange
}

struct SchemaLexer {
    let file: String
    let scalars: [Unicode.Scalar]
    var i = 0
    var line = 1
    var column = 1
    var offset = 0

    init(source: String, file: String) {
        self.file = file
        self.scalars = Array(source.unicodeScalars)
    }

    var location: SourceLocation { SourceLocation(line: line, column: column, offset: offset) }

    mutating func advance() {
        let c = scalars[i]
        i += 1
        offset += String(c).utf8.count
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
    }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < scalars.count ? scalars[i + k] : nil }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
    static func isIdentContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentStart(c) || ("0"..."9").contains(c)
    }

    mutating func tokenize() throws -> [SchemaToken] {
        var out: [SchemaToken] = []
        while true {
            // Whitespace and `//` comments.
            while let c = peek() {
                if c == " " || c == "\t" || c == "\n" || c == "\r" { advance(); continue }
                if c == "/" && peek(1) == "/" {
                    while let d = peek(), d != "\n" { _ = d; advance() }
                    continue
                }
                break
            }
            let start = location
            guard let c = peek() else {
                out.append(SchemaToken(kind: .eof, range: SourceRange(file: file, start: start, end: start)))
                return out
            }
            if Self.isIdentStart(c) {
                var s = ""
                while let d = peek(), Self.isIdentContinue(d) { s.unicodeScalars.append(d); advance() }
                out.append(SchemaToken(kind: .ident(s), range: SourceRange(file: file, start: start, end: location)))
                continue
            }
            if c == "\"" {
                advance()
                var s = ""
                var closed = false
                while let d = peek() {
                    if d == "\"" { advance(); closed = true; break }
                    if d == "\\" {
                        let escStart = location
                        advance()
                        guard let e = peek() else { break }
                        advance()
                        switch e {
                        case "n": s += "\n"
                        case "r": s += "\r"
                        case "t": s += "\t"
                        case "0": s += "\0"
                        case "\\": s += "\\"
                        case "\"": s += "\""
                        case "'": s += "'"
                        case "u":
                            guard peek() == "{" else {
                                throw DiagnosticError([Diagnostic(.error, "invalid escape `\\u`: expected `{`", at: SourceRange(file: file, start: escStart, end: location))])
                            }
                            advance()
                            var hex = ""
                            while let h = peek(), h != "}" , hex.count <= 6 { hex.unicodeScalars.append(h); advance() }
                            guard peek() == "}", !hex.isEmpty, let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) else {
                                throw DiagnosticError([Diagnostic(.error, "invalid unicode escape", at: SourceRange(file: file, start: escStart, end: location))])
                            }
                            advance()
                            s.unicodeScalars.append(u)
                        default:
                            throw DiagnosticError([Diagnostic(.error, "invalid escape `\\\(e)` in string", at: SourceRange(file: file, start: escStart, end: location))])
                        }
                        continue
                    }
                    s.unicodeScalars.append(d)
                    advance()
                }
                guard closed else {
                    throw DiagnosticError([Diagnostic(.error, "unterminated string", at: SourceRange(file: file, start: start, end: location))])
                }
                out.append(SchemaToken(kind: .string(s), range: SourceRange(file: file, start: start, end: location)))
                continue
            }
            if c == ":" && peek(1) == ":" {
                advance(); advance()
                out.append(SchemaToken(kind: .punct("::"), range: SourceRange(file: file, start: start, end: location)))
                continue
            }
            if "{}[]()<>,;:?=@".unicodeScalars.contains(c) {
                advance()
                out.append(SchemaToken(kind: .punct(String(c)), range: SourceRange(file: file, start: start, end: location)))
                continue
            }
            advance()
            throw DiagnosticError([Diagnostic(.error, "unexpected character `\(c)` in schema", at: SourceRange(file: file, start: start, end: location))])
        }
    }
}
