// Fail closed when leash dies: the sandbox's network links are pinned under
// /sys/fs/bpf/leash-net/<leash pid>/, so a SIGKILLed leash leaves its command with the
// programs still attached (DNS then finds no resolver, and connects are still decided by
// the policy with the bindings made so far, which expire). A normal exit unpins once the
// cgroup is empty; pins of a dead leash are removed by the next leash once its cgroup
// has no process left.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader

struct NetworkPins {
    static let root = "/sys/fs/bpf/leash-net"
    let directory: String

    /// Pins every link of `attachment` (bpffs must be mounted at /sys/fs/bpf).
    init(_ attachment: NetworkAttachment) throws {
        directory = "\(Self.root)/\(getpid())"
        let mounts = MountEntry.parse((try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? "")
        if !mounts.contains(where: { $0.path == "/sys/fs/bpf" && $0.type == "bpf" }) { _ = mount("bpf", "/sys/fs/bpf", "bpf", 0, nil) }
        for dir in [Self.root, directory] where mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw FileError(path: dir, code: errno)
        }
        for (name, link) in zip(NetworkPrograms.programNames, attachment.links) { try link.pin(at: "\(directory)/\(name)") }
        // Where the cgroup is, so a later leash can tell when nothing is left in it.
        try attachment.cgroup.path.write(toFile: "/run/leash-net-\(getpid()).cgroup", atomically: true, encoding: .utf8)
    }

    /// Unpins when the cgroup is empty; returns false (pins kept) while processes the
    /// command left behind still run there.
    @discardableResult
    func removeIfEmpty(cgroup: String) -> Bool {
        guard Self.isEmpty(cgroup) else { return false }
        Self.removeDirectory(directory)
        unlink("/run/leash-net-\(getpid()).cgroup")
        return true
    }

    static func isEmpty(_ cgroup: String) -> Bool {
        let procs = (try? String(contentsOfFile: cgroup + "/cgroup.procs", encoding: .utf8)) ?? ""
        return procs.split(separator: "\n").isEmpty
    }

    static func removeDirectory(_ dir: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] { unlink("\(dir)/\(name)") }
        rmdir(dir)
    }

    /// Removes pins (and the cgroup) of leash processes that are gone and whose command
    /// has ended.
    static func sweepStale() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            guard let pid = pid_t(name), kill(pid, 0) != 0 && errno == ESRCH else { continue }
            let record = "/run/leash-net-\(pid).cgroup"
            let cgroup = try? String(contentsOfFile: record, encoding: .utf8)
            if let cgroup, !isEmpty(cgroup) { continue }
            removeDirectory("\(root)/\(name)")
            if let cgroup { rmdir(cgroup) }
            unlink(record)
        }
    }
}
