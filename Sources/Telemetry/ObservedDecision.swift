// The fallback's tracepoints see what the kernel answered, not why: the rule is
// recomputed here by asking the simulator (the kernel's reference) about the same request.
// It is the rule that WOULD decide under the compiled policy; when Landlock's answer
// differs (an approximated rule, or file permissions refusing what the policy allows) the
// record says so through `policyAllows` and `cause`.

import PolicyCompiler

struct PolicyAnswer {
    var allow: Bool
    var rule: Int?
}

struct ObservedDecision {
    let simulator: Simulator

    /// The policy's answer for an operation on `paths` (rename asks about both ends and
    /// is denied when either is) or on a network destination.
    func answer(action: String, paths: [String], flags: Set<String>) -> PolicyAnswer? {
        var allowRule: Int?
        for p in paths {
            guard let d = try? simulator.decide(OperationRequest(action: action, resource: .file(path: p), flags: flags)) else { return nil }
            if !d.allow { return PolicyAnswer(allow: false, rule: d.rules.first) }
            allowRule = allowRule ?? d.rules.first
        }
        return paths.isEmpty ? nil : PolicyAnswer(allow: true, rule: allowRule)
    }

    func answer(action: String, ip: IPNet, port: Int, proto: String, flags: Set<String>) -> PolicyAnswer? {
        let request = OperationRequest(action: action, resource: .host(domain: nil, ip: ip, port: port, proto: proto), flags: flags)
        guard let d = try? simulator.decide(request) else { return nil }
        return PolicyAnswer(allow: d.allow, rule: d.rules.first)
    }
}
