// Rejected constructs: each gets file:line:column and a reason. Positions are marked in
// the input with ⟪ ⟫ around the text the diagnostic must point at.

import Cedar
import PolicyCompiler
import Testing

/// Strips the markers and returns the text with the line:column of the first marker.
func marked(_ text: String) -> (source: String, line: Int, column: Int) {
    var out = "", line = 1, column = 1, at = (0, 0)
    for c in text {
        if c == "⟪" { at = (line, column); continue }
        if c == "⟫" { continue }
        out.append(c)
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
    }
    return (out, at.0, at.1)
}

func diagnostics(_ source: String) -> [Diagnostic] {
    PolicySourceCompiler.compile(source: source, file: "p.cedar", options: CompileOptions(agent: "claude", placeholders: testPlaceholders)).diagnostics
}

@Suite struct DiagnosticTests {
    struct Case: CustomStringConvertible, Sendable {
        var text: String
        var message: String
        var description: String { message }
    }

    static let rejected: [Case] = [
        Case(text: "permit (principal, action, resource) when { ⟪resource.domain.endsWith(\".example.com\")⟫ };",
             message: "`endsWith` is not a Cedar string method; write `resource.domain like \"*.example.com\"`"),
        Case(text: "forbid (principal, action, resource)\n  when { ⟪resource.path.contains(\"/.ssh/\")⟫ };",
             message: "`contains` is not a Cedar string method; write `resource.path like \"*/.ssh/*\"`"),
        Case(text: "permit (principal, ⟪action == Action::\"HttpRewrite\"⟫, resource);",
             message: "Action::\"HttpRewrite\" (TLS interception and header injection) is not part of this design"),
        Case(text: "permit (principal, ⟪action == Action::\"FileOpn\"⟫, resource);",
             message: "unknown action `Action::\"FileOpn\"`"),
        Case(text: "permit (principal, action, resource) when { ⟪resource.domain == resource.protocol⟫ };",
             message: "comparing two request attributes cannot be lowered"),
        Case(text: "permit (principal, action == Action::\"NetworkConnect\", resource)\nwhen { ⟪resource.port + 1⟫ == 444 };",
             message: "arithmetic on request attributes cannot be lowered"),
        Case(text: "permit (principal, action, resource) when { ⟪decimal(\"1.5\").lessThan(decimal(\"2.0\"))⟫ };",
             message: "the extension function `decimal` is not part of the lowerable fragment"),
        Case(text: "⟪permit (principal, action, resource in ?resource);⟫",
             message: "templates (policies with ?resource or ?principal slots) are not supported"),
        Case(text: "permit (principal, action, ⟪resource in Dir::\"${NOPE}/\"⟫);",
             message: "no value for placeholder ${NOPE}"),
        Case(text: "permit (principal, action, resource) when {\n  true && ⟪resource.ip.isInRange(resource.ip)⟫ };",
             message: "comparing two request attributes cannot be lowered"),
    ]

    @Test(arguments: rejected) func rejectedWithPosition(_ c: Case) {
        let (source, line, column) = marked(c.text)
        let ds = diagnostics(source).filter { $0.severity == .error }
        #expect(ds.count == 1, "\(ds)")
        guard let d = ds.first else { return }
        #expect(d.message.contains(c.message), "\(d.message)")
        #expect(d.range.file == "p.cedar")
        #expect(d.range.start.line == line && d.range.start.column == column, "at \(d.range.start), expected \(line):\(column)")
        #expect(d.description.hasPrefix("p.cedar:\(line):\(column): error: "))
    }

    @Test func seedSpellingsCarryTheExactRewrite() {
        let (source, _, _) = marked("permit (principal, action, resource) when { resource.domain.endsWith(\".x\") || resource.path.contains(\"/.ssh/\") };")
        let fixes = diagnostics(source).compactMap(\.fixIt)
        #expect(fixes == ["resource.domain like \"*.x\"", "resource.path like \"*/.ssh/*\""])
    }

    @Test func fixProducesAFileThatCompilesAndMeansTheIntent() throws {
        let source = """
            permit (principal, action == Action::"NetworkConnect", resource)
            when { resource.domain.endsWith(".github.com") };
            permit (principal, action == Action::"FileOpenReadOnly", resource);
            forbid (principal, action in Action::"FileAccess", resource)
            when { resource.path.contains("/.ssh/") || resource.path.endsWith("*.pem") };
            """
        let ds = SeedSpellings.find(in: source, file: "p.cedar")
        #expect(ds.count == 3)
        let fixed = SeedSpellings.apply(ds, to: source)
        #expect(fixed.contains("resource.domain like \"*.github.com\""))
        #expect(fixed.contains("resource.path like \"*\\*.pem\""))  // a literal * in the argument stays literal
        #expect(SeedSpellings.find(in: fixed, file: "p.cedar").isEmpty)
        guard let d = Decider(fixed) else { return }
        #expect(d.allows("NetworkConnect api.github.com:443 ip=140.82.112.6"))
        #expect(!d.allows("NetworkConnect github.com.evil.example:443 ip=1.2.3.4"))
        #expect(!d.allows("FileOpenReadOnly /home/u/.ssh/id_rsa"))
        #expect(d.allows("FileOpenReadOnly /home/u/x.pem"))
        #expect(!d.allows("FileOpenReadOnly /home/u/*.pem"))
    }

    @Test func groupEqualityIsAWarningWithFix() {
        let (source, line, column) = marked("permit (principal, ⟪action == Action::\"FileOpen\"⟫, resource);")
        let ds = diagnostics(source)
        let w = ds.first { $0.severity == .warning && $0.message.contains("matches no request") }
        #expect(w?.fixIt == "action in Action::\"FileOpen\"")
        #expect(w?.range.start.line == line && w?.range.start.column == column)
    }

    @Test func errorsDoNotWidenOrNarrow() {
        // `resource.port > 80` errors for file actions, so the permit applies only to
        // network actions, and Cedar agrees.
        guard let d = Decider("permit (principal, action, resource) when { resource.port > 80 };\npermit (principal, action == Action::\"FileOpenReadOnly\", resource) when { resource.path like \"/etc/*\" };") else { return }
        #expect(!d.allows("FileOpenReadWrite /etc/passwd"))
        #expect(d.allows("FileOpenReadOnly /etc/passwd"))
        #expect(d.allows("NetworkConnect 10.0.0.1:443"))
        #expect(!d.allows("NetworkConnect 10.0.0.1:22"))
        // The negation of an error is still an error: this forbid never applies to files.
        guard let e = Decider("permit (principal, action, resource);\nforbid (principal, action, resource) unless { resource.port == 443 };") else { return }
        #expect(e.allows("FileOpenReadOnly /etc/passwd"))
        #expect(!e.allows("NetworkConnect 10.0.0.1:80"))
        #expect(e.allows("NetworkConnect 10.0.0.1:443"))
    }
}
