#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

// Pins in bpffs keep links and maps alive after the process that made them exits: how
// the BPF LSM backend keeps enforcing when leash itself is killed.

extension BPFLink {
    /// Pins the link at `path` (on a bpffs); the program stays attached until the pin is
    /// removed, whatever happens to this process.
    public func pin(at path: String) throws {
        LibbpfLog.reset()
        let rc = bpf_link__pin(raw, path)
        if rc != 0 { throw LibbpfLog.failure(.pin, path, returned: rc) }
    }
}

extension BPFMap {
    public func pin(at path: String) throws {
        LibbpfLog.reset()
        let rc = bpf_obj_pin(fd, path)
        if rc != 0 { throw LibbpfLog.failure(.pin, path, returned: rc) }
    }
}

public enum PinnedObject {
    /// A new file descriptor for the object pinned at `path`; the caller closes it.
    public static func open(_ path: String) throws -> Int32 {
        LibbpfLog.reset()
        let fd = bpf_obj_get(path)
        if fd < 0 { throw LibbpfLog.failure(.pin, path, returned: fd) }
        return fd
    }
}
