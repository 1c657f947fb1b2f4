// The JSONL audit log of a landlock-backend run: one object per line. This backend sees
// no individual decisions yet, so it records the run itself: the backend, the rules it
// approximated and how, the environment names it withheld, and the command's exit.

import Foundation

public final class AuditLog {
    let handle: FileHandle

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw SandboxError(kind: .io, message: "error: cannot write audit log '\(path)'")
        }
        handle = h
    }

    public func record(_ event: String, _ fields: [String: Any]) {
        var object = fields
        object["event"] = event
        object["time"] = ISO8601DateFormatter().string(from: Date())
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }

    deinit { try? handle.close() }
}
