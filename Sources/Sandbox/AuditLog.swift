// The JSONL audit log of `leash run`: one object per line, whichever backend enforces.
// Run-level records come from `leash run` itself (start, approximation, environment,
// exit); per-operation records ("decision") and the loss and summary records come from the
// Telemetry module, written from its consumer thread, hence the lock: lines never interleave.

import Foundation

public final class AuditLog: @unchecked Sendable {
    let handle: FileHandle
    private let lock = NSLock()
    private let formatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw SandboxError(kind: .io, message: "error: cannot write audit log '\(path)'")
        }
        handle = h
    }

    /// Writes `{"event": event, "time": now, ...fields}`; a `time` in `fields` (when the
    /// kernel saw the operation) is kept.
    public func record(_ event: String, _ fields: [String: Any]) {
        var object = fields
        object["event"] = event
        lock.lock()
        defer { lock.unlock() }
        if object["time"] == nil { object["time"] = formatter.string(from: Date()) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }

    deinit { try? handle.close() }
}
