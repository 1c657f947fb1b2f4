// `leash run` with the landlock backend and its tracepoint telemetry, end to end: the
// built binary, the default policy, a real denied read of a credential store.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Testing

@Suite(.serialized, .enabled(if: Environment.isRoot && leash_landlock_abi_version() >= 3,
                             "needs root (tracepoint telemetry) and Landlock ABI 3"))
struct TelemetryRunTests {
    /// The line of `@id("ssh-keys")` in policies/default.cedar, where the audit log must point.
    static func sshRuleLine() throws -> Int {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policies/default.cedar").path
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(lines.firstIndex { $0.hasPrefix("@id(\"ssh-keys\")") }) + 1
    }

    @Test func auditLogNamesTheDenyingRuleAndTheSummaryAppearsAtExit() throws {
        let scratch = try ScratchDirectory("telemetry-run")
        let home = scratch.path + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        _ = try scratch.write("home/.ssh/id_rsa", "not a real key\n")
        let log = scratch.path + "/audit.jsonl"
        let result = try run(["/usr/bin/env", "HOME=\(home)", try leashBinary(), "run", "--allow-approximate", "--audit-log", log,
                              "--", "sh", "-c", "cat ~/.ssh/id_rsa; exit 3"])
        #expect(result.status == 3, "leash exits with the command's status; stderr: \(result.stderr)")
        #expect(result.stderr.contains("Permission denied"))

        let records = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let events = records.compactMap { $0["event"] as? String }
        #expect(events.first == "start")
        #expect(events.contains("summary") && events.contains("telemetry"))
        #expect(events.last == "exit")

        let denial = try #require(records.first { $0["event"] as? String == "decision" && $0["decision"] as? String == "deny"
                                                 && ($0["path"] as? String) == home + "/.ssh/id_rsa" },
                                  "no deny record for the key in \(records)")
        #expect(denial["action"] as? String == "FileOpenReadOnly")
        #expect(denial["backend"] as? String == "landlock")
        #expect(denial["comm"] as? String == "cat")
        #expect(denial["errno"] as? Int == Int(EACCES))
        let rule = try #require(denial["rule"] as? [String: Any])
        #expect(rule["id"] as? String == "ssh-keys")
        #expect(rule["line"] as? Int == (try Self.sshRuleLine()))
        #expect(denial["ruleRecomputed"] as? Bool == true)

        let telemetry = try #require(records.first { $0["event"] as? String == "telemetry" })
        #expect(telemetry["lost"] as? Int == 0)
        #expect(telemetry["sent"] as? Int == telemetry["received"] as? Int)

        #expect(result.stderr.contains("leash: summary: backend landlock"))
        #expect(result.stderr.contains("FileOpenReadOnly \(home)/.ssh/id_rsa: rule \"ssh-keys\" (forbid)"))
        #expect(result.stderr.contains("lost: 0 records (0 denials)"))
    }
}
