#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import PolicyCompiler

/// A request the kernel engine cannot take as is.
public enum KernelRequestError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownAction(String)
    case stringTooLong(what: String, bytes: Int, limit: Int)
    case portOutOfRange(Int)
    case unknownProtocol(String)

    public var description: String {
        switch self {
        case .unknownAction(let a): return "unknown action '\(a)'"
        case .stringTooLong(let what, let n, let limit): return "\(what) is \(n) bytes; the kernel engine takes at most \(limit)"
        case .portOutOfRange(let p): return "port \(p) is not in 0...65535"
        case .unknownProtocol(let p): return "protocol '\(p)' is neither tcp nor udp"
        }
    }
}

extension leash_request {
    /// The request a hook would fill for `request` (leash_policy.h's `struct leash_request`).
    /// A host with a domain carries the domain; without one the string is left empty so
    /// the engine formats the address itself, as hooks do.
    public init(_ request: OperationRequest, policy: PolicyID, flags: UInt64) throws(KernelRequestError) {
        self.init()
        guard let code = PolicyTables.actionCode(request.action) else { throw .unknownAction(request.action) }
        self.policy = policy
        self.action = code
        self.flags = flags
        switch request.resource {
        case .file(let path):
            str_len = try Self.copy(path, into: &str, limit: Int(LEASH_STRING_MAX), what: "path")
        case .host(let domain, let ip, let port, let proto):
            guard (0...65535).contains(port) else { throw .portOutOfRange(port) }
            switch proto {
            case "tcp": self.proto = UInt32(IPPROTO_TCP)
            case "udp": self.proto = UInt32(IPPROTO_UDP)
            default: throw .unknownProtocol(proto)
            }
            self.port = UInt32(port)
            family = UInt32(ip.isV6 ? AF_INET6 : AF_INET)
            withUnsafeMutableBytes(of: &addr) { raw in for (k, b) in ip.bytes.prefix(16).enumerated() { raw[k] = b } }
            if let domain {
                str_len = try Self.copy(domain, into: &str, limit: Int(LEASH_STRING_MAX), what: "domain")
            }
        case .mcp(let server, let tool):
            str_len = try Self.copy(server, into: &str, limit: Int(LEASH_STRING_MAX), what: "MCP server")
            tool_len = try Self.copy(tool, into: &self.tool, limit: Int(LEASH_TOOL_MAX), what: "MCP tool")
        }
    }

    private static func copy<Buffer>(_ s: String, into buffer: inout Buffer, limit: Int, what: String) throws(KernelRequestError) -> UInt32 {
        let bytes = Array(s.utf8)
        guard bytes.count <= limit else { throw .stringTooLong(what: what, bytes: bytes.count, limit: limit) }
        withUnsafeMutableBytes(of: &buffer) { raw in
            raw.copyBytes(from: bytes)
        }
        return UInt32(bytes.count)
    }
}
