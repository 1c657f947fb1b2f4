#if canImport(Glibc)
import Glibc
#endif
import PolicyCompiler

/// An IP address and port, convertible to the sockaddr the kernel takes.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: IPNet
    public var port: UInt16

    public init(ip: IPNet, port: UInt16) { self.ip = ip; self.port = port }

    /// `127.0.0.1:53`, `[::1]:53`.
    public init?(_ text: String) {
        var host = Substring(text), portText: Substring = "53"
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { portText = rest.dropFirst() } else if !rest.isEmpty { return nil }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]; portText = text[text.index(after: colon)...]
        }
        guard let ip = IPNet(parsing: String(host)), ip.isHost, let port = UInt16(portText) else { return nil }
        self.init(ip: ip, port: port)
    }

    public var family: Int32 { ip.isV6 ? AF_INET6 : AF_INET }
    public var description: String { OperationRequest.hostPortID(host: ip.canonicalText, port: Int(port)) }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        if ip.isV6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: ip.bytes) }
            return try withUnsafePointer(to: &sa) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: ip.bytes) }
        return try withUnsafePointer(to: &sa) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }

    init?(storage: sockaddr_storage) {
        var s = storage
        switch Int32(s.ss_family) {
        case AF_INET:
            let sa = withUnsafeBytes(of: &s) { $0.loadUnaligned(as: sockaddr_in.self) }
            let bytes = withUnsafeBytes(of: sa.sin_addr) { Array($0) }
            self.init(ip: IPNet(isV6: false, bytes: bytes, prefix: 32), port: UInt16(bigEndian: sa.sin_port))
        case AF_INET6:
            let sa = withUnsafeBytes(of: &s) { $0.loadUnaligned(as: sockaddr_in6.self) }
            let bytes = withUnsafeBytes(of: sa.sin6_addr) { Array($0) }
            self.init(ip: IPNet(isV6: true, bytes: bytes, prefix: 128), port: UInt16(bigEndian: sa.sin6_port))
        default:
            return nil
        }
    }
}
