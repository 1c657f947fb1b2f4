#if canImport(Glibc)
import Glibc
#endif
import Cedar
import Foundation
import PolicyCompiler
import Testing

enum ProcessInfoShim {
    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

/// The repository root, found from this file's path.
let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

func readRepoFile(_ relative: String) throws -> String {
    try String(contentsOfFile: repoRoot + "/" + relative, encoding: .utf8)
}

let testPlaceholders = ["WORKDIR": "/work/proj", "HOME": "/home/u"]

/// Compiles policy text, recording any error diagnostics as test issues.
func compileOrRecord(_ text: String, file: String = "test.cedar", agent: String = "claude",
                     placeholders: [String: String] = testPlaceholders) -> (CompiledPolicy, PolicySet)? {
    let result = PolicySourceCompiler.compile(source: text, file: file, options: CompileOptions(agent: agent, placeholders: placeholders))
    guard let p = result.policy else {
        Issue.record(Comment(rawValue: result.diagnostics.map { $0.rendered(source: text) }.joined(separator: "\n")))
        return nil
    }
    var values = placeholders
    values["AGENT"] = agent
    let set = Placeholders.expand(try! CedarParser.parsePolicySet(text, file: file), values: values, file: file).0
    return (p, set)
}

/// A decision checker: every expectation is checked against the simulator AND the Cedar
/// evaluator, so a test of intent is also a test of the lowering.
final class Decider: CustomStringConvertible {
    let compiled: CompiledPolicy
    let set: PolicySet
    let sim: Simulator

    var description: String { "policy \(compiled.sourceFile) for \(compiled.agent)" }

    init?(_ text: String, agent: String = "claude", file: String = "test.cedar") {
        guard let (c, s) = compileOrRecord(text, file: file, agent: agent) else { return nil }
        compiled = c; set = s; sim = Simulator(c)
    }

    /// Returns (allowed, deciding rule's @id or policy id).
    func decide(_ request: String, flags: Set<String> = [], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> (Bool, String?) {
        let r = try! RequestText.parse(request, flags: flags)
        let s = try! sim.decide(r)
        let cedar = CedarBridge.decide(set, agent: compiled.agent, flags: compiled.flags, r)
        #expect((cedar.decision == .allow) == s.allow, "simulator and Cedar disagree on \(request)", sourceLocation: sourceLocation)
        if let rule = s.rules.first {
            #expect(cedar.reasons.contains(set.policies[rule].id), "simulator's rule is not among Cedar's reasons", sourceLocation: sourceLocation)
        }
        return (s.allow, s.rules.first.map { compiled.rules[$0].policyID })
    }

    func allows(_ request: String, flags: Set<String> = [], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Bool {
        decide(request, flags: flags, sourceLocation: sourceLocation).0
    }
}
