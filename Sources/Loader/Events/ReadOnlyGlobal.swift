// Settings a BPF program reads as `const volatile` globals: written into the object's
// .rodata before load, so the verifier sees them as constants and prunes what they disable.

#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

extension BPFObject {
    /// Sets the `const volatile` global `variable` to `value`'s bytes. Call before `load()`.
    public func setReadOnlyGlobal<T: BitwiseCopyable>(_ variable: String, to value: T) throws {
        let subject = "\(name).rodata.\(variable)"
        guard let btf = bpf_object__btf(raw) else { throw LoaderError(.btf, subject, code: ENODATA) }
        let section = btf__find_by_name_kind(btf, ".rodata", 15)  // BTF_KIND_DATASEC (the name is ambiguous between two imported headers)
        guard section > 0, let datasec = btf__type_by_id(btf, UInt32(section)),
              let map = bpf_object__find_map_by_name(raw, ".rodata") else {
            throw LoaderError(.btf, subject, code: ENOENT)
        }
        let infos = btf_var_secinfos(datasec)!
        var found: (offset: Int, size: Int)?
        for i in 0..<Int(btf_vlen(datasec)) {
            guard let variableType = btf__type_by_id(btf, infos[i].type),
                  let cName = btf__name_by_offset(btf, variableType.pointee.name_off),
                  String(cString: cName) == variable else { continue }
            found = (Int(infos[i].offset), Int(infos[i].size))
        }
        guard let found, found.size == MemoryLayout<T>.size else { throw LoaderError(.btf, subject, code: ENOENT) }
        var size = 0
        guard let current = bpf_map__initial_value(map, &size), found.offset + found.size <= size else {
            throw LoaderError(.btf, subject, code: ENODATA)
        }
        var bytes = [UInt8](UnsafeRawBufferPointer(start: current, count: size))
        withUnsafeBytes(of: value) { v in
            for (i, b) in v.enumerated() { bytes[found.offset + i] = b }
        }
        LibbpfLog.reset()
        let rc = bytes.withUnsafeBytes { bpf_map__set_initial_value(map, $0.baseAddress, size) }
        if rc != 0 { throw LibbpfLog.failure(.mapUpdate, subject, returned: rc) }
    }

    /// Runs of this object's programs the kernel skipped because one was already running
    /// on the CPU (bpf_prog_info.recursion_misses), summed: operations nobody recorded.
    public func recursionMisses() -> UInt64 {
        var total: UInt64 = 0
        var program = bpf_object__next_program(raw, nil)
        while let p = program {
            var info = bpf_prog_info()
            var length = UInt32(MemoryLayout<bpf_prog_info>.size)
            let fd = bpf_program__fd(p)
            if fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &length) == 0 { total += info.recursion_misses }
            program = bpf_object__next_program(raw, p)
        }
        return total
    }
}
