// `leash run -- CMD`: runs a command under a policy. On this kernel family (no BPF LSM) the
// landlock backend enforces the policy's file rules; see docs/sandbox.md for what it can
// and cannot express.

#if canImport(Glibc)
import Glibc
#endif
import Cedar
import Foundation
import Loader
import PolicyCompiler
import Resolver
import Sandbox
import Telemetry

func runCommand() -> Command {
    Command(
        name: "run", abstract: "Run a command under a policy (short form: leash -- CMD).",
        usage: "[--policy FILE] [--agent NAME] [--mode enforce|audit] [--backend bpf-lsm|landlock] [--allow-approximate] [--audit-log FILE] [--env NAME]... -- CMD [ARGS...]",
        discussion: """
            Without --policy the built-in default policy (policies/default.cedar) applies,
            with ${WORKDIR} the current directory and ${HOME} from the environment.

            BACKENDS: bpf-lsm decides every file open, exec, mmap-exec, connect and send in
            the kernel against the compiled policy, supports --mode audit, hot reload
            (SIGHUP or `leash reload PID`) and context flags flipped at run time (the
            credential prompt). Where the kernel refuses BPF LSM programs (see
            `leash doctor`), landlock enforces the same policy with Landlock, cgroup
            socket programs and seccomp. A rule it cannot express exactly (a carve-out
            expanded at start, a pattern without an anchor, chmod, mmap exec, unix
            sockets, a link or rename denied where creation is allowed) makes leash refuse
            to start unless --allow-approximate is given; then the audit log records each
            approximation. `leash compile --backend landlock POLICY` shows the per-rule
            report.

            NETWORK: with both backends the command's DNS (UDP and TCP port 53, to any
            server) is redirected to leash's resolver, which forwards allowed names to
            --dns-upstream and opens their answered addresses for that sandbox only, for
            the answer's TTL; denied names get REFUSED. Connects to other addresses are
            decided by the policy's address and port rules.

            TELEMETRY: every deny (and the first of each repeated allow) is recorded with
            the deciding rule's id and file:line; --audit-log writes them as JSON lines,
            and a summary (counts per action, top denials) goes to stderr at exit. Lost
            records are counted and reported.

            The command gets a scrubbed environment: PATH, HOME, TERM, LANG, LC_*, USER,
            SHELL, TMPDIR and the like, and the model API keys (ANTHROPIC_API_KEY,
            OPENAI_API_KEY, GEMINI_API_KEY, …). Everything else is withheld unless named
            with --env NAME.

            EXIT STATUS:
              the command's own status (128+N when killed by signal N), or leash's:
              64  bad command line
              65  the policy has errors, or needs approximation without --allow-approximate
              70  an internal error of leash
              71  the kernel refused to set up the sandbox
              74  a file could not be read or written
              126 the command could not be executed
              127 the command was not found
            """,
        options: [
            Option(name: "policy", value: "FILE", help: "The Cedar policy (default: the built-in default policy)."),
            Option(name: "agent", value: "NAME", help: "The agent the policy is specialised on (default: the command's name)."),
            Option(name: "mode", value: "enforce|audit", help: "enforce (default) or audit."),
            Option(name: "backend", value: "bpf-lsm|landlock", help: "The enforcement backend (default: bpf-lsm where the kernel loads BPF LSM programs, else landlock)."),
            Option(name: "allow-approximate", value: nil, help: "Start even when rules are approximated; the audit log records each."),
            Option(name: "audit-log", value: "FILE", help: "Write the JSONL audit log to FILE."),
            Option(name: "env", value: "NAME", help: "Pass environment variable NAME through.", repeatable: true),
            Option(name: "set", value: "NAME=VALUE", help: "Value of a ${NAME} placeholder.", repeatable: true),
            Option(name: "dns-upstream", value: "ADDR[:PORT]", help: "The DNS server leash's resolver forwards to (default: resolv.conf's first)."),
        ],
        stopAtFirstPositional: true
    ) { args in
        guard let argv = args.rest, let command = argv.first else { throw UsageError(message: "missing the command to run (leash run -- CMD)") }
        let mode = args.value("mode") ?? "enforce"
        guard mode == "enforce" || mode == "audit" else { throw UsageError(message: "--mode is enforce or audit, got '\(mode)'") }
        // Without --backend, the one doctor's probe says this kernel can run (RunBPFLSM.swift).
        let backendName = args.value("backend") ?? automaticBackend().rawValue
        guard let backend = Backend(rawValue: backendName), backend != .none else {
            throw UsageError(message: "--backend is one of \(Backend.allCases.filter { $0 != .none }.map(\.rawValue).joined(separator: ", ")), got '\(backendName)'")
        }
        guard Backend.built.contains(backend) else {
            throw UsageError(message: "backend '\(backendName)' is not available in leash run yet; the only backend is landlock")
        }
        guard mode == "enforce" || backend == .bpfLSM else {
            throw UsageError(message: "--mode audit needs the BPF LSM backend: Landlock can only deny, it cannot report what it would deny")
        }

        let agent = args.value("agent") ?? URL(fileURLWithPath: command).lastPathComponent
        let (source, file): (String, String)
        if let p = args.value("policy") { (source, file) = (try readTextFile(p, what: "policy file"), p) }
        else { (source, file) = (DefaultPolicy.source, DefaultPolicy.fileName) }
        var placeholders = try placeholderValues(args)
        placeholders["AGENT"] = placeholders["AGENT"] ?? agent
        let result = PolicySourceCompiler.compile(source: source, file: file,
                                                  options: CompileOptions(agent: agent, placeholders: placeholders))
        guard let compiled = result.policy else {
            throw CommandFailure(status: ExitCode.dataError, message: result.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))
        }
        if backend == .bpfLSM {
            let policyPath = args.value("policy"), options = CompileOptions(agent: agent, placeholders: placeholders)
            return try BPFLSMRun(argv: argv, mode: mode, agent: agent, policyFile: file, compiled: compiled, placeholders: placeholders,
                                 auditLogPath: args.value("audit-log"), extraEnvironment: Set(args.all("env")),
                                 recompile: policyPath.map { p in { try recompilePolicy(p, options) } },
                                 upstream: try args.value("dns-upstream").map { text in
                                     guard let a = SocketAddress(text) else { throw UsageError(message: "--dns-upstream takes ADDR or ADDR:PORT ([V6]:PORT), got '\(text)'") }
                                     return a
                                 } ?? SystemResolver.upstream()).run()
        }
        let plan: LandlockPlan
        do { plan = try SandboxSetup.plan(compiled, placeholders: placeholders) }
        catch { throw CommandFailure(status: ExitCode.software, message: "error: \(error)") }

        let approximations = plan.approximations
        if plan.needsConsent && !args.flag("allow-approximate") {
            var lines = ["error: the landlock backend cannot enforce \(file) exactly (\(approximations.count) rule\(approximations.count == 1 ? "" : "s"), \(plan.gaps.count) action\(plan.gaps.count == 1 ? "" : "s")); refusing to start:"]
            for r in approximations {
                lines.append("  \(r.location): @id(\"\(r.id)\") \(r.status.rawValue)")
                for why in r.reasons { lines.append("    - \(why)") }
            }
            for g in plan.gaps { lines.append("  \(g.action): \(g.reason)") }
            lines.append("Pass --allow-approximate to run anyway (the audit log records each approximation), or change the policy.")
            throw CommandFailure(status: ExitCode.dataError, message: lines.joined(separator: "\n"))
        }

        let log: AuditLog?
        do { log = try args.value("audit-log").map(AuditLog.init(path:)) }
        catch { throw CommandFailure(status: ExitCode.ioError, message: "\(error)") }
        log?.record("start", ["backend": "landlock", "policy": file, "agent": agent, "mode": mode, "command": argv,
                              "grants": plan.grants.count, "expandedDirectories": plan.expandedDirectories])
        for r in approximations {
            log?.record("approximation", ["rule": r.id, "location": r.location, "status": r.status.rawValue, "reasons": r.reasons])
        }
        for g in plan.gaps { log?.record("approximation", ["action": g.action, "status": "not-enforceable", "reasons": [g.reason]]) }
        if plan.needsConsent {
            printError("leash: landlock backend: \(approximations.count) rule\(approximations.count == 1 ? "" : "s") and \(plan.gaps.count) action\(plan.gaps.count == 1 ? "" : "s") approximated (--allow-approximate)")
        }

        let env = EnvironmentFilter(extra: Set(args.all("env"))).filter(ProcessInfo.processInfo.environment)
        EnvironmentFilter.eraseOwnEnvironmentBlock()
        log?.record("environment", ["withheld": env.withheld, "secretLooking": env.withheld.filter(EnvironmentFilter.looksSecret)])
        let pathValue = env.environment.first { $0.0 == "PATH" }?.1
        guard let path = SandboxProcess.resolve(command, path: pathValue) else {
            throw CommandFailure(status: 127, message: "leash: \(command): command not found")
        }

        let ruleset: LandlockRuleset
        do { ruleset = try LandlockRuleset(plan) }
        catch { throw CommandFailure(status: ExitCode.osError, message: "error: cannot set up the landlock sandbox: \(error)") }
        // Per-operation records, the audit log's decisions and the exit summary (Sources/Telemetry).
        let telemetry = RunTelemetry.fallback(.init(backend: "landlock", mode: mode, policyName: file, agent: agent,
                                                     home: placeholders["HOME"], policy: compiled,
                                                     audit: log.map { l in { l.record($0, $1) } }), traceNetwork: false)
        // Network rules: cgroup socket programs and leash's resolver (Sources/Resolver).
        let network: RunNetwork?
        let upstream = try args.value("dns-upstream").map { text in
            guard let a = SocketAddress(text) else { throw UsageError(message: "--dns-upstream takes ADDR or ADDR:PORT ([V6]:PORT), got '\(text)'") }
            return a
        } ?? SystemResolver.upstream()
        do { network = try RunNetwork.start(policy: compiled, sandbox: RunTelemetry.sandboxID, telemetry: telemetry.maps, upstream: upstream,
                                            audit: log.map { l in { l.record($0, $1) } }, allowApproximate: args.flag("allow-approximate")) }
        catch { throw CommandFailure(status: ExitCode.osError, message: "error: \(error)") }
        defer { network?.stop() }
        telemetry.beforeSpawn()
        let status: Int32
        // `leash reload` (SIGHUP): a Landlock domain cannot change once the command runs,
        // and reloading only the network half would leave a policy half applied.
        let refuseReload = {
            let reason = "the landlock backend cannot change a running sandbox's file rules; the policy leash started with stays (restart the command, or use the bpf-lsm backend for hot reload)"
            printError("leash: reload refused: \(reason)")
            log?.record("reload", ["status": "refused", "backend": "landlock", "policy": file, "reason": reason])
        }
        do { status = try spawnInsideNetwork(network) { try SandboxProcess.run(path: path, argv: argv, environment: env.environment, ruleset: ruleset, onHangup: refuseReload) } }
        catch let e as SandboxError {
            switch e.kind {
            case .io: throw CommandFailure(status: e.code == ENOENT ? 127 : 126, message: "leash: \(e.message)")
            default: throw CommandFailure(status: ExitCode.osError, message: "error: \(e.message)")
            }
        }
        // The summary's records come before "exit", which stays the log's last line.
        printError(telemetry.finish())
        log?.record("exit", ["status": status, "backend": "landlock"])
        return status
    }
}
