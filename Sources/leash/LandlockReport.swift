// `leash compile --backend landlock`: how the landlock backend would enforce each rule.

import Foundation
import PolicyCompiler
import Sandbox

func landlockReport(_ compiled: CompiledPolicy, backend: String, placeholders: [String: String], json: Bool) throws -> Int32 {
    guard backend == "landlock" else {
        throw UsageError(message: "--backend takes landlock (the BPF LSM tables are the default output), got '\(backend)'")
    }
    let plan: LandlockPlan
    do { plan = try SandboxSetup.plan(compiled, placeholders: placeholders) }
    catch { throw CommandFailure(status: ExitCode.software, message: "error: \(error)") }
    if json {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try enc.encode(plan), as: UTF8.self))
        return ExitCode.success
    }
    var counts: [LandlockRuleReport.Status: Int] = [:]
    for r in plan.rules {
        counts[r.status, default: 0] += 1
        print("\(r.location): \(r.effect) @id(\"\(r.id)\"): \(r.status.rawValue)")
        for why in r.reasons { print("    - \(why)") }
        for n in r.notes { print("    note: \(n)") }
    }
    for g in plan.gaps { print("\(compiled.sourceFile): \(g.action): not enforceable: \(g.reason)") }
    let order: [LandlockRuleReport.Status] = [.exact, .approximated, .notEnforceable, .notApplicable]
    print("landlock: \(plan.rules.count) rules: " + order.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
          + "; \(plan.gaps.count) actions whose denials are not enforced; \(plan.grants.count) path grants, \(plan.expandedDirectories.count) directories expanded")
    if plan.needsConsent { print("leash run needs --allow-approximate for this policy on the landlock backend") }
    return ExitCode.success
}
