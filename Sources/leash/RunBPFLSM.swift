// `leash run` with the bpf-lsm backend: the whole run after the policy compiled, called
// from one place in RunCommand.swift. Enforcement is Sources/LSMSandbox's; this file only
// wires it to the audit log, the environment filter and telemetry.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import LSMSandbox
import PolicyCompiler
import Resolver
import Sandbox
import Telemetry

/// Lets the credential prompt turn a context flag on in the running sandbox (no reload).
final class LSMContextFlags: ContextFlagSwitch {
    weak var sandbox: LSMSandbox?
    var canFlipAtRuntime: Bool { true }
    func turnOn(_ flag: String) throws { try sandbox?.setFlag(flag, true) }
}

/// The backend `leash run` uses without --backend: bpf-lsm where this kernel loads BPF LSM
/// programs (the probe doctor uses), else landlock.
func automaticBackend() -> Backend {
    guard Backend.built.contains(.bpfLSM), geteuid() == 0, LiveKernel().loadLSMProbe() == nil else { return .landlock }
    return .bpfLSM
}

struct BPFLSMRun {
    var argv: [String]
    var mode: String
    var agent: String
    var policyFile: String
    var compiled: CompiledPolicy
    var placeholders: [String: String]
    var auditLogPath: String?
    var extraEnvironment: Set<String>
    /// Compiles the policy file again, for SIGHUP / `leash reload`; nil for the built-in policy.
    var recompile: (() throws -> CompiledPolicy)?
    /// The DNS server leash's resolver forwards allowed names to.
    var upstream: SocketAddress

    func run() throws -> Int32 {
        LSMPins.sweepStale()
        let log: AuditLog?
        do { log = try auditLogPath.map(AuditLog.init(path:)) }
        catch { throw CommandFailure(status: ExitCode.ioError, message: "\(error)") }
        log?.record("start", ["backend": Backend.bpfLSM.rawValue, "policy": policyFile, "agent": agent, "mode": mode, "command": argv])

        let env = EnvironmentFilter(extra: extraEnvironment).filter(ProcessInfo.processInfo.environment)
        EnvironmentFilter.eraseOwnEnvironmentBlock()
        log?.record("environment", ["withheld": env.withheld, "secretLooking": env.withheld.filter(EnvironmentFilter.looksSecret)])
        let pathValue = env.environment.first { $0.0 == "PATH" }?.1
        guard let path = SandboxProcess.resolve(argv[0], path: pathValue) else {
            throw CommandFailure(status: 127, message: "leash: \(argv[0]): command not found")
        }

        let flags = LSMContextFlags()
        let maps: TelemetryMaps
        let store: KernelPolicyStore
        let sandbox: LSMSandbox
        let network: RunNetwork?
        let sandboxMode: SandboxMode = mode == "audit" ? .audit : .enforce
        do {
            maps = try TelemetryMaps()
            store = try KernelPolicyStore()
            // The hooks decide files, exec and unix sockets; IPv4/IPv6 go to the cgroup
            // programs and leash's resolver (names), which read the same policy tables.
            sandbox = try LSMSandbox(policy: compiled, mode: sandboxMode, store: store, telemetry: maps, inetByCgroup: true)
            network = startNetwork(sandbox: sandbox, store: store, maps: maps, mode: sandboxMode, upstream: upstream, log: log)
            if network == nil { try sandbox.decideInetByAddress() }
        } catch let e as LSMSandboxError {
            // EPERM from a root load: the kernel has no BPF trampolines or no bpf in lsm=.
            let hint = e.code == EPERM && geteuid() == 0
                ? "\nThis kernel does not accept BPF LSM programs (see `leash doctor`); --backend landlock works without them." : ""
            throw CommandFailure(status: e.kind == .policy ? ExitCode.dataError : ExitCode.osError,
                                 message: "error: cannot set up the bpf-lsm sandbox: \(e)\(hint)")
        } catch {
            throw CommandFailure(status: ExitCode.osError, message: "error: cannot set up the bpf-lsm sandbox: \(error)")
        }
        flags.sandbox = sandbox
        log?.record("sandbox", ["id": sandbox.id, "pins": sandbox.pinDirectory ?? "", "policyID": sandbox.policyID])
        let telemetry: RunTelemetry
        do {
            telemetry = try RunTelemetry(.init(backend: Backend.bpfLSM.rawValue, mode: mode, policyName: policyFile, agent: agent,
                                               home: placeholders["HOME"], policy: compiled,
                                               audit: log.map { l in { l.record($0, $1) } }, flagSwitch: flags,
                                               policyID: sandbox.policyID),
                                         maps: maps, tracepoints: nil)
        } catch {
            throw CommandFailure(status: ExitCode.osError, message: "error: cannot start telemetry: \(error)")
        }
        let status: Int32
        do {
            defer { network?.stop() }
            let reload = recompile.map { recompile in {
                let policy = try recompile()
                network?.replace(policy: policy)
                return policy
            } }
            status = try LSMRun.run(sandbox, path: path, argv: argv, environment: env.environment,
                                    reloadPolicy: reload, around: network.map { n in { spawn in try n.spawnInside(spawn) } },
                                    report: { line in
                                        // After a reload records name rules of the policy that decided them.
                                        telemetry.policyChanged(to: sandbox.policy, id: sandbox.policyID)
                                        printError(line)
                                        log?.record("reload", ["message": line])
                                    })
        } catch let e as LSMSandboxError where e.kind == .spawn {
            throw CommandFailure(status: e.code == ENOENT ? 127 : 126, message: "leash: \(e.message)")
        } catch {
            throw CommandFailure(status: ExitCode.osError, message: "error: \(error)")
        }
        // The summary's records come before "exit", which stays the log's last line (as
        // with the landlock backend).
        printError(telemetry.finish())
        log?.record("exit", ["status": status, "backend": Backend.bpfLSM.rawValue])
        return status
    }
}

/// The network half (Sources/Resolver): cgroup programs and a resolver bound to the
/// sandbox. nil when it cannot start; the hooks then decide addresses themselves (no names).
func startNetwork(sandbox: LSMSandbox, store: KernelPolicyStore, maps: TelemetryMaps, mode: SandboxMode, upstream: SocketAddress,
                  log: AuditLog?) -> RunNetwork? {
    do {
        let network = try RunNetwork(policy: sandbox.policy, sandbox: sandbox.id, mode: mode, store: store, telemetry: maps,
                                     upstream: upstream, report: { e in
            var fields: [String: Any] = ["sandbox": e.sandbox, "name": e.name, "type": e.type, "verdict": e.verdict.rawValue]
            if let rule = e.rule { fields["rule"] = rule }
            if !e.bound.isEmpty { fields["addresses"] = e.bound }
            log?.record("dns", fields)
        })
        log?.record("network", ["enforced": true, "by": "cgroup programs and leash's resolver", "resolver": "127.0.0.1:\(network.resolverPort)"])
        return network
    } catch {
        log?.record("network", ["enforced": true, "by": "BPF LSM hooks, by address only (no DNS names)",
                                "reason": "the cgroup network programs could not start: \(error)"])
        printError("leash: bpf-lsm: network rules are decided by address only (the resolver could not start: \(error))")
        return nil
    }
}

/// Reads and compiles the policy file again (SIGHUP, `leash reload`).
func recompilePolicy(_ path: String, _ options: CompileOptions) throws -> CompiledPolicy {
    let source = try readTextFile(path, what: "policy file")
    let result = PolicySourceCompiler.compile(source: source, file: path, options: options)
    guard let compiled = result.policy else {
        throw CommandFailure(status: ExitCode.dataError, message: result.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))
    }
    return compiled
}
