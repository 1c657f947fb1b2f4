// `leash run --backend bpf-lsm` with domain rules (issue 6, "both backends"): the hooks
// decide files and unix sockets, the sandbox's cgroup programs and leash's resolver decide
// names and addresses, and the audit log names the domain a connect was allowed for.
// NetworkRunTests does the same with the landlock backend. VM bench only.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

@Suite("LSM leash run network", .serialized,
       .enabled(if: Environment.bpfLSMUnavailable == nil, Comment(rawValue: Environment.bpfLSMUnavailable ?? "")),
       .enabled(if: DNSEnvironment.unavailable == nil, "\(DNSEnvironment.unavailable ?? "")"))
struct LSMNetworkRunTests {
    func leashRun(_ f: DNSFixture, _ clientArgs: [String], log: String) throws -> ProcessResult {
        let policy = try f.scratch.write("run.cedar", NetworkRunTests.policy)
        return try run([try leashBinary(), "run", "--policy", policy, "--backend", "bpf-lsm",
                        "--dns-upstream", f.zone.endpoints[0].description, "--audit-log", log, "--",
                        "/usr/bin/python3", f.script] + clientArgs)
    }

    /// UDP with an A question, TCP with an AAAA question.
    @Test(arguments: [("udp", "1", "127.0.0.21", "127.0.0.66"), ("tcp", "28", "2001:db8:6c::21", "2001:db8:6c::66")])
    func allowedNamesConnectAndDeniedNamesAreRefused(transport: String, qtype: String, allowed: String, deniedAddress: String) throws {
        let f = try DNSFixture()
        let port = "\(f.listener.port)"
        let log = f.scratch.path + "/allowed.jsonl"
        let ok = try leashRun(f, ["resolve", "api.anthropic.test", qtype, "192.0.2.53", transport, port], log: log)
        #expect(ok.stdout.contains("\"\(allowed)\": \"ok\""), "\(ok)")
        let records = auditRecords(log)
        #expect(records.first?["backend"] as? String == "bpf-lsm")
        #expect(records.contains { $0["event"] as? String == "network" && ($0["by"] as? String)?.contains("resolver") == true },
                "\(records.filter { $0["event"] as? String == "network" })")
        #expect(records.contains { $0["event"] as? String == "dns" && $0["verdict"] as? String == "allowed" && $0["addresses"] as? [String] == [allowed] })
        let connect = records.first { $0["event"] as? String == "decision" && $0["action"] as? String == "NetworkConnect" && $0["address"] as? String == allowed }
        #expect(connect?["domain"] as? String == "api.anthropic.test", "the connect's record names the name it was allowed for: \(String(describing: connect))")
        #expect(connect?["decision"] as? String == "allow")

        let deniedLog = f.scratch.path + "/denied.jsonl"
        let denied = try leashRun(f, ["resolve", "evil.test", qtype, "192.0.2.53", transport, port], log: deniedLog)
        #expect(denied.stdout.contains("\"rcode\": 5"), "\(denied)")
        #expect(auditRecords(deniedLog).contains { $0["event"] as? String == "dns" && $0["verdict"] as? String == "refused"
                                                   && ($0["rule"] as? String)?.contains("no-evil") == true })
        let directLog = f.scratch.path + "/direct.jsonl"
        let direct = try leashRun(f, ["connect", deniedAddress, port], log: directLog)
        #expect(direct.stdout.contains("EPERM"), "\(direct)")
        #expect(auditRecords(directLog).contains { $0["event"] as? String == "decision" && $0["decision"] as? String == "deny"
                                                   && $0["address"] as? String == deniedAddress && $0["domain"] == nil })
    }
}
