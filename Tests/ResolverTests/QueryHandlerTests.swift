import PolicyCompiler
import Testing
@testable import Resolver

@Suite struct QueryHandlerTests {
    final class Events: @unchecked Sendable {
        var list: [ResolverEvent] = []
    }

    /// A binding table that refuses writes, as a full kernel map would.
    final class FullTable: BindingTable, @unchecked Sendable {
        func install(_ binding: Binding) throws { throw BindingMapError(operation: "writing", code: 28) }
        func remove(sandbox: UInt32, address: IPNet) throws {}
    }

    let upstream = FakeUpstream([
        "api.anthropic.test": [a("api.anthropic.test", [127, 0, 0, 10], ttl: 30), aaaa("api.anthropic.test", "2001:db8::10", ttl: 40)],
        "www.anthropic.test": [cname("www.anthropic.test", "edge.cdn.test"), a("edge.cdn.test", [127, 0, 0, 11], ttl: 5)],
        "mixed.anthropic.test": [a("mixed.anthropic.test", [127, 0, 0, 12]), a("mixed.anthropic.test", [127, 0, 0, 66])],
        "evil.test": [a("evil.test", [127, 0, 0, 20])],
    ])
    let table = MemoryBindingTable()
    let events = Events()

    func handler(settings: ResolverSettings = ResolverSettings(graceNanos: 2_000_000_000, minimumTTL: 0),
                 bindings: BindingTable? = nil, sandbox: UInt32 = 7) -> QueryHandler {
        let events = self.events
        return QueryHandler(sandbox: sandbox, policy: NamePolicy(compiledTestPolicy()), bindings: bindings ?? table,
                            upstream: upstream, settings: settings, report: { events.list.append($0) })
    }

    func ask(_ h: QueryHandler, _ n: String, _ type: DNSType = .a, tcp: Bool = false) throws -> DNSMessage {
        let reply = try #require(h.handle(try DNSMessage.query(id: 42, name: name(n), type: type).encoded(), tcp: tcp))
        return try DNSMessage(bytes: reply)
    }

    @Test func allowedAnswerIsBoundWithItsTTLBeforeItIsReleased() throws {
        let before = monotonicNanos()
        let reply = try ask(handler(), "api.anthropic.test")
        #expect(reply.responseCode == 0 && reply.id == 42)
        #expect(reply.addresses(for: name("api.anthropic.test")).count == 2)
        let v4 = try #require(table.lookup(sandbox: 7, address: ip("127.0.0.10")))
        #expect(v4.name == "api.anthropic.test")
        // TTL 30 s + 2 s grace, measured from the answer.
        #expect(v4.expiresNanos >= before + 32_000_000_000 && v4.expiresNanos <= monotonicNanos() + 32_000_000_000)
        #expect(table.lookup(sandbox: 7, address: ip("2001:db8::10"))?.name == "api.anthropic.test")
        #expect(table.lookup(sandbox: 8, address: ip("127.0.0.10")) == nil, "another sandbox sees nothing")
        #expect(events.list.first?.verdict == .allowed)
        #expect(events.list.first?.bound == ["127.0.0.10", "2001:db8::10"])
    }

    @Test func anAnswerThatCannotBeBoundIsNeverReleased() throws {
        let reply = try ask(handler(bindings: FullTable()), "api.anthropic.test")
        #expect(reply.responseCode == DNSResponseCode.serverFailure.rawValue)
        #expect(reply.answers.isEmpty)
        #expect(events.list.first?.verdict == .failed)
    }

    @Test func cnameChainBindsTheQueriedName() throws {
        let reply = try ask(handler(), "www.anthropic.test")
        #expect(reply.addresses(for: name("www.anthropic.test")).map(\.address) == [ip("127.0.0.11")])
        #expect(table.lookup(sandbox: 7, address: ip("127.0.0.11"))?.name == "www.anthropic.test")
    }

    @Test func deniedNameIsRefusedWithoutAskingUpstream() throws {
        let reply = try ask(handler(), "evil.test")
        #expect(reply.responseCode == DNSResponseCode.refused.rawValue && reply.answers.isEmpty)
        #expect(upstream.udpQueries == 0 && upstream.tcpQueries == 0)
        #expect(table.lookup(sandbox: 7, address: ip("127.0.0.20")) == nil)
        let e = try #require(events.list.first)
        #expect(e.verdict == .refused && e.name == "evil.test")
        #expect(e.rule?.contains("@id(\"no-evil\")") == true)
        #expect(try ask(handler(), "evil.test", DNSType.txt).responseCode == DNSResponseCode.refused.rawValue)
    }

    @Test func forbiddenAddressesAreWithheldFromTheAnswer() throws {
        let reply = try ask(handler(), "mixed.anthropic.test")
        #expect(reply.addresses(for: name("mixed.anthropic.test")).map(\.address) == [ip("127.0.0.12")])
        #expect(table.lookup(sandbox: 7, address: ip("127.0.0.66")) == nil)
        #expect(events.list.first?.withheld == ["127.0.0.66"])
    }

    @Test func truncatedUpstreamAnswerIsRetriedOverTCP() throws {
        upstream.truncateUDP = true
        let reply = try ask(handler(), "api.anthropic.test")
        #expect(upstream.udpQueries == 1 && upstream.tcpQueries == 1)
        #expect(reply.addresses(for: name("api.anthropic.test")).count == 2)
        #expect(table.lookup(sandbox: 7, address: ip("127.0.0.10")) != nil)
    }

    @Test func answersTooLargeForUDPAreTruncatedButStillBound() throws {
        let many = (1...60).map { a("big.anthropic.test", [127, 1, 0, UInt8($0)]) }
        upstream.answers["big.anthropic.test"] = many
        let udp = try ask(handler(), "big.anthropic.test")
        #expect(udp.isTruncated && udp.answers.isEmpty)
        #expect(table.lookup(sandbox: 7, address: ip("127.1.0.60")) != nil)
        let tcp = try ask(handler(), "big.anthropic.test", tcp: true)
        #expect(!tcp.isTruncated && tcp.answers.count == 60)
    }

    @Test func shortTTLsExpireAndTheMinimumTTLLengthensThem() throws {
        _ = try ask(handler(settings: ResolverSettings(graceNanos: 0, minimumTTL: 0)), "www.anthropic.test")
        let bound = try #require(table.lookup(sandbox: 7, address: ip("127.0.0.11")))
        #expect(table.lookup(sandbox: 7, address: ip("127.0.0.11"), now: bound.expiresNanos) == nil, "expired at TTL end")
        _ = try ask(handler(settings: ResolverSettings(graceNanos: 0, minimumTTL: 600)), "www.anthropic.test")
        let longer = try #require(table.lookup(sandbox: 7, address: ip("127.0.0.11")))
        #expect(longer.expiresNanos >= bound.expiresNanos + 590_000_000_000)
    }

    @Test func nonexistentNamesPassThrough() throws {
        let reply = try ask(handler(), "nothing.anthropic.test")
        #expect(reply.responseCode == DNSResponseCode.nameError.rawValue)
    }

    @Test func garbageGetsFormatErrorOrNothing() throws {
        let h = handler()
        #expect(h.handle([1, 2, 3], tcp: false) == nil)
        let header: [UInt8] = [0, 5, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12]
        let reply = try DNSMessage(bytes: try #require(h.handle(header, tcp: false)))
        #expect(reply.id == 5 && reply.responseCode == DNSResponseCode.formatError.rawValue)
    }
}
