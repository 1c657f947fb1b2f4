// Fail closed when leash dies: every link of a sandbox, and its live-member counter, is
// pinned under /sys/fs/bpf/leash/<sandbox>-<leash pid>/. If leash is killed (even with
// SIGKILL) the pins keep the programs attached and the sandboxed processes stay confined
// by the policy they had. A normal exit removes the pins. A later leash removes pins left
// by a dead leash once their sandbox has no live task (`sweepStale`), never before.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CLibbpf
import Loader

public struct LSMPins {
    public static let root = "/sys/fs/bpf/leash"
    public static let membersPin = "live_members"

    public let directory: String

    /// Makes the sandbox's pin directory (bpffs must be mounted at /sys/fs/bpf).
    init(sandbox: UInt32) throws {
        directory = "\(Self.root)/\(sandbox)-\(getpid())"
        for dir in [Self.root, directory] where mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw LSMSandboxError(.kernel, "cannot create \(dir) (is bpffs mounted at /sys/fs/bpf?): \(String(cString: strerror(errno)))", code: errno)
        }
    }

    func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// Unpins everything: the programs detach once this process closes its own links too.
    func remove() {
        Self.removeDirectory(directory)
    }

    static func removeDirectory(_ dir: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            unlink("\(dir)/\(name)")
        }
        rmdir(dir)
    }

    /// Live tasks of the sandbox whose pins are in `directory`, read from its pinned counter.
    public static func liveMembers(directory: String) throws -> UInt64 {
        let fd = try PinnedObject.open("\(directory)/\(membersPin)")
        defer { close(fd) }
        var key: UInt32 = 0
        var value: UInt64 = 0
        guard bpf_map_lookup_elem(fd, &key, &value) == 0 else {
            throw LSMSandboxError(.kernel, "reading \(directory)/\(membersPin): \(String(cString: strerror(errno)))", code: errno)
        }
        return value
    }

    /// The pids of live leash processes that hold bpf-lsm sandboxes.
    public static func runningLeashes() -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let pids = names.compactMap { name -> pid_t? in
            guard let dash = name.lastIndex(of: "-"), let pid = pid_t(name[name.index(after: dash)...]) else { return nil }
            return kill(pid, 0) == 0 ? pid : nil
        }
        return Array(Set(pids)).sorted()
    }

    /// Pin directories whose leash is gone, with the number of tasks they still confine.
    public static func orphans() -> [(directory: String, liveMembers: UInt64?)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().compactMap { name in
            guard let dash = name.lastIndex(of: "-"), let pid = pid_t(name[name.index(after: dash)...]) else { return nil }
            if kill(pid, 0) == 0 || errno != ESRCH { return nil }
            let dir = "\(root)/\(name)"
            return (dir, try? liveMembers(directory: dir))
        }
    }

    /// Removes the pins of dead leashes whose sandboxes have no live task left. Returns
    /// the directories removed.
    @discardableResult
    public static func sweepStale() -> [String] {
        var removed: [String] = []
        for (dir, live) in orphans() where live == 0 {
            removeDirectory(dir)
            removed.append(dir)
        }
        return removed
    }
}
