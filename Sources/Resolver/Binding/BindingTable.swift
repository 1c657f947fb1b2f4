// Where allowed answers are written: the kernel's `dns_bindings` map for a running
// sandbox, or an in-memory table for tests. The resolver writes BEFORE it releases an
// answer, so a failed write must fail the query (SERVFAIL) rather than leave the client
// with an address the kernel does not know.

#if canImport(Glibc)
import Glibc
#endif
import PolicyCompiler

/// One address bound to the allowed name it was answered for.
public struct Binding: Hashable, Sendable {
    public var sandbox: UInt32
    public var address: IPNet
    public var name: String
    /// CLOCK_MONOTONIC nanoseconds, as `bpf_ktime_get_ns()` reads it.
    public var expiresNanos: UInt64
}

public protocol BindingTable: AnyObject, Sendable {
    func install(_ binding: Binding) throws
    func remove(sandbox: UInt32, address: IPNet) throws
}

/// Reads CLOCK_MONOTONIC, the clock BPF programs compare `expires_ns` with.
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// A binding table in memory, with the kernel's expiry rule; for tests and dry runs.
public final class MemoryBindingTable: BindingTable, @unchecked Sendable {
    private var entries: [BindingKey: Binding] = [:]
    private var lock = pthread_mutex_t()

    public init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }

    public func install(_ binding: Binding) throws {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        entries[BindingKey(sandbox: binding.sandbox, address: binding.address)] = binding
    }

    public func remove(sandbox: UInt32, address: IPNet) throws {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        entries[BindingKey(sandbox: sandbox, address: address)] = nil
    }

    /// The live binding of `address`, as the kernel's lookup would find it at `now`.
    public func lookup(sandbox: UInt32, address: IPNet, now: UInt64 = monotonicNanos()) -> Binding? {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        guard let b = entries[BindingKey(sandbox: sandbox, address: address)], now < b.expiresNanos else { return nil }
        return b
    }
}
