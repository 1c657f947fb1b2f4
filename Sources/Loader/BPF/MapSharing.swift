#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

extension BPFObject {
    /// Makes this object's map `name` use the existing map open as `fd` (bpf_map__reuse_fd),
    /// so two objects read and write one map. Call after opening and before `load()`.
    /// Returns false when the object defines no such map.
    @discardableResult
    public func reuseMap(_ name: String, fd: Int32) throws -> Bool {
        guard let map = bpf_object__find_map_by_name(raw, name) else { return false }
        LibbpfLog.reset()
        let rc = bpf_map__reuse_fd(map, fd)
        if rc != 0 { throw LibbpfLog.failure(.mapShare, "\(self.name).\(name)", returned: rc) }
        return true
    }

    /// Creates a map exactly as this (opened) object defines `name`, independent of the
    /// object: the shared copy other objects then `reuseMap`. The caller owns the fd.
    public func createMap(like name: String) throws -> Int32 {
        guard let m = bpf_object__find_map_by_name(raw, name) else {
            throw LoaderError(.findMap, "\(self.name).\(name)", code: ENOENT)
        }
        var options = bpf_map_create_opts()
        options.sz = MemoryLayout<bpf_map_create_opts>.size
        options.map_flags = bpf_map__map_flags(m)
        LibbpfLog.reset()
        let fd = bpf_map_create(bpf_map__type(m), String(name.prefix(15)), bpf_map__key_size(m), bpf_map__value_size(m),
                                bpf_map__max_entries(m), &options)
        if fd < 0 { throw LibbpfLog.failure(.mapCreate, "\(self.name).\(name)", returned: fd) }
        return fd
    }
}
