#if canImport(Glibc)
import Glibc
#endif

/// Owns a child cgroup in the v2 hierarchy: created on init, removed on deinit (the
/// kernel refuses while processes remain, so callers wait for their children first).
public final class Cgroup {
    public let path: String
    /// The cgroup's id as `bpf_get_current_cgroup_id()` returns it: its directory's inode.
    public let id: UInt64
    /// An O_DIRECTORY descriptor, the handle cgroup BPF programs attach to.
    public let fd: Int32

    public init(parent: String, name: String) throws {
        let path = parent + "/" + name
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw FileError(path: path, code: errno) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            rmdir(path)
            throw FileError(path: path, code: code)
        }
        var info = stat()
        fstat(fd, &info)
        self.path = path
        self.fd = fd
        self.id = UInt64(info.st_ino)
    }

    deinit {
        close(fd)
        rmdir(path)
    }

    /// The file a process writes its pid into to join: `echo $$ > cgroup.procs`.
    public var procsFile: String { path + "/cgroup.procs" }
}
