// How `leash run` starts the network half, with one call from RunCommand: the audit log
// gets every DNS decision, and a kernel that cannot load the programs stops the run
// unless the user accepted approximations (then the network is not restricted, and the
// audit log and stderr say so).

#if canImport(Glibc)
import Glibc
#endif
import Loader
import PolicyCompiler

public struct RunNetworkFailure: Error, CustomStringConvertible {
    public var reason: String
    public var description: String {
        "cannot restrict the sandbox's network: \(reason)\nPass --allow-approximate to run with the network unrestricted (the audit log records it)."
    }
}

extension RunNetwork {
    public static func start(policy: CompiledPolicy, sandbox: UInt32, telemetry: TelemetryMaps?, upstream: SocketAddress,
                             audit: ((String, [String: Any]) -> Void)?, allowApproximate: Bool) throws -> RunNetwork? {
        do {
            let network = try RunNetwork(policy: policy, sandbox: sandbox, telemetry: telemetry, upstream: upstream, report: { e in
                var fields: [String: Any] = ["sandbox": e.sandbox, "name": e.name, "type": e.type, "verdict": e.verdict.rawValue]
                if let rule = e.rule { fields["rule"] = rule }
                if !e.bound.isEmpty { fields["addresses"] = e.bound }
                if !e.withheld.isEmpty { fields["withheld"] = e.withheld }
                if let detail = e.detail { fields["detail"] = detail }
                audit?("dns", fields)
            })
            audit?("network", ["enforced": true, "resolver": "127.0.0.1:\(network.resolverPort)", "upstream": network.upstream.description,
                               "cgroup": network.cgroup.path])
            return network
        } catch {
            guard allowApproximate else { throw RunNetworkFailure(reason: "\(error)") }
            audit?("approximation", ["action": "NetworkConnect, NetworkSend", "status": "not-enforceable",
                                     "reasons": ["the cgroup network programs could not start: \(error)"]])
            fputs("leash: the network is NOT restricted (--allow-approximate): \(error)\n", stderr)
            return nil
        }
    }
}

/// Runs `spawn` inside `network`'s cgroup, or plainly when there is no network half.
public func spawnInsideNetwork<T>(_ network: RunNetwork?, _ spawn: () throws -> T) throws -> T {
    guard let network else { return try spawn() }
    return try network.spawnInside(spawn)
}
