#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf
import Foundation

/// A failed libbpf or kernel call, with what was being done, to what, the errno the
/// kernel or libbpf gave (read before any cleanup) and libbpf's own messages.
public struct LoaderError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Operation: String, Sendable {
        case open = "opening BPF object"
        case load = "loading BPF object"
        case findProgram = "finding BPF program"
        case findMap = "finding BPF map"
        case attach = "attaching BPF program"
        case mapUpdate = "updating BPF map"
        case mapLookup = "looking up BPF map"
        case mapDelete = "deleting from BPF map"
        case mapCreate = "creating BPF map"
        case mapShare = "sharing BPF map"
        case pin = "pinning or opening a pinned BPF object"
        case ringBuffer = "reading ring buffer"
        case btf = "reading BTF"
        case unknownImage = "finding embedded BPF object"
    }

    public var operation: Operation
    /// The object, program or map the operation was about.
    public var subject: String
    /// A positive errno value, or one of libbpf's own codes (4000 and up).
    public var code: Int32
    /// What libbpf printed while the call ran (warnings and the verifier's reason), trimmed.
    public var libbpfLog: String

    public init(_ operation: Operation, _ subject: String, code: Int32, libbpfLog: String = "") {
        self.operation = operation
        self.subject = subject
        self.code = code
        self.libbpfLog = libbpfLog
    }

    /// libbpf_strerror's text: strerror for errno values, libbpf's own words for its codes.
    public var reason: String {
        var buffer = [CChar](repeating: 0, count: 256)
        if libbpf_strerror(code, &buffer, buffer.count) != 0 {
            return "error \(code)"
        }
        return String(cString: buffer)
    }

    public var isPermissionDenied: Bool { code == EPERM || code == EACCES }

    public var description: String {
        var text = "\(operation.rawValue) '\(subject)' failed: \(reason) (errno \(code))"
        // libbpf starts its own lines with "libbpf: ".
        if !libbpfLog.isEmpty { text += "\n" + libbpfLog }
        return text
    }
}

/// Routes libbpf's printing into a buffer once per process, so errors can carry it.
enum LibbpfLog {
    private static let installed: Void = { leash_libbpf_capture_log() }()

    static func reset() {
        _ = installed
        leash_libbpf_log_reset()
    }

    static func read() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        _ = leash_libbpf_log_read(&buffer, buffer.count)
        return String(cString: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Builds the error for a call that just failed. `returned` is the call's negative
    /// return value if it has one; otherwise errno (read here, before anything else runs).
    static func failure(_ operation: LoaderError.Operation, _ subject: String, returned: Int32? = nil) -> LoaderError {
        let savedErrno = errno
        let code = returned.map { $0 < 0 ? -$0 : $0 } ?? savedErrno
        return LoaderError(operation, subject, code: code == 0 ? EINVAL : code, libbpfLog: read())
    }
}
