// Tokens of the Cedar policy language, produced by `Lexer` and consumed by `Parser`.

enum TokenKind: UInt8, Equatable {
    case ident          // principal, User, when, if, … (keywords are identifiers here)
    case string         // "…", raw text between the quotes, escapes not yet decoded
    case integer        // digits only; the sign is a separate token
    case slot           // ?principal, ?resource, or an invalid ?name (reported by the parser)
    case at, lparen, rparen, lbracket, rbracket, lbrace, rbrace
    case comma, semicolon, colon, doubleColon, dot
    case eq, neq, lt, le, gt, ge, and, or, not, minus, plus, star
    case assign         // a single `=`, only ever an error
    case invalid        // a character that starts no token
    case eof
}

/// Kept small (28 bytes): a file has a token every few bytes and the parser holds
/// them all, so 32-bit fields (inputs are limited to 2 GiB) save a lot of memory traffic.
struct Token {
    var kind: TokenKind
    private var s, e, line, column, endLine, endColumn: Int32

    init(kind: TokenKind, start: Int, end: Int, startLoc: SourceLocation, endLoc: SourceLocation) {
        self.kind = kind
        s = Int32(truncatingIfNeeded: start); e = Int32(truncatingIfNeeded: end)
        line = Int32(truncatingIfNeeded: startLoc.line); column = Int32(truncatingIfNeeded: startLoc.column)
        endLine = Int32(truncatingIfNeeded: endLoc.line); endColumn = Int32(truncatingIfNeeded: endLoc.column)
    }

    /// Byte offsets [start, end) into the UTF-8 source.
    var start: Int { Int(s) }
    var end: Int { Int(e) }
    var startLoc: SourceLocation { SourceLocation(line: Int(line), column: Int(column), offset: Int(s)) }
    var endLoc: SourceLocation { SourceLocation(line: Int(endLine), column: Int(endColumn), offset: Int(e)) }
}

extension TokenKind {
    /// How a diagnostic names the token kind when it was expected.
    var spelling: String {
        switch self {
        case .ident: return "identifier"
        case .string: return "string literal"
        case .integer: return "integer literal"
        case .slot: return "template slot"
        case .at: return "`@`"
        case .lparen: return "`(`"
        case .rparen: return "`)`"
        case .lbracket: return "`[`"
        case .rbracket: return "`]`"
        case .lbrace: return "`{`"
        case .rbrace: return "`}`"
        case .comma: return "`,`"
        case .semicolon: return "`;`"
        case .colon: return "`:`"
        case .doubleColon: return "`::`"
        case .dot: return "`.`"
        case .eq: return "`==`"
        case .neq: return "`!=`"
        case .lt: return "`<`"
        case .le: return "`<=`"
        case .gt: return "`>`"
        case .ge: return "`>=`"
        case .and: return "`&&`"
        case .or: return "`||`"
        case .not: return "`!`"
        case .minus: return "`-`"
        case .plus: return "`+`"
        case .star: return "`*`"
        case .assign: return "`=`"
        case .invalid: return "invalid character"
        case .eof: return "end of input"
        }
    }
}
