// The parser's public face. Every entry point throws `DiagnosticError` carrying all the
// diagnostics found, in source order.

public enum CedarParser {
    /// Parses a policy file: static policies and templates, with ids `policy0`,
    /// `policy1`, … counting both together in file order, as Cedar does.
    public static func parsePolicySet(_ source: String, file: String = "<input>") throws -> PolicySet {
        var p = Parser(source: source, file: file)
        let set = p.parsePolicySet()
        try finish(p)
        return set
    }

    /// Parses one expression (the body of a `when` clause, say).
    public static func parseExpression(_ source: String, file: String = "<input>") throws -> Expr {
        var p = Parser(source: source, file: file)
        var result: Expr? = nil
        do {
            let e = try p.parseExpr()
            if p.kind != .eof { throw p.unexpected(expected: "end of input after the expression") }
            result = e
        } catch {}
        try finish(p)
        return result!
    }

    /// Parses `Type::"id"`, `A::B::"x"`.
    public static func parseEntityUID(_ s: String) throws -> EntityUID {
        var p = Parser(source: s, file: "<entity>")
        var result: EntityUID? = nil
        do {
            let uid = try p.parseEntityUIDTokens()
            if p.kind != .eof { throw p.unexpected(expected: "end of input after the entity reference") }
            result = uid
        } catch {}
        try finish(p)
        return result!
    }

    /// Parses a possibly namespaced name: `User`, `MCP::Server`.
    public static func parseName(_ s: String) throws -> Name {
        var p = Parser(source: s, file: "<name>")
        var result: Name? = nil
        do {
            guard p.kind == .ident else { throw p.unexpected(expected: "a name") }
            let name = p.parsePath(first: p.bump())
            if p.kind != .eof { throw p.unexpected(expected: "end of input after the name") }
            result = name
        } catch {}
        try finish(p)
        return result!
    }

    private static func finish(_ p: Parser) throws {
        if !p.diagnostics.isEmpty {
            let sorted = p.diagnostics.enumerated().sorted {
                ($0.element.range.start.offset, $0.offset) < ($1.element.range.start.offset, $1.offset)
            }.map(\.element)
            throw DiagnosticError(sorted)
        }
    }
}
