import Foundation
import PolicyCompiler
import Sandbox

/// A file tree given as a list of paths; a path ending in `/` is a directory.
struct FakeTree: FileTree {
    var directories: Set<String> = ["/"]
    var files: Set<String> = []

    init(_ paths: [String]) {
        for p in paths {
            let isDir = p.hasSuffix("/")
            let path = isDir && p != "/" ? String(p.dropLast()) : p
            if isDir { directories.insert(path) } else { files.insert(path) }
            var parent = (path as NSString).deletingLastPathComponent
            while !parent.isEmpty && parent != "/" { directories.insert(parent); parent = (parent as NSString).deletingLastPathComponent }
        }
    }

    func kind(_ path: String) -> EntryKind {
        directories.contains(path) ? .directory : files.contains(path) ? .file : .missing
    }

    func children(_ directory: String) -> [String] {
        let prefix = directory == "/" ? "/" : directory + "/"
        return (directories.union(files)).filter { $0 != "/" && $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
            .map { String($0.dropFirst(prefix.count)) }.sorted()
    }
}

struct CompileFailed: Error, CustomStringConvertible { var description: String }

func compile(_ source: String, agent: String = "agent") throws -> CompiledPolicy {
    let r = PolicySourceCompiler.compile(source: source, file: "test.cedar",
                                         options: CompileOptions(agent: agent, placeholders: ["WORKDIR": "/w", "HOME": "/home/u"]))
    guard let p = r.policy else { throw CompileFailed(description: r.diagnostics.map(\.description).joined(separator: "\n")) }
    return p
}

func plan(_ source: String, tree: FakeTree, roots: [String] = ["/home/u"]) throws -> LandlockPlan {
    try LandlockPlanner(tree: tree, searchRoots: roots).plan(try compile(source))
}

/// Everything the Landlock backend cannot restrict, allowed, so a test policy's file rules
/// are the only thing that decides whether it needs consent.
let allowUnrestrictable = """
    permit (principal, action in [Action::"FileChmod", Action::"FileChown", Action::"FileSetxattr",
        Action::"ProcessMmapExec", Action::"UnixConnect", Action::"NetworkConnect", Action::"NetworkSend"], resource);
    """

/// The rights a plan grants to `path`: the union of every grant on it or on an ancestor.
func rights(_ plan: LandlockPlan, at path: String) -> UInt64 {
    plan.grants.filter { g in g.path == path || (g.isDirectory && (g.path == "/" || path.hasPrefix(g.path + "/"))) }
        .reduce(0) { $0 | $1.rights }
}
