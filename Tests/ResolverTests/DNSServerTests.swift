#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import PolicyCompiler
import Testing
@testable import Resolver

@Suite(.serialized) struct DNSServerTests {
    /// An upstream that holds every query until `width` of them are waiting at once: a
    /// resolver that handled queries one at a time would never get past the first.
    final class Barrier: Upstream, @unchecked Sendable {
        let width: Int
        let condition = NSCondition()
        var waiting = 0
        init(width: Int) { self.width = width }

        func exchange(_ query: [UInt8], tcp: Bool) throws -> [UInt8] {
            condition.lock()
            waiting += 1
            condition.broadcast()
            let deadline = Date().addingTimeInterval(10)
            while waiting < width && condition.wait(until: deadline) {}
            let enough = waiting >= width
            condition.unlock()
            guard enough else { throw SocketError(call: "barrier", code: ETIMEDOUT) }
            let q = try DNSMessage(bytes: query)
            var r = DNSMessage(id: q.id, flags: DNSMessage.qrBit, questions: q.questions)
            r.answers = [a(q.questions[0].name.text, [127, 0, 0, 10])]
            return try r.encoded()
        }
    }

    @Test func severalQueriesAreInFlightAtOnce() throws {
        let width = 8
        let handler = QueryHandler(sandbox: 1, policy: NamePolicy(compiledTestPolicy()), bindings: MemoryBindingTable(),
                                   upstream: Barrier(width: width))
        let server = try DNSServer(handler: handler)
        defer { server.stop() }
        let upstream = NetworkUpstream(server: server.endpoints[0], timeoutMilliseconds: 15_000)
        final class Count: @unchecked Sendable { let lock = NSLock(); var value = 0 }
        let answered = Count()
        // Threads, not concurrentPerform: that runs only about one item per core.
        let done = DispatchGroup()
        for i in 0..<width {
            done.enter()
            Thread {
                defer { done.leave() }
                let q = try! DNSMessage.query(id: UInt16(i), name: name("n\(i).anthropic.test"), type: .a).encoded()
                if let reply = try? DNSMessage(bytes: upstream.exchange(q, tcp: i % 2 == 0)), reply.responseCode == 0,
                   reply.answers.count == 1 {
                    answered.lock.lock(); answered.value += 1; answered.lock.unlock()
                }
            }.start()
        }
        done.wait()
        #expect(answered.value == width)
    }

    @Test func udpAndTCPShareOnePortAndIPv6IsServedWhenLoopbackHasIt() throws {
        let upstream = FakeUpstream(["api.anthropic.test": [a("api.anthropic.test", [127, 0, 0, 10])]])
        let handler = QueryHandler(sandbox: 1, policy: NamePolicy(compiledTestPolicy()), bindings: MemoryBindingTable(), upstream: upstream)
        let server = try DNSServer(handler: handler)
        defer { server.stop() }
        #expect(server.port != 0)
        for endpoint in server.endpoints {
            #expect(endpoint.port == server.port)
            for tcp in [false, true] {
                let q = try DNSMessage.query(id: 3, name: name("api.anthropic.test"), type: .a).encoded()
                let reply = try DNSMessage(bytes: NetworkUpstream(server: endpoint).exchange(q, tcp: tcp))
                #expect(reply.answers.count == 1, "\(endpoint) tcp=\(tcp)")
            }
        }
    }
}
