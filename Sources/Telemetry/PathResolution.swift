// Makes an observed path absolute the way the kernel would have, as far as userspace can
// tell afterwards: relative to the directory descriptor or the working directory, read
// from /proc when the record arrives, then `.` and `..` removed lexically. Symlinks are
// not followed (the kernel's own resolution is not visible to a tracepoint), so a path
// through a symlink is named as the program spelled it.

enum PathResolution {
    static let atFDCWD: Int32 = -100

    /// The absolute path, and how it was made absolute (nil when it already was).
    static func resolve(_ path: String, pid: Int32, dirfd: Int32, inspector: ProcessInspector) -> (String, String?) {
        if path.hasPrefix("/") { return (normalize(path), nil) }
        if dirfd == atFDCWD {
            guard let cwd = inspector.workingDirectory(pid: pid) else { return (path, "unresolved") }
            return (normalize(cwd + "/" + path), "cwd")
        }
        guard let dir = inspector.descriptorPath(pid: pid, fd: dirfd), dir.hasPrefix("/") else { return (path, "unresolved") }
        return (normalize(dir + "/" + path), "dirfd")
    }

    /// `/a/./b/../c/` → `/a/c`, lexically.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." { _ = parts.popLast(); continue }
            parts.append(component)
        }
        return "/" + parts.joined(separator: "/")
    }
}
