// From a policy to what `leash run` needs before it starts the command: the compiled
// policy for the agent and its Landlock plan.

import Foundation
import PolicyCompiler

public struct SandboxSetup {
    public var compiled: CompiledPolicy
    public var plan: LandlockPlan

    /// Home directories and the workdir: where unanchored patterns (`*/.ssh/*`) are pinned.
    public static func searchRoots(home: String?, workdir: String) -> [String] {
        var roots: [String] = []
        for r in [home, workdir, "/root"].compactMap({ $0 }) where !roots.contains(r) { roots.append(r) }
        let homes = ((try? FileManager.default.contentsOfDirectory(atPath: "/home")) ?? []).sorted().map { "/home/" + $0 }
        for h in homes where !roots.contains(h) { roots.append(h) }
        return roots.filter { FileManager.default.fileExists(atPath: $0) }
    }

    public static func plan(_ compiled: CompiledPolicy, placeholders: [String: String], tree: FileTree = LiveFileTree()) throws -> LandlockPlan {
        let roots = searchRoots(home: placeholders["HOME"], workdir: placeholders["WORKDIR"] ?? FileManager.default.currentDirectoryPath)
        return try LandlockPlanner(tree: tree, searchRoots: roots).plan(compiled)
    }
}
