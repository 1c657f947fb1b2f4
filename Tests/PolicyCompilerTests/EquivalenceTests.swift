// Simulator (compiled tables only) against the Cedar evaluator, on random policies and
// random requests. LEASH_EQUIV_CASES=100000 runs the long version.

import Cedar
import PolicyCompiler
import Testing

struct EquivalenceStats { var agreed = 0, total = 0, allows = 0, errorsSeen = 0; var failures: [String] = [] }

func equivalenceRun(seed: UInt64, cases: Int, requestsPerPolicy: Int = 20) -> EquivalenceStats {
    var gen = RandomPolicies(seed: seed)
    var agreed = 0, total = 0, allows = 0, errorsSeen = 0
    var failures: [String] = []
    while total < cases {
        let text = gen.policySet()
        let agent = gen.pick(RandomPolicies.agents)
        guard let set = try? CedarParser.parsePolicySet(text, file: "random.cedar") else {
            failures.append("generator produced unparsable text:\n\(text)"); break
        }
        let result = PolicyCompiler.compile(set, file: "random.cedar", options: CompileOptions(agent: agent))
        guard let compiled = result.policy else {
            failures.append("not lowered:\n\(text)\n" + result.diagnostics.map(\.description).joined(separator: "\n")); break
        }
        let sim = Simulator(compiled)
        let flagsForCedar = Array(Set(compiled.flags).union(RandomPolicies.flags))
        for _ in 0..<requestsPerPolicy where total < cases {
            let r = gen.request()
            total += 1
            let cedar = CedarBridge.decide(set, agent: agent, flags: flagsForCedar, r)
            let s = try! sim.decide(r)
            if cedar.decision == .allow { allows += 1 }
            if !cedar.errors.isEmpty { errorsSeen += 1 }
            if (cedar.decision == .allow) == s.allow { agreed += 1 } else if failures.count < 5 {
                failures.append("agent \(agent), request \(r)\ncedar: \(cedar.decision) \(cedar.reasons) errors \(cedar.errors)\nsimulator: \(s.allow) \(s.rules)\npolicy:\n\(text)")
            }
        }
    }
    return EquivalenceStats(agreed: agreed, total: total, allows: allows, errorsSeen: errorsSeen, failures: failures)
}

@Suite struct EquivalenceTests {
    @Test func simulatorAgreesWithCedarOnAFixedSample() {
        let cases = Int(ProcessInfoShim.env("LEASH_EQUIV_CASES") ?? "") ?? 2_000
        let seed = UInt64(ProcessInfoShim.env("LEASH_EQUIV_SEED") ?? "") ?? 20_261_203
        let st = equivalenceRun(seed: seed, cases: cases)
        for f in st.failures { Issue.record(Comment(rawValue: f)) }
        print("equivalence: \(st.agreed)/\(st.total) decisions agree (seed \(seed); \(st.allows) allows, \(st.total - st.allows) denies, \(st.errorsSeen) requests where some policy errored)")
        #expect(st.total == cases)
        #expect(st.agreed == st.total)
        // The sample must exercise both outcomes and Cedar's error rule, or agreement means little.
        #expect(st.allows * 10 > st.total && (st.total - st.allows) * 10 > st.total)
        #expect(st.errorsSeen * 20 > st.total)
    }
}
