// The kernel's `dns_bindings` map as a BindingTable: the resolver writes here and the
// network programs (and the BPF LSM hooks, sharing the map) read it at each connect.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf
import Loader
import PolicyCompiler

public struct BindingMapError: Error, CustomStringConvertible {
    public var operation: String
    public var code: Int32
    public var description: String { "\(operation) dns_bindings: \(String(cString: strerror(code))) (errno \(code))" }
}

public final class KernelBindingTable: BindingTable, @unchecked Sendable {
    /// The map's descriptor, owned: closed on deinit.
    public let fd: Int32
    private var lastSweep: UInt64 = 0
    private let sweepLock = NSLockish()
    static let sweepIntervalNanos: UInt64 = 10_000_000_000

    public init(adopting fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    public func install(_ binding: Binding) throws {
        sweepIfDue(now: monotonicNanos())
        var key = BindingKey(sandbox: binding.sandbox, address: binding.address).cStruct
        var value = leash_dns_binding()
        let name = Array(binding.name.utf8.prefix(Int(LEASH_DNS_NAME_MAX) - 1))
        value.expires_ns = binding.expiresNanos
        value.name_len = UInt32(name.count)
        withUnsafeMutableBytes(of: &value.name) { $0.copyBytes(from: name) }  // the rest stays NUL
        if bpf_map_update_elem(fd, &key, &value, UInt64(BPF_ANY)) != 0 { throw BindingMapError(operation: "writing", code: errno) }
    }

    public func remove(sandbox: UInt32, address: IPNet) throws {
        var key = BindingKey(sandbox: sandbox, address: address).cStruct
        if bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT { throw BindingMapError(operation: "deleting from", code: errno) }
    }

    /// The entry for `address`, expired or not (tests and `leash explain`).
    public func entry(sandbox: UInt32, address: IPNet) -> (name: String, expiresNanos: UInt64)? {
        var key = BindingKey(sandbox: sandbox, address: address).cStruct
        var value = leash_dns_binding()
        guard bpf_map_lookup_elem(fd, &key, &value) == 0 else { return nil }
        let name = withUnsafeBytes(of: value.name) { String(decoding: $0.prefix(Int(value.name_len)), as: UTF8.self) }
        return (name, value.expires_ns)
    }

    /// Deletes entries of `sandbox` (all sandboxes when nil) that expired before `now`;
    /// the kernel already ignores them, this only frees room. Returns how many went.
    @discardableResult
    public func sweep(now: UInt64 = monotonicNanos(), sandbox: UInt32? = nil, all: Bool = false) -> Int {
        var keys: [leash_dns_binding_key] = []
        var key = leash_dns_binding_key(), next = leash_dns_binding_key()
        var first = true
        while (first ? bpf_map_get_next_key(fd, nil, &next) : bpf_map_get_next_key(fd, &key, &next)) == 0 {
            first = false
            key = next
            var value = leash_dns_binding()
            guard bpf_map_lookup_elem(fd, &key, &value) == 0 else { continue }
            if sandbox.map({ $0 == key.sandbox_id }) ?? true, all || value.expires_ns <= now { keys.append(key) }
        }
        for var k in keys { bpf_map_delete_elem(fd, &k) }
        return keys.count
    }

    private func sweepIfDue(now: UInt64) {
        guard sweepLock.tryLock() else { return }
        defer { sweepLock.unlock() }
        guard now - lastSweep > Self.sweepIntervalNanos else { return }
        lastSweep = now
        sweep(now: now)
    }
}

/// A pthread mutex with try-lock, without pulling Foundation into this file.
final class NSLockish: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func tryLock() -> Bool { pthread_mutex_trylock(&m) == 0 }
    func unlock() { pthread_mutex_unlock(&m) }
}
