// The JSONL audit log of `leash run`: one object per line, whichever backend enforces.
// Run-level records come from `leash run` itself (start, approximation, environment,
// exit); per-operation records ("decision") and the loss and summary records come from the
// Telemetry module, written from its consumer thread, hence the lock: lines never interleave.

import CedarSyntax
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

    /// Writes `{"event": event, "time": now, ...fields}` (keys sorted); a `time` in
    /// `fields` (when the kernel saw the operation) is kept.
    public func record(_ event: String, _ fields: [String: Any]) {
        var object = fields
        object["event"] = event
        lock.lock()
        defer { lock.unlock() }
        if object["time"] == nil { object["time"] = formatter.string(from: Date()) }
        // The project's JSON writer, not JSONSerialization: with sorted keys that one
        // compares keys through the locale, and the consumer spent three quarters of its
        // time there (about 1,900 records per second on a denial burst).
        var line = ""
        Self.node(object).write(to: &line)
        line += "\n"
        handle.write(Data(line.utf8))
    }

    /// The JSON value of what `record` is given: strings, booleans, integers, doubles,
    /// arrays and string-keyed dictionaries (keys sorted); anything else as its description.
    static func node(_ value: Any) -> JSONNode {
        switch value {
        case let s as String: return .string(s)
        case let b as Bool: return .bool(b)
        case let i as Int: return .integer(Int64(i))
        case let i as Int32: return .integer(Int64(i))
        case let i as Int64: return .integer(i)
        case let i as UInt32: return .integer(Int64(i))
        case let i as UInt64: return i <= UInt64(Int64.max) ? .integer(Int64(i)) : .number(String(i))
        case let i as UInt16: return .integer(Int64(i))
        case let i as UInt8: return .integer(Int64(i))
        case let d as Double: return d.isFinite ? .number(String(d)) : .null
        case let a as [Any]: return .array(a.map(node))
        case let o as [String: Any]: return .object(o.keys.sorted().map { ($0, node(o[$0]!)) })
        case is NSNull: return .null
        case let f as Float: return f.isFinite ? .number(String(f)) : .null
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional { return mirror.children.first.map { node($0.value) } ?? .null }
            return .string(String(describing: value))
        }
    }

    deinit { try? handle.close() }
}
