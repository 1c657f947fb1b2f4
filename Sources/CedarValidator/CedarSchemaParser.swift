// Parser for the human-readable schema syntax (`.cedarschema`).

import CedarSyntax

struct CedarSchemaParser {
    var tokens: [SchemaToken]
    var pos = 0
    let file: String

    init(source: String, file: String) throws {
        var lexer = SchemaLexer(source: source, file: file)
        tokens = try lexer.tokenize()
        self.file = file
    }

    var current: SchemaToken { tokens[pos] }

    func error(_ message: String, at range: SourceRange? = nil) -> DiagnosticError {
        DiagnosticError([Diagnostic(.error, message, at: range ?? current.range)])
    }

    func describe(_ t: SchemaToken) -> String {
        switch t.kind {
        case .ident(let s): return "`\(s)`"
        case .string(let s): return cedarQuoted(s)
        case .punct(let p): return "`\(p)`"
        case .eof: return "end of file"
        }
    }

    mutating func next() -> SchemaToken { let t = tokens[pos]; if pos < tokens.count - 1 { pos += 1 }; return t }

    func isPunct(_ p: String) -> Bool { current.kind == .punct(p) }
    func isKeyword(_ k: String) -> Bool { current.kind == .ident(k) }

    mutating func expectPunct(_ p: String) throws -> SchemaToken {
        guard isPunct(p) else { throw error("expected `\(p)`, found \(describe(current))") }
        return next()
    }

    /// Cedar's reserved words, which no schema name may be (unless quoted).
    static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has"]

    mutating func expectIdent(_ what: String = "an identifier") throws -> (String, SourceRange) {
        guard case .ident(let s) = current.kind else { throw error("expected \(what), found \(describe(current))") }
        let r = current.range
        if Self.reserved.contains(s) { throw error("`\(s)` is a reserved identifier") }
        _ = next()
        return (s, r)
    }

    mutating func skipAnnotations() throws {
        while isPunct("@") {
            _ = next()
            _ = try expectIdent("an annotation name")
            if isPunct("(") {
                _ = next()
                guard case .string = current.kind else { throw error("expected a string annotation value, found \(describe(current))") }
                _ = next()
                _ = try expectPunct(")")
            }
        }
    }

    mutating func parse() throws -> [RawNamespace] {
        var empty = RawNamespace(path: [], range: current.range)
        var namespaces: [RawNamespace] = []
        while current.kind != .eof {
            try skipAnnotations()
            if isKeyword("namespace") {
                let start = next().range
                var path = [try expectIdent("a namespace name").0]
                while isPunct("::") { _ = next(); path.append(try expectIdent("a namespace name").0) }
                _ = try expectPunct("{")
                if namespaces.contains(where: { $0.path == path }) {
                    throw error("duplicate namespace id: `\(path.joined(separator: "::"))`", at: start)
                }
                var ns = RawNamespace(path: path, range: start)
                while !isPunct("}") {
                    guard current.kind != .eof else { throw error("expected `}` to close namespace `\(path.joined(separator: "::"))`") }
                    try skipAnnotations()
                    try parseDeclaration(into: &ns)
                }
                _ = next()
                namespaces.append(ns)
            } else {
                try parseDeclaration(into: &empty)
            }
        }
        return [empty] + namespaces
    }

    mutating func parseDeclaration(into ns: inout RawNamespace) throws {
        if isKeyword("entity") { _ = next(); try parseEntity(into: &ns) }
        else if isKeyword("action") { _ = next(); try parseAction(into: &ns) }
        else if isKeyword("type") { _ = next(); try parseCommonType(into: &ns) }
        else { throw error("expected `entity`, `action`, `type` or `namespace`, found \(describe(current))") }
    }

    mutating func parseEntity(into ns: inout RawNamespace) throws {
        var names = [try expectIdent("an entity type name")]
        while isPunct(",") { _ = next(); names.append(try expectIdent("an entity type name")) }
        if let (_, r) = names.first(where: { $0.0 == "__cedar" }) { throw error("use of the reserved `__cedar` namespace", at: r) }
        if isKeyword("enum") {
            _ = next()
            _ = try expectPunct("[")
            let choices: [String] = try bracketList(allowEmpty: false) { p in
                guard case .string(let s) = p.current.kind else { throw p.error("expected a string in `enum`, found \(p.describe(p.current))") }
                _ = p.next()
                return s
            }
            _ = try expectPunct(";")
            for (n, r) in names { ns.entities.append(RawEntity(name: n, range: r, memberOf: [], shape: nil, tags: nil, enumChoices: choices)) }
            return
        }
        var memberOf: [RawName] = []
        if isKeyword("in") {
            _ = next()
            memberOf = try parseTypeNameList()
        }
        var shape: RawType? = nil
        if isPunct("=") { _ = next(); guard isPunct("{") else { throw error("expected a record type after `=`") } }
        if isPunct("{") { shape = try parseRecordType() }
        var tags: RawType? = nil
        if isKeyword("tags") { _ = next(); tags = try parseType() }
        _ = try expectPunct(";")
        for (n, r) in names { ns.entities.append(RawEntity(name: n, range: r, memberOf: memberOf, shape: shape, tags: tags, enumChoices: nil)) }
    }

    /// `Path` or `[Path, …]`.
    mutating func parseTypeNameList() throws -> [RawName] {
        if isPunct("[") {
            _ = next()
            return try bracketList(allowEmpty: true) { try $0.parsePath() }
        }
        return [try parsePath()]
    }

    /// The items of `[a, b, c]` after the `[`, through the `]`. No trailing comma, as in Cedar.
    mutating func bracketList<T>(allowEmpty: Bool, _ item: (inout CedarSchemaParser) throws -> T) throws -> [T] {
        var out: [T] = []
        if isPunct("]") && allowEmpty { _ = next(); return out }
        while true {
            if isPunct("]") { throw error("unexpected token `]`") }
            out.append(try item(&self))
            if isPunct(",") { _ = next(); continue }
            _ = try expectPunct("]")
            return out
        }
    }

    mutating func parsePath() throws -> RawName {
        let (first, r) = try expectIdent("a type name")
        var parts = [first]
        var end = r.end
        while isPunct("::"), pos + 1 < tokens.count, case .ident(let s) = tokens[pos + 1].kind {
            _ = next()
            end = current.range.end
            _ = next()
            parts.append(s)
        }
        return RawName(path: Array(parts.dropLast()), basename: parts.last!, range: SourceRange(file: file, start: r.start, end: end))
    }

    mutating func parseActionName() throws -> (String, SourceRange) {
        if case .string(let s) = current.kind { let r = next().range; return (s, r) }
        return try expectIdent("an action name")
    }

    /// An action reference: `"read"`, `read`, `Action::"read"`, `NS::Action::"read"`.
    mutating func parseActionRef() throws -> RawActionRef {
        let start = current.range
        if case .string(let s) = current.kind { _ = next(); return RawActionRef(typePath: nil, id: s, range: start) }
        let (first, _) = try expectIdent("an action name")
        var parts = [first]
        while isPunct("::") {
            _ = next()
            if case .string(let s) = current.kind {
                let end = next().range.end
                return RawActionRef(typePath: parts, id: s, range: SourceRange(file: file, start: start.start, end: end))
            }
            parts.append(try expectIdent("an action name").0)
        }
        if parts.count == 1 { return RawActionRef(typePath: nil, id: first, range: start) }
        return RawActionRef(typePath: Array(parts.dropLast()), id: parts.last!, range: SourceRange(file: file, start: start.start, end: tokens[pos - 1].range.end))
    }

    mutating func parseAction(into ns: inout RawNamespace) throws {
        var names = [try parseActionName()]
        while isPunct(",") { _ = next(); names.append(try parseActionName()) }
        var memberOf: [RawActionRef] = []
        if isKeyword("in") {
            _ = next()
            if isPunct("[") {
                _ = next()
                memberOf = try bracketList(allowEmpty: false) { try $0.parseActionRef() }
            } else {
                memberOf.append(try parseActionRef())
            }
        }
        var appliesTo: RawAppliesTo? = nil
        if isKeyword("appliesTo") {
            let atRange = next().range
            _ = try expectPunct("{")
            var principals: [RawName]? = nil
            var resources: [RawName]? = nil
            var context: RawType? = nil
            while !isPunct("}") {
                let (key, keyRange) = try expectIdent("`principal`, `resource` or `context`")
                _ = try expectPunct(":")
                switch key {
                case "principal":
                    if principals != nil { throw error("duplicate `principal` declaration", at: keyRange) }
                    principals = try parseTypeNameList()
                    if principals!.isEmpty { throw error("for action `\(names[0].0)`, `principal` is `[]`, which is invalid", at: keyRange) }
                case "resource":
                    if resources != nil { throw error("duplicate `resource` declaration", at: keyRange) }
                    resources = try parseTypeNameList()
                    if resources!.isEmpty { throw error("for action `\(names[0].0)`, `resource` is `[]`, which is invalid", at: keyRange) }
                case "context":
                    if context != nil { throw error("duplicate `context` declaration", at: keyRange) }
                    context = try parseType()
                default:
                    throw error("expected `principal`, `resource` or `context`, found `\(key)`", at: keyRange)
                }
                if isPunct(",") { _ = next() } else { break }
            }
            _ = try expectPunct("}")
            guard let principals else { throw error("missing `principal` declaration for `\(names[0].0)`", at: atRange) }
            guard let resources else { throw error("missing `resource` declaration for `\(names[0].0)`", at: atRange) }
            appliesTo = RawAppliesTo(principals: principals, resources: resources, context: context)
        }
        if isKeyword("attributes") { throw error("action attributes are not supported") }
        _ = try expectPunct(";")
        for (n, r) in names { ns.actions.append(RawAction(name: n, range: r, memberOf: memberOf, appliesTo: appliesTo)) }
    }

    mutating func parseCommonType(into ns: inout RawNamespace) throws {
        let (name, r) = try expectIdent("a type name")
        if name == "__cedar" { throw error("use of the reserved `__cedar` namespace", at: r) }
        _ = try expectPunct("=")
        let t = try parseType()
        _ = try expectPunct(";")
        ns.commonTypes.append(RawCommonType(name: name, type: t, range: r))
    }

    mutating func parseType() throws -> RawType {
        if isPunct("{") { return try parseRecordType() }
        if isKeyword("Set"), pos + 1 < tokens.count, tokens[pos + 1].kind == .punct("<") {
            _ = next(); _ = next()
            let e = try parseType()
            _ = try expectPunct(">")
            return .set(e)
        }
        return .named(try parsePath())
    }

    mutating func parseRecordType() throws -> RawType {
        _ = try expectPunct("{")
        var attrs: [RawAttribute] = []
        var seen = Set<String>()
        while !isPunct("}") {
            try skipAnnotations()
            let name: String
            let r = current.range
            switch current.kind {
            case .ident(let s):
                if Self.reserved.contains(s) { throw error("`\(s)` is a reserved identifier") }
                name = s
            case .string(let s): name = s
            default: throw error("expected an attribute name, found \(describe(current))")
            }
            _ = next()
            var required = true
            if isPunct("?") { _ = next(); required = false }
            _ = try expectPunct(":")
            let t = try parseType()
            // Cedar accepts a repeated attribute; the last declaration wins.
            if !seen.insert(name).inserted { attrs.removeAll { $0.name == name } }
            attrs.append(RawAttribute(name: name, type: t, required: required, range: r))
            if isPunct(",") { _ = next() } else { break }
        }
        _ = try expectPunct("}")
        return .record(attrs)
    }
}
