import Foundation
// One sandbox's network, assembled: its resolver on loopback (protected from the sandbox
// itself), and the network programs attached to its cgroup pointing port 53 at it. The
// policy engine's tables must already hold the sandbox's policy (KernelPolicyStore.bind).

import Loader
import PolicyCompiler

public final class SandboxNetwork {
    public let sandbox: UInt32
    public let server: DNSServer
    public let attachment: NetworkAttachment
    let programs: NetworkPrograms

    public init(programs: NetworkPrograms, cgroup: Cgroup, sandbox: UInt32, policy: CompiledPolicy, upstream: Upstream,
                settings: ResolverSettings = ResolverSettings(), report: @escaping @Sendable (ResolverEvent) -> Void = { _ in }) throws {
        let handler = QueryHandler(sandbox: sandbox, policy: NamePolicy(policy), bindings: programs.bindings,
                                   upstream: upstream, settings: settings, report: report)
        let server = try DNSServer(handler: handler)
        do {
            try programs.protect(port: server.port, scope: .loopback)
            attachment = try programs.attach(to: cgroup, NetworkSandboxSettings(
                sandbox: sandbox, resolverIPv4: server.endpoints[0].ip, resolverIPv6: server.endpoints.dropFirst().first?.ip,
                resolverPort: server.port))
        } catch {
            server.stop()
            throw error
        }
        self.sandbox = sandbox
        self.server = server
        self.programs = programs
    }

    /// Stops the resolver and forgets the sandbox's bindings. The programs stay attached
    /// until this object goes (fail closed: DNS now finds no resolver).
    public func stop() {
        server.stop()
        programs.bindings.sweep(sandbox: sandbox, all: true)
        try? programs.unprotect(port: server.port)
    }
}

public enum SystemResolver {
    /// The first `nameserver` of resolv.conf text, port 53.
    public static func upstream(resolvConf text: String) -> SocketAddress? {
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 2, fields[0] == "nameserver", let ip = IPNet(parsing: String(fields[1])), ip.isHost {
                return SocketAddress(ip: ip, port: 53)
            }
        }
        return nil
    }

    /// The system's resolver (/etc/resolv.conf), or 127.0.0.1:53 as glibc assumes.
    public static func upstream(path: String = "/etc/resolv.conf") -> SocketAddress {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return upstream(resolvConf: text) ?? SocketAddress(ip: IPNet(parsing: "127.0.0.1")!, port: 53)
    }
}
