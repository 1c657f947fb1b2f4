// Where errors are reported. Each `⟦` in an input marks the start of one expected
// diagnostic; the test removes the markers and compares line:column.

import Testing
@testable import CedarSyntax

struct Marked {
    var source = ""
    var positions: [String] = []

    init(_ marked: String) {
        var line = 1, column = 1
        for ch in marked.unicodeScalars {
            if ch == "⟦" { positions.append("\(line):\(column)"); continue }
            source.unicodeScalars.append(ch)
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
        }
    }
}

func diagnostics(_ source: String) -> [Diagnostic] {
    do { _ = try CedarParser.parsePolicySet(source, file: "test.cedar"); return [] } catch let e as DiagnosticError {
        return e.diagnostics
    } catch { return [] }
}

@Suite struct DiagnosticTests {
    func check(_ marked: String, messages: [String] = [], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let m = Marked(marked)
        let ds = diagnostics(m.source)
        #expect(ds.map { "\($0.range.start)" } == m.positions, "\(ds.map(\.description))", sourceLocation: sourceLocation)
        for (d, want) in zip(ds, messages) where !want.isEmpty {
            #expect(d.message.contains(want), "message `\(d.message)` lacks `\(want)`", sourceLocation: sourceLocation)
        }
    }

    @Test func oneErrorPerBrokenPolicyAndRecoveryAtSemicolons() {
        check("""
            permit(principal, action, resource) when { 1 < 2 ⟦< 3 };
            forbid(principal, ⟦actoin, resource);
            permit(principal, action, resource);
            permit(principal, action, resource) when { ⟦foo(1) };
            """, messages: ["do not chain", "expected `action`", "", "not a Cedar function"])
    }

    @Test func severalRecoverableErrorsInOnePolicy() {
        check(#"permit(principal, action, resource) when { {a: 1, ⟦a: 2} && principal has a.⟦if && "⟦\q" == ⟦x };"#,
              messages: ["duplicate key", "reserved", "invalid escape `\\q`", "unknown variable"])
    }

    @Test func missingSemicolonRecoversAtTheNextPolicy() {
        check("""
            permit(principal, action, resource) when { true }
            ⟦forbid(principal, action, resource);
            permit(principal, action, resource) ⟦wen { true };
            """)
    }

    @Test func lexicalErrors() {
        check("permit(principal, action, resource) when { 1 ⟦# 2 };", messages: ["invalid character `#`"])
        check("permit(principal, action, resource) when { ⟦\"abc };\n", messages: ["unterminated string"])
        check("permit(principal, action, resource) when { 1 ⟦= 1 };")
        check("permit(principal, action, resource) when { \"é😀\" == 1 ⟦& 2 };")
    }

    @Test func positionsCountUnicodeScalarsAndLines() {
        check("// é😀\npermit(principal, action, resource)\n  when { \"😀😀\" <⟦> 1 };")
        check("permit(principal, action, resource) when {\r\n  \"😀\" + ⟦};")
    }

    @Test func escapeErrorsPointAtTheEscape() {
        check(#"permit(principal, action, resource) when { "ab⟦\u{110000}" };"#, messages: ["\\u{110000}"])
        check(#"permit(principal, action, resource) when { principal like "a*⟦\x" };"#)
    }

    @Test func limitsAreDiagnosed() {
        check("permit(principal, action, resource) when { ⟦-----5 };", messages: ["at most four"])
        check("permit(principal, action, resource) when { ⟦9223372036854775808 };", messages: ["64 bits"])
        let deep = String(repeating: "(", count: 64)
        check("permit(principal, action, resource) when { \(deep)⟦(1 };", messages: ["nested too deeply"])
    }

    @Test func renderedExcerptHasCaretsUnderTheError() throws {
        let src = "permit(principal, action, resource)\n\twhen { context.x <<= 1 };"
        let d = try #require(diagnostics(src).first)
        #expect(d.rendered(source: src) == """
            test.cedar:2:20: error: unexpected `<=`, expected an expression
              |
            2 | \twhen { context.x <<= 1 };
              | \t                  ^^
            """)
    }
}

@Suite struct DiagnosticHelpTests {
    func notes(_ source: String) -> [String] { diagnostics(source).flatMap(\.notes) }

    @Test func suggestsTheWordMeant() {
        #expect(notes("permit(principal, actoin, resource);") == ["help: did you mean `action`?"])
        #expect(notes("permti(principal, action, resource);") == ["help: did you mean `permit`?"])
        #expect(notes("permit(principal, action, resource) wehn { true };") == ["help: did you mean `when`?"])
        #expect(notes("permit(principal, action, resource) when { principl };") == ["help: did you mean `principal`?"])
        #expect(notes("permit(principal, action, resource) when { [1].containsALL([]) };") == ["help: did you mean `containsAll`?"])
        #expect(notes("permit(principal, action, resource) when { ipaddr(\"x\") };").isEmpty)
        #expect(notes("permit(principal, action, resource) when { decimel(\"1\") };") == ["help: did you mean `decimal`?"])
    }

    @Test func hintsForOtherLanguagesHabits() {
        #expect(notes("permit(principal, action, resource) when { 1 = 1 };") == ["help: write `==` to compare"])
        #expect(notes("permit(principal, action, resource) when { true & false };") == ["help: Cedar's `and` is `&&`"])
        #expect(notes("permit(principal, action, resource) when { context['a'] };").first == "help: Cedar strings use double quotes: \"…\"")
        #expect(notes("permit(principal, action, resource) when { 1 /* c */ };").first == "help: Cedar has only `//` comments, to the end of the line")
    }
}
