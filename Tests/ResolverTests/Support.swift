import PolicyCompiler
@testable import Resolver

func name(_ text: String) -> DNSName { try! DNSName(text) }

func a(_ owner: String, _ ip: [UInt8], ttl: UInt32 = 60) -> DNSRecord {
    DNSRecord(name: name(owner), type: .a, ttl: ttl, data: .a(ip))
}

func aaaa(_ owner: String, _ text: String, ttl: UInt32 = 60) -> DNSRecord {
    DNSRecord(name: name(owner), type: .aaaa, ttl: ttl, data: .aaaa(IPNet(parsing: text)!.bytes))
}

func cname(_ owner: String, _ target: String, ttl: UInt32 = 60) -> DNSRecord {
    DNSRecord(name: name(owner), type: .cname, ttl: ttl, data: .cname(name(target)))
}

func ip(_ text: String) -> IPNet { IPNet(parsing: text)! }

/// The test policy: names under anthropic.test are allowed on any port, evil.test is
/// forbidden, and 10.9.0.0/16 is open by address.
let testPolicySource = """
@id("anthropic")
permit (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource)
when { resource in [Host::"api.anthropic.test", Host::"*.anthropic.test"] };

@id("lab-net")
permit (principal, action == Action::"NetworkConnect", resource)
when { resource has ip && resource.ip.isInRange(ip("10.9.0.0/16")) && resource.port == 8080 };

@id("no-evil")
forbid (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource)
when { resource in Host::"evil.test" };

@id("no-bad-net")
forbid (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource)
when { resource has ip && resource.ip.isInRange(ip("127.0.0.66/32")) };
"""

func compiledTestPolicy(_ source: String = testPolicySource) -> CompiledPolicy {
    let result = PolicySourceCompiler.compile(source: source, file: "test.cedar", options: CompileOptions(agent: "agent"))
    guard let policy = result.policy else { fatalError("test policy: \(result.diagnostics)") }
    return policy
}

/// An upstream that answers from a table and counts what it was asked.
final class FakeUpstream: Upstream, @unchecked Sendable {
    var answers: [String: [DNSRecord]]
    var truncateUDP = false
    private(set) var udpQueries = 0
    private(set) var tcpQueries = 0

    init(_ answers: [String: [DNSRecord]]) { self.answers = answers }

    func exchange(_ query: [UInt8], tcp: Bool) throws -> [UInt8] {
        if tcp { tcpQueries += 1 } else { udpQueries += 1 }
        let q = try DNSMessage(bytes: query)
        var reply = DNSMessage(id: q.id, flags: DNSMessage.qrBit | DNSMessage.rdBit | DNSMessage.raBit, questions: q.questions)
        if let records = answers[q.questions[0].name.text] {
            reply.answers = records
        } else {
            reply.flags |= UInt16(DNSResponseCode.nameError.rawValue)
        }
        if truncateUDP && !tcp {
            reply.answers = []
            reply.isTruncated = true
        }
        return try reply.encoded()
    }
}
