// `leash compile`: lowers a policy file into the kernel's tables, reports their size, and
// writes the bundle the loader reads.

import Cedar
import Foundation
import PolicyCompiler

func compileCommand() -> Command {
    Command(
        name: "compile", abstract: "Compile Cedar policies into kernel decision tables.",
        usage: "[--agent NAME] [--json] [--explain RULE] [--fix] [-o BUNDLE] POLICY.cedar",
        discussion: """
            Specialises every rule on the agent (the principal, Agent::"NAME") and lowers what
            remains, conditions on the resource and on context flags, into automata, prefix
            tries, port intervals and a decision diagram that BPF programs walk in time
            bounded by the length of a path or name, not by the number of rules. A rule that
            cannot be lowered exactly is rejected with file:line:column and the reason; nothing
            is approximated. See docs/policy-compiler.md for the vocabulary.

            --fix rewrites spellings that are not Cedar (`resource.domain.endsWith(".x")`,
            `resource.path.contains("/.ssh/")`) into `like` patterns, in place.

            EXIT STATUS:
              0   compiled (warnings may be printed)
              64  bad command line
              65  the policy has errors (printed with file:line:column)
              74  a file cannot be read or written
            """,
        options: [
            Option(name: "agent", value: "NAME", help: "The agent to specialise on (default: agent)."),
            Option(name: "json", value: nil, help: "Print the summary, rules and diagnostics as JSON."),
            Option(name: "explain", value: "RULE", help: "Show what one rule (policy id, @id or index) was lowered to."),
            Option(name: "fix", value: nil, help: "Rewrite non-Cedar string methods in POLICY.cedar, then compile."),
            Option(name: "output", value: "BUNDLE", help: "Write the compiled bundle to BUNDLE.", short: "o"),
            Option(name: "set", value: "NAME=VALUE", help: "Value of a ${NAME} placeholder (WORKDIR defaults to the current directory, HOME to $HOME).", repeatable: true),
            Option(name: "backend", value: "landlock", help: "Report how the landlock backend enforces each rule (exact, approximated, not enforceable)."),
        ]
    ) { args in
        guard args.positionals.count == 1 else {
            throw UsageError(message: args.positionals.isEmpty ? "missing POLICY.cedar" : "expected one policy file")
        }
        let path = args.positionals[0]
        var source = try readTextFile(path, what: "policy file")
        if args.flag("fix") {
            let seeds = SeedSpellings.find(in: source, file: path)
            if !seeds.isEmpty {
                source = SeedSpellings.apply(seeds, to: source)
                guard FileManager.default.createFile(atPath: path, contents: Data(source.utf8)) else {
                    throw CommandFailure(status: ExitCode.ioError, message: "error: cannot write '\(path)'")
                }
                printError("\(path): rewrote \(seeds.count) expression\(seeds.count == 1 ? "" : "s")")
            }
        }
        let options = CompileOptions(agent: args.value("agent") ?? "agent", placeholders: try placeholderValues(args))
        let result = PolicySourceCompiler.compile(source: source, file: path, options: options)
        let rendered = result.diagnostics.map { $0.rendered(source: source) }
        guard let compiled = result.policy else {
            throw CommandFailure(status: ExitCode.dataError, message: rendered.joined(separator: "\n"))
        }
        if let out = args.value("output") {
            let bytes = try PolicyBundle.encode(compiled)
            guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else {
                throw CommandFailure(status: ExitCode.ioError, message: "error: cannot write '\(out)'")
            }
        }
        if let backend = args.value("backend") {
            return try landlockReport(compiled, backend: backend, placeholders: options.placeholders, json: args.flag("json"))
        }
        let summary = TableSummary(compiled)
        if let key = args.value("explain") {
            guard let rule = RuleExplanation.find(key, in: compiled) else {
                throw CommandFailure(status: ExitCode.usage, message: "error: no rule '\(key)' in \(path) (rules: \(compiled.rules.map(\.policyID).joined(separator: ", ")))")
            }
            for d in rendered { printError(d) }
            print(RuleExplanation.text(rule, in: compiled), terminator: "")
            return ExitCode.success
        }
        if args.flag("json") {
            struct Report: Encodable {
                var file: String
                var summary: TableSummary
                var rules: [RuleInfo]
                var diagnostics: [String]
                var bundleBytes: Int?
            }
            let size = args.value("output").flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try enc.encode(Report(file: path, summary: summary, rules: compiled.rules,
                                             diagnostics: result.diagnostics.map(\.description), bundleBytes: size))
            print(String(decoding: data, as: UTF8.self))
            return ExitCode.success
        }
        for d in rendered { printError(d) }
        print("\(path): " + summary.text, terminator: "")
        if let out = args.value("output") { print("wrote \(out)") }
        return ExitCode.success
    }
}

/// `${WORKDIR}` and `${HOME}` from the environment, overridden by `--set NAME=VALUE`.
func placeholderValues(_ args: ParsedArguments) throws -> [String: String] {
    var values: [String: String] = ["WORKDIR": FileManager.default.currentDirectoryPath]
    if let home = ProcessInfo.processInfo.environment["HOME"] { values["HOME"] = home }
    for s in args.all("set") {
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { throw UsageError(message: "--set takes NAME=VALUE, got '\(s)'") }
        values[String(s[..<eq])] = String(s[s.index(after: eq)...])
    }
    return values
}
