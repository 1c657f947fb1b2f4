#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf
import Foundation
import PolicyCompiler

/// Asks the kernel's policy engine directly: bpf/policy_probe.bpf.c's `SEC("syscall")`
/// program, run with BPF_PROG_TEST_RUN on a request, answers with leash_decide's
/// decision. It reads the store's maps, so it decides exactly what the hooks would.
public final class PolicyProbe {
    static let program = "policy_probe"
    public let object: BPFObject
    private let probeFD: Int32

    /// Loads the probe against `store`'s maps. `withFileOpenHook` also loads the object's
    /// `lsm/file_open` program (only kernels that accept BPF LSM programs can).
    public init(store: KernelPolicyStore, withFileOpenHook: Bool = false) throws {
        object = try Self.openObject()
        if !withFileOpenHook, let hook = bpf_object__find_program_by_name(object.raw, "leash_probe_file_open") {
            bpf_program__set_autoload(hook, false)
        }
        try store.share(with: object)
        try object.load()
        guard let p = bpf_object__find_program_by_name(object.raw, "leash_probe") else {
            throw LoaderError(.findProgram, "\(Self.program).leash_probe", code: ENOENT)
        }
        probeFD = bpf_program__fd(p)
    }

    /// The probe's object, opened but not loaded (its BTF and map definitions are readable
    /// without privileges).
    public static func openObject() throws -> BPFObject {
        try BPFObject(bytes: EmbeddedBPFObjects.bytes(program), name: program)
    }

    /// The engine's decision for a request already in kernel form. With `sandbox`, the
    /// policy and flags come from that sandbox's binding, as in a hook.
    public func decide(_ request: leash_request, sandbox: UInt32 = 0) throws -> leash_decision {
        var args = leash_probe_args()
        args.request = request
        args.sandbox = sandbox
        var options = bpf_test_run_opts()
        options.sz = MemoryLayout<bpf_test_run_opts>.size
        let rc = withUnsafeMutableBytes(of: &args) { raw -> Int32 in
            options.ctx_in = UnsafeRawPointer(raw.baseAddress)
            options.ctx_size_in = UInt32(raw.count)
            return bpf_prog_test_run_opts(probeFD, &options)
        }
        if rc != 0 { throw KernelPolicyError.probe(operation: "running the policy probe (BPF_PROG_TEST_RUN)", code: -rc) }
        return args.decision
    }

    /// The engine's decision for `request` under policy `policy` with `flags` on.
    public func decide(_ request: OperationRequest, policy: PolicyID, flags: UInt64) throws -> leash_decision {
        try decide(leash_request(request, policy: policy, flags: flags))
    }

    /// The engine's decision for `request` in sandbox `sandbox` (its bound policy and flags).
    public func decide(_ request: OperationRequest, sandbox: UInt32) throws -> leash_decision {
        try decide(leash_request(request, policy: 0, flags: 0), sandbox: sandbox)
    }

    /// Turns on the kernel's run-time accounting of BPF programs (what the sysctl
    /// kernel.bpf_stats_enabled does) for as long as the returned token lives.
    public static func enableRunStatistics() throws -> RunStatisticsToken {
        let fd = bpf_enable_stats(BPF_STATS_RUN_TIME)
        if fd < 0 { throw KernelPolicyError.probe(operation: "turning on BPF run statistics (BPF_ENABLE_STATS)", code: -fd) }
        return RunStatisticsToken(fd: fd)
    }

    /// The probe program's kernel-measured totals (statistics must be on while it runs):
    /// run count and nanoseconds.
    public func runStatistics() throws -> (count: UInt64, nanoseconds: UInt64) {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        let rc = bpf_obj_get_info_by_fd(probeFD, &info, &length)
        if rc != 0 { throw KernelPolicyError.probe(operation: "reading the policy probe's statistics", code: -rc) }
        return (info.run_cnt, info.run_time_ns)
    }

    /// The probe program's size after the verifier: (translated instructions, verified instructions).
    public func programSize(_ name: String = "leash_probe") throws -> (instructions: UInt32, verified: UInt32) {
        guard let p = bpf_object__find_program_by_name(object.raw, name) else {
            throw LoaderError(.findProgram, "\(Self.program).\(name)", code: ENOENT)
        }
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        let rc = bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &length)
        if rc != 0 { throw KernelPolicyError.probe(operation: "reading \(Self.program).\(name)'s size", code: -rc) }
        return (info.xlated_prog_len / 8, info.verified_insns)
    }
}

extension EmbeddedBPFObjects {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let text = base64[name], let data = Data(base64Encoded: text) else {
            throw LoaderError(.unknownImage, name, code: ENOENT)
        }
        return [UInt8](data)
    }
}

/// Keeps the kernel's BPF run-time accounting on; deinit turns it off (unless another
/// holder or the sysctl keeps it on).
public final class RunStatisticsToken {
    private let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
