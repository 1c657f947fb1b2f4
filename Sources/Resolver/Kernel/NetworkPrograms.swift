// Loads bpf/sandbox_net.bpf.c once per leash process and attaches it to each sandbox's
// cgroup. The object shares the policy engine's maps and the telemetry maps, and owns the
// `dns_bindings` map that the resolver writes and the BPF LSM hooks may share.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf
import Loader
import PolicyCompiler

/// What the network programs need to know about one sandbox.
public struct NetworkSandboxSettings: Sendable {
    public var sandbox: UInt32
    /// The sandbox's resolver: port-53 traffic goes to resolverIPv4 (or resolverIPv6 for
    /// IPv6 sockets; nil refuses IPv6 DNS) at resolverPort, UDP and TCP.
    public var resolverIPv4: IPNet
    public var resolverIPv6: IPNet?
    public var resolverPort: UInt16

    public init(sandbox: UInt32, resolverIPv4: IPNet, resolverIPv6: IPNet?, resolverPort: UInt16) {
        self.sandbox = sandbox; self.resolverIPv4 = resolverIPv4; self.resolverIPv6 = resolverIPv6; self.resolverPort = resolverPort
    }

    var cStruct: leash_net_sandbox {
        var s = leash_net_sandbox()
        s.sandbox_id = sandbox
        s.resolver_ip4 = resolverIPv4.bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }  // stays network order
        if let v6 = resolverIPv6 { withUnsafeMutableBytes(of: &s.resolver_ip6) { $0.copyBytes(from: v6.bytes) } }
        s.resolver_port = resolverPort
        return s
    }
}

public enum ProtectedScope: UInt8, Sendable {
    /// The endpoint is bound to loopback: refused at 127/8, ::1, 0.0.0.0 and ::.
    case loopback = 1
    /// Bound to every address: refused at any address.
    case anyAddress = 2
}

public final class NetworkPrograms {
    public static let programNames = ["leash_net_connect4", "leash_net_connect6", "leash_net_sendmsg4", "leash_net_sendmsg6",
                                      "leash_net_recvmsg4", "leash_net_recvmsg6", "leash_net_getpeername4",
                                      "leash_net_getpeername6", "leash_net_sock_create"]
    public let object: BPFObject
    public let bindings: KernelBindingTable

    /// Opens and loads the programs against the shared engine (and telemetry) maps.
    /// `bindingMapFD`: an existing `dns_bindings` map to share (the BPF LSM hooks' copy);
    /// it is duplicated, the caller keeps its own descriptor. nil creates one.
    public init(policies: KernelPolicyStore, telemetry: TelemetryMaps? = nil, bindingMapFD: Int32? = nil) throws {
        let object = try BPFObject(embedded: .sandboxNet)
        try policies.share(with: object)
        if let telemetry { try object.shareTelemetryMaps(telemetry) }
        let fd = try bindingMapFD.map { existing in
            let copy = fcntl(existing, F_DUPFD_CLOEXEC, 0)
            if copy < 0 { throw BindingMapError(operation: "sharing", code: errno) }
            return copy
        } ?? object.createMap(like: "dns_bindings")
        bindings = KernelBindingTable(adopting: fd)
        try object.reuseMap("dns_bindings", fd: fd)
        try object.load()
        self.object = object
    }

    /// Refuses every sandbox's sockets to leash's endpoint on `port`.
    public func protect(port: UInt16, scope: ProtectedScope = .loopback) throws {
        try object.map("protected_ports").update(port, scope.rawValue)
    }

    public func unprotect(port: UInt16) throws {
        try object.map("protected_ports").delete(port)
    }

    /// Attaches every program to `cgroup`, then writes its settings. Until the settings
    /// are written the programs refuse everything, so attach before any process joins.
    public func attach(to cgroup: Cgroup, _ settings: NetworkSandboxSettings) throws -> NetworkAttachment {
        var links: [BPFLink] = []
        for name in Self.programNames { links.append(try object.program(name).attach(cgroupFD: cgroup.fd)) }
        try object.map("net_config").update(cgroup.id, settings.cStruct)
        return NetworkAttachment(links: links, cgroup: cgroup)
    }
}

/// The programs attached to one sandbox's cgroup; deinit detaches them.
public final class NetworkAttachment {
    public let links: [BPFLink]
    public let cgroup: Cgroup
    init(links: [BPFLink], cgroup: Cgroup) { self.links = links; self.cgroup = cgroup }
}
