import Foundation
import Testing
@testable import Telemetry

@Suite struct GuardNameTests {
    /// Every guard the BPF LSM backend can report has a name, one per code in the header.
    @Test func everyGuardInTheHeaderHasAName() throws {
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("bpf/lsm_guard.h")
        let text = try String(contentsOf: header, encoding: .utf8)
        let codes = text.split(separator: "\n").compactMap { line -> UInt32? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("LSM_GUARD_"), let eq = t.firstIndex(of: "=") else { return nil }
            return UInt32(t[t.index(after: eq)...].prefix { $0 != "," }.trimmingCharacters(in: .whitespaces))
        }
        #expect(codes.count >= 8)
        #expect(Set(codes) == Set(EventInterpreter.guardNames.keys))
        #expect(EventInterpreter.actionName(100) == "Guard:bpf")
        #expect(EventInterpreter.actionName(0) == "FileOpenReadOnly")
        #expect(EventInterpreter.actionName(999) == "action 999")
    }
}
