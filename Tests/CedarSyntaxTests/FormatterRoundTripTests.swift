// The formatter on random trees: leash reads the text back to the same tree, the text
// is a fixed point, and Cedar (cedarpy) reads it to the same JSON form.

import Testing
@testable import CedarSyntax

@Suite struct FormatterRoundTripTests {
    @Test func randomPoliciesRoundTrip() throws {
        var gen = RandomPolicies(seed: 7)
        for n in 0..<3_000 {
            let set = gen.policySet(count: 1 + n % 3)
            let text = CedarFormatter.format(set)
            let back: PolicySet
            do { back = try CedarParser.parsePolicySet(text) } catch {
                Issue.record("formatted text does not parse: \(error)\n\(text)")
                return
            }
            #expect(back == set, "round trip changed the policies:\n\(text)")
            #expect(CedarFormatter.format(back) == text, "not idempotent:\n\(text)")
            // The JSON form reads back to the same trees too.
            let json = PolicyJSON.export(set)
            let imported = try PolicyJSON.importPolicies(json: json)
            #expect(PolicyJSON.export(imported) == json)
        }
    }

    @Test(.enabled(if: CedarpyOracle.available, "needs python3 with cedarpy"))
    func cedarReadsFormattedTextTheSameWay() throws {
        var gen = RandomPolicies(seed: 11)
        let sets = (0..<1_500).map { gen.policySet(count: 1 + $0 % 3) }
        let texts = sets.map { CedarFormatter.format($0) }
        let answers = try CedarpyOracle.run(texts)
        var failures = 0
        for ((set, text), cedar) in zip(zip(sets, texts), answers) where failures < 5 {
            guard cedar.ok, let est = cedar.est else {
                failures += 1
                Issue.record("Cedar rejects formatted text (\(cedar.error ?? "")):\n\(text)")
                continue
            }
            if !JSONCompare.same(PolicyJSON.export(set), est) {
                failures += 1
                Issue.record("Cedar reads it differently:\n\(text)\nleash: \(PolicyJSON.export(set))\ncedar: \(est)")
            }
        }
    }
}
