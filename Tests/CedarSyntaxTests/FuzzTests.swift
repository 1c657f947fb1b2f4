// A fixed-seed fuzz sample on every test run; `scripts/fuzz-parser N` runs the same
// generator for as long as wanted.

import Testing
@testable import CedarSyntax

@Suite struct FuzzTests {
    @Test func twentyThousandMutatedInputsParseOrDiagnose() {
        // Deep inputs stay below 600 levels here (still past both nesting limits) to keep the debug build quick; the
        // script goes to 20,000.
        var inputs = FuzzInputs(seed: 0x1EA5_0000_0000_0001, maxDeep: 600)
        var parsed = 0, rejected = 0
        for n in 0..<20_000 {
            let input = inputs.next()
            switch FuzzCheck.check(input) {
            case .parsed: parsed += 1
            case .rejected: rejected += 1
            case .violation(let why):
                Issue.record("input #\(n): \(why)\n--- input ---\n\(input)")
                return
            }
        }
        // Both outcomes must actually occur, or the generator has gone blind.
        #expect(parsed > 500)
        #expect(rejected > 5_000)
    }

    @Test func everySeedParses() throws {
        for s in FuzzInputs.seeds { _ = try CedarParser.parsePolicySet(s) }
    }
}
