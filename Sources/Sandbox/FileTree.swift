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
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}

func joinPath(_ dir: String, _ name: String) -> String { dir == "/" ? "/" + name : dir + "/" + name }
