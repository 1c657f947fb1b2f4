import Foundation
@testable import Sandbox
import Testing

@Suite struct AuditLogTests {
    /// Each line is one JSON object with sorted keys, the types kept (true is not 1), text
    /// escaped, nested values written, and a nil optional as null.
    @Test func linesAreJSONWithTheValuesAsGiven() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(getpid())-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try AuditLog(path: path)
        let missing: String? = nil
        log.record("decision", ["rule": "ssh-keys", "allowed": true, "pid": Int32(42), "count": 1, "big": UInt64.max,
                                "path": "/home/u/a \"quoted\"\nname", "reasons": ["a", "b"], "nested": ["x": 1.5, "y": missing as Any],
                                "time": "2026-12-04T00:00:00Z"])
        log.record("exit", ["status": 0])
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(#"{"allowed":true,"big":18446744073709551615,"count":1,"event":"decision","nested":{"x":1.5,"y":null},"path":"/home/u/a \"quoted\"\nname","pid":42,"#),
                "\(lines[0])")
        let first = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["path"] as? String == "/home/u/a \"quoted\"\nname")
        #expect(first["reasons"] as? [String] == ["a", "b"])
        #expect(first["time"] as? String == "2026-12-04T00:00:00Z")
        let second = try #require(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["event"] as? String == "exit" && second["status"] as? Int == 0 && second["time"] is String)
    }
}
