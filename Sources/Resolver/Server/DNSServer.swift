// A sandbox's resolver endpoint: one UDP and one TCP socket on the same loopback port,
// where the sandbox's port-53 traffic is redirected. Every query is handled on its own
// thread, so a slow upstream answer never holds up the next query.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Dispatch
import Foundation
import PolicyCompiler

public final class DNSServer: @unchecked Sendable {
    /// The reply to a query (wire bytes; true when it came over TCP), nil for none.
    public typealias Responder = @Sendable ([UInt8], Bool) -> [UInt8]?
    let respond: Responder
    /// The loopback addresses (IPv4, and IPv6 when ::1 exists) sharing `port`.
    public private(set) var endpoints: [SocketAddress] = []
    public var port: UInt16 { endpoints.first?.port ?? 0 }

    private var udp: [Socket] = []
    private var tcp: [Socket] = []
    private let stopLock = NSLock()
    private var stopped = false
    private let group = DispatchGroup()
    /// Written once by `stop`: wakes the loops at once, so that leash's exit does not wait
    /// out a poll timeout (it waited up to 100 ms after every command).
    private var wake: [Int32] = [-1, -1]

    /// Binds 127.0.0.1 (and ::1 when available) on one free port for UDP and TCP.
    public convenience init(handler: QueryHandler, ipv4: String = "127.0.0.1", ipv6: String? = "::1") throws {
        try self.init(ipv4: ipv4, ipv6: ipv6, respond: { handler.handle($0, tcp: $1) })
        self.handler = handler
    }

    /// The query handler, when the server was made with one.
    public private(set) var handler: QueryHandler?

    /// Serves `respond` on 127.0.0.1 (and ::1) at a free port, or at `port` when given.
    public init(ipv4: String = "127.0.0.1", ipv6: String? = "::1", port: UInt16 = 0, respond: @escaping Responder) throws {
        self.respond = respond
        guard leash_pipe_cloexec(&wake) == 0 else { throw SocketError(call: "pipe2", code: errno) }
        var lastError: Error = SocketError(call: "bind", code: EADDRINUSE)
        for _ in 0..<20 {
            do {
                try bindAll(ipv4: ipv4, ipv6: ipv6, port: port)
                lastError = SocketError(call: "", code: 0)
                break
            } catch {
                lastError = error
                udp = []; tcp = []; endpoints = []
            }
        }
        if endpoints.isEmpty {
            close(wake[0]); close(wake[1])
            throw lastError
        }
        for s in udp { startLoop { [weak self] in self?.serveUDP(s) } }
        for s in tcp { startLoop { [weak self] in self?.serveTCP(s) } }
    }

    private func bindAll(ipv4: String, ipv6: String?, port wanted: UInt16) throws {
        let first = SocketAddress(ip: IPNet(parsing: ipv4)!, port: wanted)
        let u4 = try Socket(family: AF_INET, type: Socket.datagram)
        try u4.bind(first)
        let port = u4.localPort
        let a4 = SocketAddress(ip: first.ip, port: port)
        let t4 = try Socket(family: AF_INET, type: Socket.stream)
        try t4.bind(a4); try t4.listen()
        udp = [u4]; tcp = [t4]; endpoints = [a4]
        if let ipv6, let s6 = try? Socket(family: AF_INET6, type: Socket.datagram) {
            let a6 = SocketAddress(ip: IPNet(parsing: ipv6)!, port: port)
            // No ::1 on this machine's loopback: serve IPv4 only.
            guard (try? s6.bind(a6)) != nil else { return }
            let t6 = try Socket(family: AF_INET6, type: Socket.stream)
            try t6.bind(a6); try t6.listen()
            udp.append(s6); tcp.append(t6); endpoints.append(a6)
        }
    }

    private var isStopped: Bool { stopLock.lock(); defer { stopLock.unlock() }; return stopped }

    private func startLoop(_ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread { body(); self.group.leave() }
        thread.start()
    }

    /// Stops accepting queries and waits for the loops to end (queries being answered
    /// finish on their own).
    public func stop() {
        stopLock.lock()
        let first = !stopped
        stopped = true
        stopLock.unlock()
        if first {
            var byte: UInt8 = 1
            _ = write(wake[1], &byte, 1)
        }
        group.wait()
    }

    deinit {
        if !isStopped { stop() }
        close(wake[0]); close(wake[1])
    }

    /// At most this many queries are answered at once; more wait for a worker.
    public static let maxInFlight = 128
    private let workers = WorkerPool(limit: DNSServer.maxInFlight)

    private func inFlight(_ work: @escaping @Sendable () -> Void) {
        workers.submit(work)
    }

    private func serveUDP(_ s: Socket) {
        while !isStopped {
            guard (try? s.waitReadable(milliseconds: 1000, orWake: wake[0])) == true,
                  let (bytes, from) = try? s.receiveFrom(), let from else { continue }
            inFlight { [respond] in
                if let reply = respond(bytes, false) { try? s.sendTo(reply, from) }
            }
        }
    }

    private func serveTCP(_ s: Socket) {
        while !isStopped {
            guard (try? s.waitReadable(milliseconds: 1000, orWake: wake[0])) == true else { continue }
            let fd = accept(s.fd, nil, nil)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let client = Socket(adopting: fd)
            inFlight { [respond] in
                // Clients may send several queries on one connection (RFC 7766).
                while let query = try? client.receiveFramed(timeoutMilliseconds: 10_000) {
                    guard let reply = respond(query, true) else { return }
                    do { try client.sendFramed(reply) } catch { return }
                }
            }
        }
    }
}

