#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Telemetry
import Testing

@Suite struct SummaryTests {
    static func records() -> [DecisionRecord] {
        let i = interpreter()
        let ssh = Fixture.ruleIndex("ssh-keys")
        var out: [DecisionRecord] = []
        for _ in 0..<3 {
            out.append(i.interpret(event(action: "FileOpenReadOnly", path: "/home/u/.ssh/id_rsa", verdict: -EPERM, rule: ssh, flags: [.enforce, .deny])))
        }
        out.append(i.interpret(event(action: "FileOpenReadWrite", path: "/etc/hosts", verdict: -EPERM, rule: -1, flags: [.enforce, .deny])))
        out.append(i.interpret(event(action: "FileOpenReadOnly", path: "/etc/hosts", rule: Fixture.ruleIndex("read-all"))))
        out.append(i.interpret(event(action: "FileOpenReadOnly", path: "/etc/nope", verdict: -ENOENT, flags: [.observed], syscall: 257)))
        return out
    }

    @Test func countsPerActionAndDecision() {
        var s = DecisionSummary()
        Self.records().forEach { s.add($0) }
        #expect(s.total == 6)
        #expect(s.count("FileOpenReadOnly", .deny) == 3)
        #expect(s.count("FileOpenReadOnly", .allow) == 1)
        #expect(s.count("FileOpenReadOnly", .failed) == 1)
        #expect(s.count("FileOpenReadWrite", .deny) == 1)
        #expect(s.count(.deny) == 4)
        #expect(s.count(.wouldDeny) == 0)
    }

    @Test func topDenialsAreOrderedByCountAndNameTheirRules() {
        var s = DecisionSummary()
        Self.records().forEach { s.add($0) }
        let top = s.topDenials()
        #expect(top.count == 2)
        #expect(top[0].1 == 3)
        #expect(top[0].0.object == "/home/u/.ssh/id_rsa")
        #expect(top[0].0.rule?.location == "fixture.cedar:7:1")
        #expect(top[1].1 == 1)
        #expect(top[1].0.rule == nil)

        let text = s.render(backend: "landlock", policy: "fixture.cedar", mode: "enforce", loss: LossReport())
        #expect(text.contains("backend landlock"))
        #expect(text.contains("3x FileOpenReadOnly /home/u/.ssh/id_rsa: rule \"ssh-keys\" (forbid) at fixture.cedar:7:1"))
        #expect(text.contains("1x FileOpenReadWrite /etc/hosts: no rule permits it (default deny)"))
        #expect(text.contains("6 recorded: 1 allowed, 4 denied, 0 would-deny (audit), 1 failed otherwise"))
    }

    @Test func lostCountsAreReported() {
        var loss = LossReport()
        loss.sent = 90
        loss.received = 85
        loss.lost = 10
        loss.lostDenies = 4
        loss.deduplicated = 7
        loss.missedRuns = 2
        #expect(loss.unread == 5)
        #expect(!loss.isComplete)
        let text = DecisionSummary().render(backend: "bpf-lsm", policy: "p.cedar", mode: "enforce", loss: loss)
        #expect(text.contains("lost: 10 records (4 denials), 2 program runs skipped by the kernel, 5 sent but not read; 7 repeated allows deduplicated in the kernel"))
        #expect(loss.jsonFields["lostDenies"] as? UInt64 == 4)

        var clean = LossReport()
        clean.sent = 3
        clean.received = 3
        #expect(clean.isComplete)
        #expect(clean.unread == 0)
    }

    @Test func withoutTelemetryTheSummarySaysWhy() {
        let text = DecisionSummary().render(backend: "landlock", policy: "p", mode: "enforce", loss: nil, unavailable: "not root")
        #expect(text.contains("no per-operation telemetry: not root"))
    }
}

@Suite struct AuditRecordTests {
    @Test func decisionRecordsHaveEveryIssueField() throws {
        let inspector = FakeInspector(exe: [100: "/usr/bin/cat"])
        let record = interpreter(inspector: inspector).interpret(
            event(action: "FileOpenReadOnly", path: "/home/u/.ssh/id_rsa", verdict: -EPERM, rule: Fixture.ruleIndex("ssh-keys"),
                  flags: [.enforce, .deny]))
        let data = try JSONSerialization.data(withJSONObject: record.jsonFields, options: [.sortedKeys])
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["time", "pid", "ppid", "comm", "exe", "action", "path", "decision", "mode", "backend", "rule"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["decision"] as? String == "deny")
        #expect(object["exe"] as? String == "/usr/bin/cat")
        #expect(object["backend"] as? String == "bpf-lsm")
        let rule = try #require(object["rule"] as? [String: Any])
        #expect(rule["id"] as? String == "ssh-keys")
        #expect(rule["location"] as? String == "fixture.cedar:7:1")
        #expect(rule["line"] as? Int == 7)
        #expect(object["ruleRecomputed"] == nil)
        #expect((object["time"] as? String)?.hasPrefix("1970-01-12T13:46:45") == true)
    }

    @Test func aMissingExeAndRuleAreExplicitNulls() throws {
        let record = interpreter().interpret(event(action: "FileOpenReadWrite", path: "/etc/x", verdict: -EACCES, flags: [.observed, .deny], syscall: 257))
        let data = try JSONSerialization.data(withJSONObject: record.jsonFields)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"exe\":null"))
        #expect(text.contains("\"rule\":null"))
        #expect(text.contains("\"observed\":true"))
    }
}
