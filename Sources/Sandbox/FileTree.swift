// The file system as the Landlock planner sees it: directory listings and file kinds at
// the moment the sandbox starts. A protocol so unit tests can plan against a fixed tree.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

public enum EntryKind: Sendable { case directory, file, symlink, missing }

public protocol FileTree {
    func kind(_ path: String) -> EntryKind
    /// Names in a directory; empty when it cannot be listed.
    func children(_ directory: String) -> [String]
    /// Names in a directory with their kinds, sorted by name; empty when it cannot be listed.
    func entries(_ directory: String) -> [(name: String, kind: EntryKind)]
}

extension FileTree {
    public func entries(_ directory: String) -> [(name: String, kind: EntryKind)] {
        children(directory).map { ($0, kind(joinPath(directory, $0))) }
    }
}

/// The real file system.
public struct LiveFileTree: FileTree {
    public init() {}
    public func kind(_ path: String) -> EntryKind {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .file
        }
    }
    public func children(_ directory: String) -> [String] {
        entries(directory).map(\.name)
    }
    /// One getdents pass: the kind comes from the directory entry (d_type), so a planner
    /// walking tens of thousands of files at start makes no lstat per file; lstat only
    /// where the file system does not fill d_type.
    public func entries(_ directory: String) -> [(name: String, kind: EntryKind)] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [(name: String, kind: EntryKind)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): out.append((name, .directory))
            case Int32(DT_LNK): out.append((name, .symlink))
            case Int32(DT_UNKNOWN): out.append((name, kind(joinPath(directory, name))))
            default: out.append((name, .file))
            }
        }
        return out.sorted { $0.name < $1.name }
    }
}

func joinPath(_ dir: String, _ name: String) -> String { dir == "/" ? "/" + name : dir + "/" + name }
