// Policies, templates and their heads: annotations, effect, scope, conditions.

extension Parser {
    mutating func parsePolicySet() -> PolicySet {
        var set = PolicySet()
        var index = 0
        while kind != .eof {
            let startToken = i
            let errorsBefore = diagnostics.count
            do {
                let p = try parsePolicy(id: "policy\(index)")
                if diagnostics.count == errorsBefore {
                    if p.isTemplate { set.templates.append(p) } else { set.policies.append(p) }
                }
            } catch {
                recover(from: startToken)
            }
            index += 1
        }
        return set
    }

    /// Skips to just after the next `;`, or to the start of something that looks like the
    /// next policy, so that the following policies are still checked.
    mutating func recover(from startToken: Int) {
        if i == startToken, kind != .eof { _ = bump() }
        while kind != .eof {
            if kind == .semicolon { _ = bump(); return }
            if kind == .at && peekKind(1) == .ident { return }
            if (at("permit") || at("forbid")) && peekKind(1) == .lparen
                && (i == 0 || tokens[i - 1].kind != .dot) {
                return
            }
            _ = bump()
        }
    }

    mutating func parsePolicy(id: String) throws -> Policy {
        let start = tok.startLoc
        var annotations: [Annotation] = []
        while kind == .at {
            let at = bump()
            guard kind == .ident else { throw unexpected(expected: "an annotation name after `@`") }
            let keyTok = bump()
            let key = text(keyTok)
            var value: String? = nil
            if kind == .lparen {
                _ = bump()
                guard kind == .string else { throw unexpected(expected: "a string literal as the annotation's value") }
                value = stringValue(bump())
                _ = try expect(.rparen)
            }
            let r = range(from: at.startLoc)
            if annotations.contains(where: { $0.key == key }) {
                report("duplicate annotation `@\(key)`", at: r)
            }
            annotations.append(Annotation(key: key, value: value, range: r))
        }
        let effect: Effect
        if at("permit") { effect = .permit } else if at("forbid") { effect = .forbid } else {
            if kind == .ident, let fix = Suggestions.closest(to: tokText, in: ["permit", "forbid"]) {
                report("unexpected `\(tokText)`, expected `permit` or `forbid`", at: range(of: tok),
                       notes: ["help: did you mean `\(fix)`?"])
                throw ParseAbort()
            }
            throw unexpected(expected: annotations.isEmpty ? "`permit` or `forbid`" : "`permit`, `forbid` or another annotation")
        }
        _ = bump()
        _ = try expect(.lparen)
        var p = Policy(id: id, annotations: annotations, effect: effect)

        var s = tok.startLoc
        p.principal = try parseScopeVariable(.principal)
        p.principalRange = range(from: s)
        _ = try expect(.comma, "`,` and the action constraint")
        s = tok.startLoc
        p.action = try parseActionScope()
        p.actionRange = range(from: s)
        _ = try expect(.comma, "`,` and the resource constraint")
        s = tok.startLoc
        p.resource = try parseScopeVariable(.resource)
        p.resourceRange = range(from: s)
        if kind == .comma {
            throw fail("the policy scope has only three parts: principal, action and resource")
        }
        _ = try expect(.rparen)

        while kind == .ident {
            let ck: ConditionKind
            if at("when") { ck = .when } else if at("unless") { ck = .unless } else {
                report("expected `when`, `unless` or `;`, found `\(tokText)`", at: range(of: tok),
                       notes: Suggestions.note(for: tokText, in: ["when", "unless"]))
                throw ParseAbort()
            }
            let cs = bump().startLoc
            clause = "a `\(ck.rawValue)` clause"
            let open = try expect(.lbrace, "`{`")
            if kind == .rbrace {
                report("a `\(ck.rawValue)` clause cannot be empty", at: range(from: open.startLoc, to: tok.endLoc))
                _ = bump()
                continue
            }
            let body = try parseExpr()
            _ = try expect(.rbrace, "`}` closing the `\(ck.rawValue)` clause")
            p.conditions.append(Condition(kind: ck, body: body, range: range(from: cs)))
        }
        guard kind == .semicolon else { throw unexpected(expected: "`;` ending the policy") }
        _ = bump()
        p.range = range(from: start)
        return p
    }

    /// The variable word itself, with a clear error if the scope is out of order.
    mutating func expectScopeVariable(_ v: Variable) throws {
        if at(v.rawValue) { _ = bump(); return }
        if kind == .ident, let other = Variable(rawValue: tokText) {
            throw fail("found `\(other.rawValue)` where the policy scope needs `\(v.rawValue)`: the scope is `principal, action, resource` in that order")
        }
        if kind == .ident, Suggestions.closest(to: tokText, in: [v.rawValue]) != nil {
            report("unexpected `\(tokText)`, expected `\(v.rawValue)`", at: range(of: tok),
                   notes: ["help: did you mean `\(v.rawValue)`?"])
            throw ParseAbort()
        }
        throw unexpected(expected: "`\(v.rawValue)`")
    }

    /// `principal` or `resource` with an optional `==`, `in`, `is` or `is … in` constraint.
    mutating func parseScopeVariable(_ v: Variable) throws -> ScopeConstraint {
        try expectScopeVariable(v)
        let slot: SlotID = v == .principal ? .principal : .resource
        if kind == .eq {
            _ = bump()
            return .eq(try parseEntityOrSlot(slot))
        }
        if at("in") {
            _ = bump()
            return .in(try parseEntityOrSlot(slot))
        }
        if at("is") {
            _ = bump()
            guard kind == .ident else { throw unexpected(expected: "an entity type after `is`") }
            let name = parsePath(first: bump())
            if at("in") {
                _ = bump()
                return .isIn(name, try parseEntityOrSlot(slot))
            }
            if kind == .eq { throw fail("`is` cannot be combined with `==` in the policy scope; use `is … in` or `==` alone") }
            return .is(name)
        }
        return .any
    }

    mutating func parseEntityOrSlot(_ slot: SlotID) throws -> EntityOrSlot {
        if kind == .slot {
            let t = bump()
            let s = text(t)
            guard let found = SlotID(rawValue: s) else {
                report("`\(s)` is not a template slot; the slots are `?principal` and `?resource`", at: range(of: t))
                return .slot(slot)
            }
            if found != slot {
                report("`\(s)` cannot appear in the \(slot == .principal ? "principal" : "resource") constraint; use `\(slot.rawValue)`", at: range(of: t))
            }
            return .slot(slot)
        }
        if kind == .lbracket {
            throw fail("expected a single entity or `\(slot.rawValue)`; a list of entities is only allowed for `action in [...]`")
        }
        return .entity(try parseEntityUIDTokens())
    }

    /// `action`, `action == E`, `action in E`, `action in [E, …]`.
    mutating func parseActionScope() throws -> ActionConstraint {
        try expectScopeVariable(.action)
        if kind == .eq {
            _ = bump()
            return .eq(try parseActionUID())
        }
        if at("in") {
            _ = bump()
            if kind == .lbracket {
                _ = bump()
                var list: [EntityUID] = []
                while kind != .rbracket {
                    list.append(try parseActionUID())
                    if kind == .comma { _ = bump() } else { break }
                }
                _ = try expect(.rbracket, "`]` or `,`")
                return .inSet(list)
            }
            return .in(try parseActionUID())
        }
        if at("is") {
            throw fail("`is` cannot appear in the action constraint")
        }
        return .any
    }

    mutating func parseActionUID() throws -> EntityUID {
        if kind == .slot { throw fail("template slots cannot appear in the action constraint") }
        let start = tok.startLoc
        let uid = try parseEntityUIDTokens()
        if !uid.type.isAction {
            report("the action constraint needs entities of type `Action` (or `Namespace::Action`), found `\(uid)`",
                   at: range(from: start))
        }
        return uid
    }
}
