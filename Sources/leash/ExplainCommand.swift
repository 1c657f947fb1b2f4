// `leash explain`: answers one request from the compiled tables, exactly as the kernel
// would, and names the rules behind the decision.

import Foundation
import PolicyCompiler

func explainCommand() -> Command {
    Command(
        name: "explain", abstract: "Decide one request with a compiled policy and show why.",
        usage: "--policy FILE [--agent NAME] [--flag NAME]... 'ACTION RESOURCE'",
        discussion: """
            REQUEST is an action and a resource:
              FileOpenReadOnly /home/u/.ssh/id_rsa
              NetworkConnect api.github.com:443 ip=140.82.112.3 [tcp|udp]
              NetworkConnect 10.0.0.1:22
              McpCall server/tool
            FILE may be a policy (.cedar, compiled first) or a bundle written by `leash compile -o`.

            EXIT STATUS:
              0   allowed
              1   denied
              64  bad command line or request
              65  the policy has errors
              74  a file cannot be read
            """,
        options: [
            Option(name: "policy", value: "FILE", help: "The policy file or compiled bundle."),
            Option(name: "agent", value: "NAME", help: "The agent (principal) to compile for (default: agent)."),
            Option(name: "flag", value: "NAME", help: "Turn a context flag on (repeatable).", repeatable: true),
            Option(name: "set", value: "NAME=VALUE", help: "Value of a ${NAME} placeholder, as for `leash compile`.", repeatable: true),
        ]
    ) { args in
        guard let path = args.value("policy") else { throw UsageError(message: "missing --policy FILE") }
        guard !args.positionals.isEmpty else { throw UsageError(message: "missing the request, e.g. 'FileOpenReadOnly /etc/passwd'") }
        let compiled = try loadCompiled(path, options: CompileOptions(agent: args.value("agent") ?? "agent", placeholders: try placeholderValues(args)))
        let request: OperationRequest
        do {
            request = try RequestText.parse(args.positionals.joined(separator: " "), flags: Set(args.all("flag")))
        } catch {
            throw CommandFailure(status: ExitCode.usage, message: "error: \(error)")
        }
        for f in request.flags where !compiled.flags.contains(f) {
            printError("note: the policy does not use the flag '\(f)'")
        }
        let decision = try Simulator(compiled).decide(request)
        print("\(decision.allow ? "allow" : "deny") \(args.positionals.joined(separator: " "))")
        if decision.rules.isEmpty {
            print("  no rule applies: denied by default")
        }
        for (i, r) in decision.rules.enumerated() {
            let rule = compiled.rules[r]
            print("  \(i == 0 ? "by" : "and") \(rule.effect) \(rule.policyID) at \(rule.location)")
        }
        return decision.allow ? ExitCode.success : ExitCode.negative
    }
}

/// A compiled policy from a bundle, or from Cedar source compiled on the spot.
func loadCompiled(_ path: String, options: CompileOptions) throws -> CompiledPolicy {
    if let data = FileManager.default.contents(atPath: path), data.starts(with: PolicyBundle.magic) {
        do { return try PolicyBundle.decode([UInt8](data)) } catch {
            throw CommandFailure(status: ExitCode.dataError, message: "error: \(path): \(error)")
        }
    }
    let source = try readTextFile(path, what: "policy file")
    let result = PolicySourceCompiler.compile(source: source, file: path, options: options)
    guard let p = result.policy else {
        throw CommandFailure(status: ExitCode.dataError, message: result.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))
    }
    return p
}
