#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf
import Foundation
import PolicyCompiler

/// A sandbox's entry in the `sandboxes` map (leash_policy.h's `struct leash_sandbox`).
public typealias SandboxBinding = leash_sandbox

public enum SandboxMode: UInt32, Sendable {
    case enforce = 0  // LEASH_MODE_ENFORCE
    case audit = 1    // LEASH_MODE_AUDIT
}

public enum KernelPolicyError: Error, CustomStringConvertible, Sendable {
    /// The compiled policy does not fit the kernel engine; nothing was written.
    case tables(PolicyTablesError)
    /// A map could not be created, written or read; `code` is the errno.
    case map(operation: String, map: String, code: Int32)
    case unknownPolicy(PolicyID)
    case unboundSandbox(UInt32)
    /// All 2^32 - 1 policy ids were handed out.
    case outOfPolicyIDs
    /// A call about the policy probe program failed: running it, reading its statistics.
    case probe(operation: String, code: Int32)

    public var description: String {
        switch self {
        case .tables(let e): return e.description
        case .map(let op, let map, let code): return "\(op) policy map '\(map)' failed: \(String(cString: strerror(code))) (errno \(code))"
        case .unknownPolicy(let id): return "no policy \(id) is installed"
        case .unboundSandbox(let id): return "sandbox \(id) is not bound to a policy"
        case .outOfPolicyIDs: return "no policy id is left"
        case .probe(let op, let code): return "\(op) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

/// One map of the engine, created by the store; deinit closes it (the kernel frees it
/// once no loaded program uses it either).
final class SharedPolicyMap {
    let name: String
    let fd: Int32
    let keySize: Int
    let valueSize: Int

    init(name: String, fd: Int32, keySize: Int, valueSize: Int) {
        self.name = name; self.fd = fd; self.keySize = keySize; self.valueSize = valueSize
    }

    deinit { close(fd) }

    func update<K: BitwiseCopyable, V: BitwiseCopyable>(_ key: K, _ value: V) throws(KernelPolicyError) {
        precondition(MemoryLayout<K>.size == keySize && MemoryLayout<V>.size == valueSize, "\(name): wrong key or value type")
        var k = key, v = value
        if bpf_map_update_elem(fd, &k, &v, UInt64(BPF_ANY)) != 0 {
            throw .map(operation: "updating", map: name, code: errno)
        }
    }

    /// Writes many entries in one system call (BPF_MAP_UPDATE_BATCH); where the kernel
    /// has no batch operation for the map, one at a time.
    func updateAll<K: BitwiseCopyable, V: BitwiseCopyable>(_ entries: [(K, V)]) throws(KernelPolicyError) {
        guard !entries.isEmpty else { return }
        precondition(MemoryLayout<K>.size == keySize && MemoryLayout<V>.size == valueSize, "\(name): wrong key or value type")
        precondition(MemoryLayout<K>.stride == keySize && MemoryLayout<V>.stride == valueSize, "\(name): padded array elements")
        let keys = entries.map(\.0), values = entries.map(\.1)
        var count = UInt32(entries.count)
        var options = bpf_map_batch_opts()
        options.sz = MemoryLayout<bpf_map_batch_opts>.size
        options.elem_flags = UInt64(BPF_ANY)
        let rc = keys.withUnsafeBytes { k in
            values.withUnsafeBytes { v in bpf_map_update_batch(fd, k.baseAddress, v.baseAddress, &count, &options) }
        }
        if rc == 0 { return }
        let code = -rc
        // ENOTSUPP (524) and EINVAL: no batch support; what was written stays written.
        guard code == 524 || code == EOPNOTSUPP || code == EINVAL else {
            throw .map(operation: "updating", map: name, code: code)
        }
        for (k, v) in entries.dropFirst(Int(min(count, UInt32(entries.count)))) { try update(k, v) }
    }

    func delete<K: BitwiseCopyable>(_ key: K) throws(KernelPolicyError) {
        precondition(MemoryLayout<K>.size == keySize, "\(name): wrong key type")
        var k = key
        if bpf_map_delete_elem(fd, &k) != 0 && errno != ENOENT {
            throw .map(operation: "deleting from", map: name, code: errno)
        }
    }

    func lookup<K: BitwiseCopyable, V: BitwiseCopyable>(_ key: K, as: V.Type) throws(KernelPolicyError) -> V? {
        precondition(MemoryLayout<K>.size == keySize && MemoryLayout<V>.size == valueSize, "\(name): wrong key or value type")
        var k = key
        let value = UnsafeMutableRawPointer.allocate(byteCount: valueSize, alignment: 8)
        defer { value.deallocate() }
        if bpf_map_lookup_elem(fd, &k, value) != 0 {
            if errno == ENOENT { return nil }
            throw .map(operation: "reading", map: name, code: errno)
        }
        return value.loadUnaligned(as: V.self)
    }
}

/// The engine's maps, created once and shared by every BPF object that includes
/// bpf/policy_engine.h, and the policies installed in them.
///
/// Hot reload: `install` the new policy (a fresh id), `bind` the sandbox to it (one map
/// update: decisions see the old policy or the new one), then `remove` the old one.
public final class KernelPolicyStore {
    /// The maps of policy_engine.h that objects share, in the order they are created.
    public static let sharedMapNames = ["sandboxes", "policies", "policy_automata", "policy_states", "policy_transitions",
                                        "policy_ports", "policy_ips", "policy_nodes", "policy_edges"]

    let maps: [String: SharedPolicyMap]
    private var installed: [PolicyID: PolicyTables] = [:]
    private var nextID: PolicyID = 1
    /// A reload (SIGHUP) and a flag flip (a prompt's answer) may come from different
    /// threads; each store operation runs alone, so a flag flip never undoes a rebind.
    private let lock = NSLock()

    /// Creates the maps as policy_engine.h declares them (read from the probe object's
    /// definitions, so the header stays the only description). Needs CAP_BPF.
    /// `capacity` overrides a map's number of entries by name (tests, very large policies).
    public init(capacity: [String: UInt32] = [:]) throws {
        let template = try PolicyProbe.openObject()
        var created: [String: SharedPolicyMap] = [:]
        for name in Self.sharedMapNames {
            guard let m = bpf_object__find_map_by_name(template.raw, name) else {
                throw LoaderError(.findMap, "\(template.name).\(name)", code: ENOENT)
            }
            var options = bpf_map_create_opts()
            options.sz = MemoryLayout<bpf_map_create_opts>.size
            options.map_flags = bpf_map__map_flags(m)
            let keySize = bpf_map__key_size(m), valueSize = bpf_map__value_size(m)
            let entries = capacity[name] ?? bpf_map__max_entries(m)
            let fd = bpf_map_create(bpf_map__type(m), String(name.prefix(15)), keySize, valueSize, entries, &options)
            if fd < 0 { throw KernelPolicyError.map(operation: "creating", map: name, code: -fd) }
            created[name] = SharedPolicyMap(name: name, fd: fd, keySize: Int(keySize), valueSize: Int(valueSize))
        }
        maps = created
    }

    func map(_ name: String) -> SharedPolicyMap { maps[name]! }

    /// Points `object`'s copies of the engine maps at the shared ones. Call before
    /// `object.load()`. Returns how many maps the object shares (0: it does not include
    /// policy_engine.h).
    @discardableResult
    public func share(with object: BPFObject) throws -> Int {
        var shared = 0
        for name in Self.sharedMapNames {
            guard let m = bpf_object__find_map_by_name(object.raw, name) else { continue }
            LibbpfLog.reset()
            let rc = bpf_map__reuse_fd(m, map(name).fd)
            if rc != 0 { throw LibbpfLog.failure(.load, "\(object.name).\(name) (sharing the policy map)", returned: rc) }
            shared += 1
        }
        return shared
    }

    public var installedPolicies: [PolicyID] { lock.withLock { installed.keys.sorted() } }

    /// Writes every table of `compiled` under a fresh policy id. The `policies` entry goes
    /// last, so the id is valid only once its tables are complete. On failure nothing of
    /// the new policy is left behind.
    public func install(_ compiled: CompiledPolicy) throws -> PolicyID {
        lock.lock()
        defer { lock.unlock() }
        guard nextID != 0 else { throw KernelPolicyError.outOfPolicyIDs }
        let id = nextID
        let tables: PolicyTables
        do { tables = try PolicyTables(compiled, id: id) } catch { throw KernelPolicyError.tables(error) }
        nextID &+= 1
        do {
            try write(tables)
        } catch {
            try? erase(tables)
            throw error
        }
        installed[id] = tables
        return id
    }

    private func write(_ t: PolicyTables) throws(KernelPolicyError) {
        try map("policy_automata").updateAll(t.automata)
        try map("policy_states").updateAll(t.states)
        try map("policy_transitions").updateAll(t.transitions)
        try map("policy_ports").updateAll(t.ports)
        try map("policy_ips").updateAll(t.ips)
        try map("policy_nodes").updateAll(t.nodes)
        try map("policy_edges").updateAll(t.edges)
        try map("policies").update(t.policy, t.info)
    }

    /// The `policies` entry goes first: from then on a decision under this id fails
    /// closed (NO_POLICY) instead of reading half-deleted tables.
    private func erase(_ t: PolicyTables) throws(KernelPolicyError) {
        try map("policies").delete(t.policy)
        for (k, _) in t.edges { try map("policy_edges").delete(k) }
        for (k, _) in t.nodes { try map("policy_nodes").delete(k) }
        for (k, _) in t.ips { try map("policy_ips").delete(k) }
        for (k, _) in t.ports { try map("policy_ports").delete(k) }
        for (k, _) in t.transitions { try map("policy_transitions").delete(k) }
        for (k, _) in t.states { try map("policy_states").delete(k) }
        for (k, _) in t.automata { try map("policy_automata").delete(k) }
    }

    /// Deletes a policy's tables. Bind its sandboxes to another policy first: a sandbox
    /// still naming it is denied everything (fail closed) until rebound.
    ///
    /// A decision that read the old binding just before a rebind may still be walking the
    /// old tables, so they are deleted only after every BPF program then running has
    /// finished (an RCU grace period, leash_policy_wait_for_decisions). Where the kernel
    /// refuses that wait (nohz_full), a pause far longer than any decision stands in.
    public func remove(_ id: PolicyID) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let tables = installed[id] else { throw KernelPolicyError.unknownPolicy(id) }
        if leash_policy_wait_for_decisions() != 0 { usleep(50_000) }
        try erase(tables)
        installed[id] = nil
    }

    /// Points sandbox `sandbox` at policy `policy` in one map update.
    public func bind(sandbox: UInt32, policy: PolicyID, mode: SandboxMode, flags: UInt64) throws {
        lock.lock()
        defer { lock.unlock() }
        guard installed[policy] != nil else { throw KernelPolicyError.unknownPolicy(policy) }
        try map("sandboxes").update(sandbox, SandboxBinding(flags: flags, policy: policy, mode: mode.rawValue))
    }

    /// Flips the sandbox's context flags without touching its policy (no reload).
    public func setFlags(sandbox: UInt32, _ flags: UInt64) throws {
        lock.lock()
        defer { lock.unlock() }
        guard var binding = try map("sandboxes").lookup(sandbox, as: SandboxBinding.self) else {
            throw KernelPolicyError.unboundSandbox(sandbox)
        }
        binding.flags = flags
        try map("sandboxes").update(sandbox, binding)
    }

    public func binding(sandbox: UInt32) throws -> SandboxBinding? {
        try map("sandboxes").lookup(sandbox, as: SandboxBinding.self)
    }

    public func unbind(sandbox: UInt32) throws {
        lock.lock()
        defer { lock.unlock() }
        try map("sandboxes").delete(sandbox)
    }

    /// How many entries map `name` holds (all policies together); for tests.
    func entryCount(_ name: String) -> Int {
        let m = map(name)
        var key = [UInt8](repeating: 0, count: m.keySize), next = key
        var count = 0
        var rc = bpf_map_get_next_key(m.fd, nil, &next)
        while rc == 0 {
            count += 1
            key = next
            rc = bpf_map_get_next_key(m.fd, &key, &next)
        }
        return count
    }

    /// Test hook: rewrite one table entry of an installed policy, to show that the kernel
    /// really reads the tables (a damaged entry must change decisions).
    func overwriteNode(policy: PolicyID, node: UInt32, _ value: leash_node) throws {
        try map("policy_nodes").update(leash_node_key(policy: policy, node: node), value)
    }
}
