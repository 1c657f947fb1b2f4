#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

/// A map inside a loaded `BPFObject`. Keys and values are the plain C structs from
/// leash_events.h (or fixed-width integers), passed by their exact byte size.
public struct BPFMap {
    let object: BPFObject
    let raw: OpaquePointer
    public let name: String

    /// The map's file descriptor; valid while the object is alive and loaded.
    public var fd: Int32 { bpf_map__fd(raw) }

    public func update<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, _ value: Value, flags: UInt64 = UInt64(BPF_ANY)) throws {
        LibbpfLog.reset()
        let rc = withUnsafeBytes(of: key) { k in
            withUnsafeBytes(of: value) { v in
                bpf_map__update_elem(raw, k.baseAddress, k.count, v.baseAddress, v.count, flags)
            }
        }
        if rc != 0 { throw LibbpfLog.failure(.mapUpdate, "\(object.name).\(name)", returned: rc) }
    }

    /// The value for `key`, or nil when the map has no such key.
    public func lookup<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, as: Value.Type) throws -> Value? {
        let value = UnsafeMutableRawBufferPointer.allocate(byteCount: MemoryLayout<Value>.size, alignment: MemoryLayout<Value>.alignment)
        defer { value.deallocate() }
        LibbpfLog.reset()
        let rc = withUnsafeBytes(of: key) { k in
            bpf_map__lookup_elem(raw, k.baseAddress, k.count, value.baseAddress, value.count, 0)
        }
        if rc == -ENOENT { return nil }
        if rc != 0 { throw LibbpfLog.failure(.mapLookup, "\(object.name).\(name)", returned: rc) }
        return value.loadUnaligned(as: Value.self)
    }

    public func delete<Key: BitwiseCopyable>(_ key: Key) throws {
        LibbpfLog.reset()
        let rc = withUnsafeBytes(of: key) { k in bpf_map__delete_elem(raw, k.baseAddress, k.count, 0) }
        if rc != 0 { throw LibbpfLog.failure(.mapDelete, "\(object.name).\(name)", returned: rc) }
    }
}
