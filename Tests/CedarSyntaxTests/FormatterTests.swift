// The canonical layout, and formatting whole files with their comments.

import Testing
@testable import CedarSyntax

@Suite struct FormatterTests {
    func fmt(_ s: String) throws -> String { CedarFormatter.format(try CedarParser.parsePolicySet(s)) }

    @Test func layout() throws {
        #expect(try fmt("permit(principal,action,resource);") == "permit (principal, action, resource);\n")
        #expect(try fmt(#"@id("x") @a forbid(principal==User::"a",action in [Action::"r",Action::"w"],resource) when{true}unless{false};"#) == """
            @id("x")
            @a
            forbid (
              principal == User::"a",
              action in [Action::"r", Action::"w"],
              resource
            )
            when { true }
            unless { false };

            """)
    }

    @Test func minimalParenthesesAndCanonicalSpellings() throws {
        let cases: [(String, String)] = [
            ("((1 + 2)) * 3", "(1 + 2) * 3"),
            ("1 + (2 * 3)", "1 + 2 * 3"),
            ("1 - (2 - 3)", "1 - (2 - 3)"),
            ("(1 - 2) - 3", "1 - 2 - 3"),
            ("principal || (action && resource)", "principal || action && resource"),
            ("(principal || action) && resource", "(principal || action) && resource"),
            ("context[\"a\"][\"b c\"][\"if\"]", "context.a[\"b c\"][\"if\"]"),
            ("{\"a\": 1, \"b c\": 2}", "{ a: 1, \"b c\": 2 }"),
            ("principal has \"a\"", "principal has a"),
            ("principal has a && principal.a has b", "principal has a.b"),
            ("-(5)", "-(5)"),
            ("- -5", "--5"),
            ("!(!(!(!(!true))))", "!!!!(!true)"),
            ("(-5).x", "(-5).x"),
            ("!(-5)", "!(-5)"),
            ("(if true then 1 else 2) + 1", "(if true then 1 else 2) + 1"),
            ("(principal has a) == true", "(principal has a) == true"),
            ("principal like \"a\\*b*\"", "principal like \"a\\*b*\""),
            ("\"\\x41\\u{1F600}\\u{7f}\\'\"", "\"A😀\\u{7f}'\""),
        ]
        for (input, expected) in cases {
            #expect(CedarFormatter.format(try CedarParser.parseExpression(input)) == expected, "\(input)")
        }
    }

    @Test func longConditionsBreakLikeCedars() throws {
        let text = try fmt("permit(principal,action,resource) when { context.aaaaaaaaaaaaaaaaaaaaa == 1 && context.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb == 2 && context.ccccccccccccccccccccccccc };")
        #expect(text == """
            permit (principal, action, resource)
            when
            {
              context.aaaaaaaaaaaaaaaaaaaaa == 1 &&
              context.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb == 2 &&
              context.ccccccccccccccccccccccccc
            };

            """)
    }

    @Test func policiesAreWrittenInIdOrder() throws {
        let set = try CedarParser.parsePolicySet("""
            forbid(principal, action, resource);
            permit(principal == ?principal, action, resource);
            permit(principal, action, resource);
            """)
        let text = CedarFormatter.format(set)
        #expect(try CedarParser.parsePolicySet(text) == set)
    }

    @Test func filesKeepTheirComments() throws {
        let source = """
            // Header.
            @id("r1") permit(principal, action, resource) when { context.x // inside
              == 1 };
            // Between.
            forbid(principal,action,resource);
            // Trailing.
            """
        let text = try CedarFormatter.format(source: source)
        #expect(text == """
            // Header.
            // inside
            @id("r1")
            permit (principal, action, resource)
            when { context.x == 1 };

            // Between.
            forbid (principal, action, resource);

            // Trailing.

            """)
        // The output is canonical: formatting it again changes nothing.
        #expect(try CedarFormatter.format(source: text) == text)
    }

    @Test func fileWithErrorsThrowsDiagnostics() {
        #expect(throws: DiagnosticError.self) { try CedarFormatter.format(source: "permit(principal, action);") }
    }
}
