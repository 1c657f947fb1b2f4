// From a rule index (what the kernel and the simulator report) to what a person reads:
// the rule's @id and where it is in the policy source.

import PolicyCompiler

public struct RuleLocator: Sendable {
    let rules: [RuleInfo]

    public init(policy: CompiledPolicy) { rules = policy.rules }

    /// nil for -1 (no rule: the default deny) and for an index the policy does not have.
    public func rule(_ index: Int) -> RuleReference? {
        guard index >= 0, index < rules.count else { return nil }
        let r = rules[index]
        return RuleReference(index: index, id: r.policyID, effect: r.effect, file: r.file, line: r.line, column: r.column)
    }
}
