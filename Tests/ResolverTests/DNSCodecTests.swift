import Testing
@testable import Resolver

@Suite struct DNSCodecTests {
    @Test func queryRoundTrips() throws {
        let q = DNSMessage.query(id: 0xBEEF, name: name("api.anthropic.test"), type: .aaaa)
        let bytes = try q.encoded()
        #expect(bytes.count == 12 + 20 + 4)
        #expect(try DNSMessage(bytes: bytes) == q)
    }

    @Test func answerWithEveryRecordKindRoundTrips() throws {
        var m = DNSMessage(id: 7, flags: DNSMessage.qrBit | DNSMessage.rdBit | DNSMessage.raBit,
                           questions: [DNSQuestion(name: name("www.anthropic.test"), type: .a)])
        m.answers = [cname("www.anthropic.test", "edge.cdn.test", ttl: 300), a("edge.cdn.test", [127, 0, 0, 9], ttl: 30),
                     aaaa("edge.cdn.test", "2001:db8::9", ttl: 31)]
        m.authorities = [DNSRecord(name: name("cdn.test"), type: DNSType(rawValue: 2), ttl: 5, data: .raw([0]))]
        m.additionals = [DNSRecord(name: try DNSName(labels: []), type: .opt, recordClass: 1232, ttl: 0, data: .raw([]))]
        let parsed = try DNSMessage(bytes: try m.encoded())
        #expect(parsed == m)
        #expect(parsed.answers[1].ttl == 30)
    }

    @Test func namesAreCompressedAgainstEarlierSuffixes() throws {
        var m = DNSMessage(id: 1, flags: DNSMessage.qrBit, questions: [DNSQuestion(name: name("api.anthropic.test"), type: .a)])
        m.answers = [a("api.anthropic.test", [127, 0, 0, 1]), a("api.anthropic.test", [127, 0, 0, 2])]
        let bytes = try m.encoded()
        // Each answer's owner is a 2-byte pointer to the question's name at offset 12.
        #expect(bytes[36] == 0xC0 && bytes[37] == 12)
        #expect(bytes.count == 12 + 24 + 2 * (2 + 10 + 4))
        // A name sharing only a suffix points into the middle of the first one.
        var w = DNSWriter()
        w.name(name("api.anthropic.test"))
        w.name(name("www.anthropic.test"))
        #expect(Array(w.bytes[20...]) == [3] + Array("www".utf8) + [0xC0, 4])
    }

    @Test func namesCompareWithoutCaseAndPrintLowerCase() throws {
        let upper = try DNSName("API.Anthropic.TEST.")
        #expect(upper == name("api.anthropic.test"))
        #expect(upper.text == "api.anthropic.test")
    }

    @Test func hostilePointerIntoAHandWrittenMessageIsFollowed() throws {
        // Header, question "a.test" A IN, one answer whose owner is a pointer to byte 12.
        let bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
                              1, 97, 4, 116, 101, 115, 116, 0, 0, 1, 0, 1,
                              0xC0, 12, 0, 1, 0, 1, 0x80, 0, 0, 5, 0, 4, 127, 0, 0, 5]
        let m = try DNSMessage(bytes: bytes)
        #expect(m.answers.first?.name == name("a.test"))
        #expect(m.addresses(for: name("a.test")).map(\.address) == [ip("127.0.0.5")])
        // RFC 2181: a TTL with the top bit set is zero.
        #expect(m.answers.first?.ttl == 0)
    }

    static let header: [UInt8] = [0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]

    @Test(arguments: [
        ([0, 1, 0], DNSError.truncated(offset: 3)),
        (header + [1, 97], DNSError.truncated(offset: 14)),
        (header + [0xC0, 12, 0, 1, 0, 1], DNSError.pointerLoop(offset: 12)),  // points at itself
        (header + [0xC0, 20, 0, 1, 0, 1, 0, 0], DNSError.pointerLoop(offset: 12)),  // points forwards
        (header + [0x40, 0, 0, 1, 0, 1], DNSError.badLabelType(offset: 12, byte: 0x40)),
        (header + [0, 0, 1, 0, 1, 9], DNSError.trailingBytes(count: 1)),
        ([0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3],
         DNSError.badRecordLength(type: 1, length: 3)),
    ] as [([UInt8], DNSError)])
    func malformedMessagesAreRejected(bytes: [UInt8], expected: DNSError) {
        #expect(throws: expected) { try DNSMessage(bytes: bytes) }
    }

    @Test func overlongNamesAndLabelsAreRejected() throws {
        #expect(throws: DNSError.badLabel(length: 64)) { try DNSName(String(repeating: "x", count: 64) + ".test") }
        let long = Array(repeating: String(repeating: "x", count: 63), count: 4).joined(separator: ".")
        #expect(throws: DNSError.nameTooLong) { try DNSName(long) }
        // The same overlong name on the wire, built from labels that are each legal.
        var bytes = Self.header
        for _ in 0..<4 { bytes += [63] + [UInt8](repeating: 120, count: 63) }
        bytes += [0, 0, 1, 0, 1]
        #expect(throws: DNSError.nameTooLong) { try DNSMessage(bytes: bytes) }
    }

    @Test func truncationBitAndReplies() throws {
        let q = DNSMessage.query(id: 9, name: name("x.test"), type: .a)
        var r = DNSMessage.reply(to: q, code: .refused)
        #expect(r.isResponse && r.responseCode == 5 && r.id == 9 && r.questions == q.questions && !r.isTruncated)
        r.isTruncated = true
        #expect(try DNSMessage(bytes: r.encoded()).isTruncated)
    }
}
