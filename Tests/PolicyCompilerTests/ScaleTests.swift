// A large generated policy compiles, and the tables still agree with Cedar on it.
// LEASH_SCALE_RULES=10000 runs the size the issue names (the suite uses 2,000 to stay
// quick in debug builds). Times are printed, never asserted.

import Cedar
import Foundation
import PolicyCompiler
import PolicyTestSupport
import Testing

@Suite struct ScaleTests {
    @Test func largeGeneratedPolicyCompilesAndAgreesWithCedar() throws {
        let n = Int(ProcessInfoShim.env("LEASH_SCALE_RULES") ?? "") ?? 2_000
        let text = ScalePolicy.text(rules: n)
        let start = Date()
        let set = try CedarParser.parsePolicySet(text, file: "scale.cedar")
        let result = PolicyCompiler.compile(set, file: "scale.cedar", options: CompileOptions(agent: "claude"))
        let seconds = Date().timeIntervalSince(start)
        guard let compiled = result.policy else { Issue.record("\(result.diagnostics.prefix(3))"); return }
        let bundle = try PolicyBundle.encode(compiled)
        let summary = TableSummary(compiled)
        print("scale: \(n) rules compiled in \(String(format: "%.1f", seconds)) s (debug build), bundle \(bundle.count) bytes, kernel estimate \(summary.kernelBytes) bytes, longest diagram path \(compiled.maxDepth)")
        #expect(compiled.rules.count == n)
        let sim = Simulator(try PolicyBundle.decode(bundle))
        let requests = [
            "FileOpenReadOnly /data/team0/p0/x", "FileOpenReadOnly /data/team0/p0/secret", "FileOpenReadWrite /data/team5/p5/a",
            "FileUnlink /data/team0/p0/secret", "FileOpenReadOnly /data/team1/p1/x", "ProcessExec /opt/tool3/bin/run",
            "ProcessExec /opt/tool4/bin/run", "NetworkConnect a.svc2.example:1002 ip=192.0.2.1",
            "NetworkConnect a.svc2.example:1003 ip=192.0.2.1", "NetworkConnect a.svc2.example:1002 ip=10.4.0.9",
            "NetworkConnect svc2.example:1002 ip=192.0.2.1",
        ]
        var allows = 0
        for q in requests {
            let r = try RequestText.parse(q)
            let cedar = CedarBridge.decide(set, agent: "claude", flags: compiled.flags, r)
            let s = try sim.decide(r)
            #expect((cedar.decision == .allow) == s.allow, "\(q)")
            if s.allow { allows += 1 }
        }
        #expect(allows == 4)
    }
}
