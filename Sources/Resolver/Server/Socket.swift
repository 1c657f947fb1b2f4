// The few socket calls the resolver makes, with errno kept in a typed error.

#if canImport(Glibc)
import Glibc
#endif

public struct SocketError: Error, CustomStringConvertible, Equatable {
    public var call: String
    public var code: Int32
    public var description: String { "\(call): \(String(cString: strerror(code))) (errno \(code))" }
}

/// An owned socket descriptor, closed on deinit.
final class Socket: @unchecked Sendable {
    let fd: Int32

    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let stream = Int32(SOCK_STREAM.rawValue)

    init(family: Int32, type: Int32) throws {
        fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SocketError(call: "socket", code: errno) }
    }

    init(adopting fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    func check(_ rc: Int32, _ call: String) throws { if rc < 0 { throw SocketError(call: call, code: errno) } }

    func bind(_ a: SocketAddress) throws {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if a.ip.isV6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        try check(a.withSockaddr { Glibc.bind(fd, $0, $1) }, "bind \(a)")
    }

    func connect(_ a: SocketAddress) throws {
        try check(a.withSockaddr { Glibc.connect(fd, $0, $1) }, "connect \(a)")
    }

    func listen() throws { try check(Glibc.listen(fd, 128), "listen") }

    var localPort: UInt16 {
        var s = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &s) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return SocketAddress(storage: s)?.port ?? 0
    }

    /// Waits up to `milliseconds` for input; false on timeout.
    /// Waits until this socket is readable (true) or `wake` is, or the time is up (false).
    func waitReadable(milliseconds: Int32, orWake wake: Int32) throws -> Bool {
        var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            let rc = poll(&p, 2, milliseconds)
            if rc < 0 && errno == EINTR { continue }
            try check(rc, "poll")
            return p[0].revents & Int16(POLLIN) != 0
        }
    }

    func waitReadable(milliseconds: Int32) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&p, 1, milliseconds)
            if rc < 0 && errno == EINTR { continue }
            try check(rc, "poll")
            return rc > 0
        }
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SocketError(call: "send", code: errno) }
            sent += n
        }
    }

    func sendTo(_ bytes: [UInt8], _ a: SocketAddress) throws {
        let n = a.withSockaddr { sa, len in bytes.withUnsafeBytes { Glibc.sendto(fd, $0.baseAddress, $0.count, 0, sa, len) } }
        if n < 0 { throw SocketError(call: "sendto \(a)", code: errno) }
    }

    func receive(max: Int = 65535) throws -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: max)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw SocketError(call: "recv", code: errno) }
        return Array(buf[0..<n])
    }

    func receiveFrom() throws -> ([UInt8], SocketAddress?) {
        var buf = [UInt8](repeating: 0, count: 65535)
        var s = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = buf.withUnsafeMutableBytes { b in
            withUnsafeMutablePointer(to: &s) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, 0, $0, &len) } }
        }
        if n < 0 { throw SocketError(call: "recvfrom", code: errno) }
        return (Array(buf[0..<n]), SocketAddress(storage: s))
    }

    /// Exactly `count` bytes (TCP), nil on a clean end of stream before the first byte.
    func receiveExactly(_ count: Int, deadlineMilliseconds: Int32) throws -> [UInt8]? {
        var out: [UInt8] = []
        while out.count < count {
            guard try waitReadable(milliseconds: deadlineMilliseconds) else { throw SocketError(call: "recv (timed out)", code: ETIMEDOUT) }
            let chunk = try receive(max: count - out.count)
            if chunk.isEmpty {
                if out.isEmpty { return nil }
                throw SocketError(call: "recv (stream ended mid-message)", code: ECONNRESET)
            }
            out += chunk
        }
        return out
    }

    /// One length-prefixed DNS message over TCP (RFC 1035 section 4.2.2).
    func receiveFramed(timeoutMilliseconds: Int32) throws -> [UInt8]? {
        guard let header = try receiveExactly(2, deadlineMilliseconds: timeoutMilliseconds) else { return nil }
        let length = Int(header[0]) << 8 | Int(header[1])
        return try receiveExactly(length, deadlineMilliseconds: timeoutMilliseconds) ?? []
    }

    func sendFramed(_ message: [UInt8]) throws {
        try send([UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message)
    }
}
