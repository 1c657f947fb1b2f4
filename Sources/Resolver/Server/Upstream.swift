// The real DNS server queries are forwarded to. Each exchange uses its own socket, so
// several queries are in flight at once and a late answer can never be taken for
// another query's.

#if canImport(Glibc)
import Glibc
#endif

public protocol Upstream: Sendable {
    /// The upstream's answer to `query` (wire bytes), over TCP when `tcp`.
    func exchange(_ query: [UInt8], tcp: Bool) throws -> [UInt8]
}

public struct NetworkUpstream: Upstream {
    public var server: SocketAddress
    public var timeoutMilliseconds: Int32

    public init(server: SocketAddress, timeoutMilliseconds: Int32 = 3000) {
        self.server = server
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public func exchange(_ query: [UInt8], tcp: Bool) throws -> [UInt8] {
        let s = try Socket(family: server.family, type: tcp ? Socket.stream : Socket.datagram)
        try s.connect(server)
        if tcp {
            try s.sendFramed(query)
            guard let answer = try s.receiveFramed(timeoutMilliseconds: timeoutMilliseconds) else {
                throw SocketError(call: "recv from \(server) (closed)", code: ECONNRESET)
            }
            return answer
        }
        try s.send(query)
        // A connected UDP socket only accepts datagrams from the server; skip any whose
        // id is not ours (a stale answer to an earlier socket that reused this port).
        while true {
            guard try s.waitReadable(milliseconds: timeoutMilliseconds) else { throw SocketError(call: "recv from \(server) (timed out)", code: ETIMEDOUT) }
            let answer = try s.receive()
            if answer.count >= 2 && query.count >= 2 && answer[0] == query[0] && answer[1] == query[1] { return answer }
        }
    }
}
