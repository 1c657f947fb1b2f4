import Testing
@testable import Resolver

@Suite struct AnswerChainTests {
    func answer(_ records: [DNSRecord]) -> DNSMessage {
        DNSMessage(id: 1, flags: DNSMessage.qrBit, questions: [DNSQuestion(name: name("www.anthropic.test"), type: .a)], answers: records)
    }

    @Test func chainIsFollowedToTheAddresses() {
        let m = answer([a("c2.cdn.test", [127, 0, 0, 7], ttl: 20), cname("www.anthropic.test", "c1.cdn.test"),
                        cname("c1.cdn.test", "c2.cdn.test"), aaaa("c2.cdn.test", "2001:db8::7", ttl: 21)])
        #expect(m.chain(from: name("www.anthropic.test")) == [name("www.anthropic.test"), name("c1.cdn.test"), name("c2.cdn.test")])
        let found = m.addresses(for: name("www.anthropic.test"))
        #expect(found == [AnsweredAddress(address: ip("127.0.0.7"), ttl: 20), AnsweredAddress(address: ip("2001:db8::7"), ttl: 21)])
    }

    @Test func recordsOffTheChainGiveNoAddress() {
        let m = answer([cname("www.anthropic.test", "c1.cdn.test"), a("c1.cdn.test", [127, 0, 0, 7]),
                        a("evil.test", [127, 0, 0, 66])])
        #expect(m.addresses(for: name("www.anthropic.test")).map(\.address) == [ip("127.0.0.7")])
    }

    @Test func cnameLoopsEnd() {
        let m = answer([cname("www.anthropic.test", "a.test"), cname("a.test", "www.anthropic.test")])
        #expect(m.chain(from: name("www.anthropic.test")).count == 2)
        #expect(m.addresses(for: name("www.anthropic.test")).isEmpty)
    }
}
