// What must hold for every input, however broken: the parser either returns a policy
// set whose canonical text parses back to the same set, or throws `DiagnosticError`
// with at least one diagnostic placed inside the input.

import CedarSyntax

enum FuzzOutcome: Equatable {
    case parsed
    case rejected(diagnostics: Int)
    case violation(String)
}

enum FuzzCheck {
    static func check(_ input: String) -> FuzzOutcome {
        do {
            let set = try CedarParser.parsePolicySet(input, file: "fuzz")
            let text = CedarFormatter.format(set)
            guard let again = try? CedarParser.parsePolicySet(text, file: "formatted") else {
                return .violation("formatted text does not parse:\n\(text)")
            }
            if again != set { return .violation("formatted text parses to a different set:\n\(text)") }
            if CedarFormatter.format(again) != text { return .violation("formatting is not idempotent:\n\(text)") }
            return .parsed
        } catch let e as DiagnosticError {
            if e.diagnostics.isEmpty { return .violation("DiagnosticError with no diagnostics") }
            let lines = input.utf8.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            for d in e.diagnostics {
                let s = d.range.start
                if s.line < 1 || s.line > lines || s.column < 1 || s.offset > input.utf8.count {
                    return .violation("diagnostic outside the input: \(d)")
                }
                _ = d.rendered(source: input)
            }
            return .rejected(diagnostics: e.diagnostics.count)
        } catch {
            return .violation("threw something other than DiagnosticError: \(error)")
        }
    }
}
