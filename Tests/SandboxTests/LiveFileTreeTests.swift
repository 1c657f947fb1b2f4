#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Sandbox
import Testing

/// The real file tree the Landlock planner walks: kinds from directory entries must be
/// what lstat says, including symlinks (never followed) and sockets (files to Landlock).
@Suite struct LiveFileTreeTests {
    @Test func entriesHaveTheKindsLstatGives() throws {
        let root = NSTemporaryDirectory() + "leash-tree-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root + "/dir/inner", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "x".write(toFile: root + "/file", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/link-to-dir", withDestinationPath: root + "/dir")
        try FileManager.default.createSymbolicLink(atPath: root + "/dangling", withDestinationPath: root + "/missing")
        #expect(mkfifo(root + "/fifo", 0o600) == 0)
        let tree = LiveFileTree()
        let entries = tree.entries(root)
        #expect(entries.map(\.name) == ["dangling", "dir", "fifo", "file", "link-to-dir"])
        for (name, kind) in entries { #expect(kind == tree.kind(root + "/" + name), "\(name)") }
        #expect(entries.first { $0.name == "link-to-dir" }?.kind == .symlink)
        #expect(entries.first { $0.name == "dir" }?.kind == .directory)
        #expect(tree.children(root + "/dir") == ["inner"])
        #expect(tree.entries(root + "/no-such-directory").isEmpty)
    }
}
