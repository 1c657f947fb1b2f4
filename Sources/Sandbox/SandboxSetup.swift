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
        var planner = LandlockPlanner(tree: tree, searchRoots: roots)
        planner.cgroupMounts = cgroupMounts()
        return try planner.plan(compiled)
    }

    /// Mount points of cgroup and cgroup2 file systems, from /proc/self/mounts, and the
    /// place leash mounts cgroup2 when the system has none (Loader's
    /// CgroupV2.fallbackMountPoint), which may happen only after the plan is made.
    public static func cgroupMounts() -> [String] {
        let text = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let fallback = "/run/leash/cgroup2"
        let mounted = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 2, fields[2] == "cgroup" || fields[2] == "cgroup2" else { return nil }
            // The kernel escapes spaces and the like as octal (\040).
            return String(fields[1]).replacingOccurrences(of: "\\040", with: " ")
        }
        return mounted.contains(fallback) ? mounted : mounted + [fallback]
    }
}
