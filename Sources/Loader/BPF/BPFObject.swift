#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

/// Owns a libbpf `bpf_object` opened from bytes in memory; closing it (deinit) unloads
/// its programs and maps unless links or pins still hold them.
public final class BPFObject {
    let raw: OpaquePointer
    public let name: String
    /// libbpf reads the ELF image in place until load; keep it alive as long as the object.
    private let image: UnsafeMutableRawBufferPointer

    /// Opens (parses) an object; nothing reaches the kernel until `load()`.
    public init(bytes: [UInt8], name: String) throws {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        copy.copyBytes(from: bytes)
        LibbpfLog.reset()
        let opened: OpaquePointer? = name.withCString { cName in
            var options = bpf_object_open_opts()
            options.sz = MemoryLayout<bpf_object_open_opts>.size
            options.object_name = cName
            return bpf_object__open_mem(copy.baseAddress, bytes.count, &options)
        }
        guard let opened else {
            let error = LibbpfLog.failure(.open, name)
            copy.deallocate()
            throw error
        }
        self.raw = opened
        self.name = name
        self.image = copy
    }

    /// Opens one of the objects compiled from bpf/*.bpf.c and embedded in this binary.
    public convenience init(embedded program: EmbeddedProgram) throws {
        try self.init(bytes: program.bytes(), name: program.rawValue)
    }

    deinit {
        bpf_object__close(raw)
        image.deallocate()
    }

    /// Creates the maps and loads every program into the kernel (the verifier runs here).
    public func load() throws {
        LibbpfLog.reset()
        let rc = bpf_object__load(raw)
        if rc != 0 { throw LibbpfLog.failure(.load, name, returned: rc) }
    }

    public func program(_ programName: String) throws -> BPFProgram {
        guard let p = bpf_object__find_program_by_name(raw, programName) else {
            throw LoaderError(.findProgram, "\(name).\(programName)", code: ENOENT)
        }
        return BPFProgram(object: self, raw: p, name: programName)
    }

    public func map(_ mapName: String) throws -> BPFMap {
        guard let m = bpf_object__find_map_by_name(raw, mapName) else {
            throw LoaderError(.findMap, "\(name).\(mapName)", code: ENOENT)
        }
        return BPFMap(object: self, raw: m, name: mapName)
    }
}

/// A program inside a `BPFObject`; it keeps its object alive.
public struct BPFProgram {
    let object: BPFObject
    let raw: OpaquePointer
    public let name: String

    /// Attaches where the program's section says (`lsm/file_open`, `tp_btf/...`).
    public func attach() throws -> BPFLink {
        LibbpfLog.reset()
        guard let link = bpf_program__attach(raw) else {
            throw LibbpfLog.failure(.attach, "\(object.name).\(name)")
        }
        return BPFLink(raw: link, object: object)
    }

    /// Attaches a `cgroup/*` program to the cgroup v2 directory open as `cgroupFD`.
    public func attach(cgroupFD: Int32) throws -> BPFLink {
        LibbpfLog.reset()
        guard let link = bpf_program__attach_cgroup(raw, cgroupFD) else {
            throw LibbpfLog.failure(.attach, "\(object.name).\(name)")
        }
        return BPFLink(raw: link, object: object)
    }
}

/// Owns an attachment: destroying it (deinit) detaches the program.
public final class BPFLink {
    let raw: OpaquePointer
    private let object: BPFObject

    init(raw: OpaquePointer, object: BPFObject) {
        self.raw = raw
        self.object = object
    }

    deinit { bpf_link__destroy(raw) }
}
