// Validation errors point at the offending expression: `file:line:column`, the policy id
// in the message, and a caret excerpt under the text. Positions are marked in the
// policy text with `⟨` (where the error must start) so that the test reads like the
// error it expects.

import CedarSyntax
import CedarValidator
import Testing

@Suite struct ValidationDiagnosticsTests {
    static let schema = try! Schema.parse(cedarschema: """
        entity User { name: String, age?: Long };
        entity Doc { owner: User };
        action read appliesTo { principal: [User], resource: [Doc], context: { mfa: Bool } };
        """, file: "s.cedarschema")

    /// Removes the `⟨` marker and returns the text with the marker's line and column.
    static func marked(_ text: String) -> (String, Int, Int) {
        var line = 1, column = 1, out = ""
        var at = (0, 0)
        for ch in text {
            if ch == "⟨" { at = (line, column); continue }
            out.append(ch)
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (out, at.0, at.1)
    }

    func errors(_ text: String) throws -> [Diagnostic] {
        Validator.validate(try CedarParser.parsePolicySet(text, file: "p.cedar"), schema: Self.schema)
    }

    @Test(arguments: [
        ("unguarded optional attribute", "permit(principal, action, resource);\npermit(principal, action, resource)\n  when { ⟨principal.age > 1 };", "policy1", "optional attribute `age`"),
        ("unknown attribute", "permit(principal, action, resource) when { resource.owner.name == \"a\" && ⟨resource.title == \"t\" };", "policy0", "attribute `title`"),
        ("mismatched ==", "permit(principal, action, resource) when {\n    ⟨principal.name == 1 };", "policy0", "not compatible"),
        ("non-boolean operand", "permit(principal, action, resource) when { context.mfa && ⟨principal.name };", "policy0", "expected Bool"),
        ("empty set", "permit(principal, action, resource) when { ⟨[].isEmpty() };", "policy0", "empty set"),
        ("unknown entity type", "permit(principal, action, resource) when { principal == ⟨Usr::\"a\" };", "policy0", "unrecognized entity type `Usr`"),
        ("bad constructor literal", "permit(principal, action, resource) when { ⟨ip(\"1.2.3\").isLoopback() };", "policy0", "IP address"),
    ])
    func errorsPointAtTheExpression(_ c: (String, String, String, String)) throws {
        let (text, line, column) = Self.marked(c.1)
        let es = try errors(text)
        let e = try #require(es.first { $0.message.contains(c.3) }, "\(c.0): \(es.map(\.description))")
        #expect(e.message.contains("`\(c.2)`"))
        #expect(e.range.file == "p.cedar")
        #expect(e.range.start.line == line, "\(c.0)")
        #expect(e.range.start.column == column, "\(c.0)")
    }

    @Test func renderedDiagnosticHasACaretExcerpt() throws {
        let text = "permit(principal, action, resource)\n  when { principal.age > 1 };"
        let e = try #require(try errors(text).first)
        let rendered = e.rendered(source: text)
        #expect(rendered.hasPrefix("p.cedar:2:10: error: for policy `policy0`, unable to guarantee safety of access to optional attribute `age`"))
        #expect(rendered.contains("2 |   when { principal.age > 1 };"))
        #expect(rendered.contains("  |          ^^^^^^^^^^^^^"))
    }

    @Test func eachPolicyIsReportedOnceEvenWhenManyEnvironmentsFail() throws {
        let es = try errors("permit(principal, action, resource) when { principal.age > 1 };")
        #expect(es.count == 1)
    }

    @Test func aValidPolicySetHasNoDiagnostics() throws {
        #expect(try errors("permit(principal, action == Action::\"read\", resource) when { principal has age && principal.age > 1 && context.mfa };").isEmpty)
    }

    @Test(arguments: [
        "permit(principal, action, resource) when { false };",
        "permit(principal, action, resource) when { principal is Doc };",
        "permit(principal, action, resource) when { resource in principal };",
    ])
    func aPolicyFalseForEveryRequestIsAWarningNotAnError(_ text: String) throws {
        let set = try CedarParser.parsePolicySet(text, file: "p.cedar")
        #expect(Validator.validate(set, schema: Self.schema).isEmpty)
        let all = Validator.validate(set, schema: Self.schema, warnings: true)
        #expect(all.count == 1)
        #expect(all.first?.severity == .warning)
        #expect(all.first?.message.contains("impossible") == true)
    }

    @Test func aPolicyThatCanBeTrueHasNoWarning() throws {
        let set = try CedarParser.parsePolicySet("permit(principal, action, resource) when { context.mfa };", file: "p.cedar")
        #expect(Validator.validate(set, schema: Self.schema, warnings: true).isEmpty)
    }

    @Test func scopeErrorsPointAtTheScope() throws {
        let (text, line, column) = Self.marked("permit(principal, ⟨action == Action::\"write\", resource);")
        let es = try errors(text)
        #expect(es.count == 2)  // unknown action, and so no action applies
        for e in es {
            #expect(e.range.start.line == line)
            #expect(e.range.start.column == column)
        }
    }
}
