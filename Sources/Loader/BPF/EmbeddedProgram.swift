import Foundation

/// The BPF objects built from bpf/*.bpf.c and carried inside this binary
/// (see Plugins/BPFEmbed). The raw value is the source's base name.
public enum EmbeddedProgram: String, CaseIterable, Sendable {
    /// `lsm/file_open`: denies open() of listed inodes to tasks in listed cgroups.
    case fileOpen = "file_open"
    /// `lsm/file_open` that changes nothing: `leash doctor`'s loadability probe.
    case lsmProbe = "lsm_probe"
    /// `cgroup/connect4`: denies IPv4 connect() to listed destinations.
    case connect4 = "connect4"
    /// `tp_btf/sched_process_exec`: reports execs by tasks in listed cgroups.
    case execTrace = "exec_trace"
    /// `tp_btf/sys_enter`, `sys_exit`, `sched_process_fork/exit`: the fallback backend's
    /// telemetry, recording sandboxed syscalls and their results (bpf/telemetry_tp.bpf.c).
    case telemetryTP = "telemetry_tp"
    /// `cgroup/connect4/6`, `sendmsg4/6`, `recvmsg4/6`, `getpeername4/6`, `sock_create`: a
    /// sandbox's network (DNS redirect, protected ports, decisions with DNS-bound names).
    case sandboxNet = "sandbox_net"
    /// Every `lsm/*` hook of the BPF LSM backend of `leash run` (bpf/leash_lsm.bpf.c).
    case leashLSM = "leash_lsm"

    /// The ELF object's bytes.
    public func bytes() throws -> [UInt8] {
        guard let text = EmbeddedBPFObjects.base64[rawValue], let data = Data(base64Encoded: text) else {
            throw LoaderError(.unknownImage, rawValue, code: ENOENT)
        }
        return [UInt8](data)
    }
}
