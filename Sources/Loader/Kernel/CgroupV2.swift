#if canImport(Glibc)
import Glibc
#endif

/// Where the cgroup v2 hierarchy is mounted. Sandboxes are child cgroups of it: BPF
/// programs scope their decisions by cgroup id, and cgroup programs attach to it.
public struct CgroupV2Mount: Equatable, Sendable {
    public var path: String
    /// True when leash mounted it itself because the system had none (its /sys/fs/cgroup
    /// holding only v1 controllers, for instance).
    public var mountedByLeash: Bool

    public init(path: String, mountedByLeash: Bool) {
        self.path = path
        self.mountedByLeash = mountedByLeash
    }
}

public struct CgroupV2Error: Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    public var code: Int32

    public init(path: String, code: Int32) {
        self.path = path
        self.code = code
    }

    public var description: String {
        "no cgroup v2 hierarchy is mounted and mounting one at \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

public enum CgroupV2 {
    /// Where leash mounts cgroup2 when the system has not mounted it anywhere.
    public static let fallbackMountPoint = "/run/leash/cgroup2"

    /// The mount to use among `mounts`: /sys/fs/cgroup when it is cgroup2, else the first
    /// cgroup2 mount, else nil.
    public static func choose(from mounts: [MountEntry]) -> String? {
        let cgroup2 = mounts.filter { $0.type == "cgroup2" }
        if cgroup2.contains(where: { $0.path == "/sys/fs/cgroup" }) { return "/sys/fs/cgroup" }
        return cgroup2.first?.path
    }

    /// Finds the cgroup v2 hierarchy, mounting one at `fallbackMountPoint` when there is
    /// none and `mountIfMissing` (needs root).
    public static func locate(mountIfMissing: Bool = true) throws -> CgroupV2Mount {
        let mounts = MountEntry.parse(readSmallFile("/proc/self/mounts") ?? "")
        if let path = choose(from: mounts) { return CgroupV2Mount(path: path, mountedByLeash: false) }
        guard mountIfMissing else { throw CgroupV2Error(path: fallbackMountPoint, code: ENOENT) }
        if makeDirectories(fallbackMountPoint) != 0 || mount("none", fallbackMountPoint, "cgroup2", 0, nil) != 0 {
            throw CgroupV2Error(path: fallbackMountPoint, code: errno)
        }
        return CgroupV2Mount(path: fallbackMountPoint, mountedByLeash: true)
    }
}

/// `mkdir -p`; returns 0 or an errno.
func makeDirectories(_ path: String) -> Int32 {
    var prefix = ""
    for component in path.split(separator: "/") {
        prefix += "/" + component
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return errno }
    }
    return 0
}

/// The whole of a small file (procfs, sysfs, securityfs report size 0, so read to EOF).
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 { return nil }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
