// What userspace adds to a record from /proc when the record arrives. All of it is best
// effort: the process may have exited (or exec'd, or closed the descriptor) in between.

#if canImport(Glibc)
import Glibc
#endif

public protocol ProcessInspector: Sendable {
    /// The program the process runs (/proc/PID/exe).
    func executable(pid: Int32) -> String?
    /// Its working directory (/proc/PID/cwd).
    func workingDirectory(pid: Int32) -> String?
    /// What one of its descriptors names (/proc/PID/fd/FD).
    func descriptorPath(pid: Int32, fd: Int32) -> String?
    /// Whether a file exists now (lstat).
    func exists(_ path: String) -> Bool
}

extension ProcessInspector {
    public func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }
}

public struct LiveProcessInspector: ProcessInspector {
    public init() {}

    public func executable(pid: Int32) -> String? { Self.link("/proc/\(pid)/exe") }
    public func workingDirectory(pid: Int32) -> String? { Self.link("/proc/\(pid)/cwd") }
    public func descriptorPath(pid: Int32, fd: Int32) -> String? { Self.link("/proc/\(pid)/fd/\(fd)") }

    static func link(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, 4096)
        guard n > 0 else { return nil }
        buffer[n] = 0
        return String(cString: buffer)
    }
}
