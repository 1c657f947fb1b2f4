#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Loader
import PolicyCompiler
import Telemetry

/// A small policy with rules on known lines, compiled once.
enum Fixture {
    static let source = """
        @id("read-all")
        permit (principal, action == Action::"FileOpenReadOnly", resource);

        @id("write-project")
        permit (principal, action in Action::"FileWrite", resource in Dir::"/work/");

        @id("ssh-keys")
        forbid (principal, action in Action::"FileAccess", resource)
        when { resource.path like "*/.ssh/*" }
        unless { context.approved_ssh_access };

        @id("loopback")
        permit (principal, action == Action::"NetworkConnect", resource)
        when { resource.ip == ip("127.0.0.1") };
        """

    static let policy: CompiledPolicy = {
        let result = PolicySourceCompiler.compile(source: source, file: "fixture.cedar", options: CompileOptions(agent: "claude"))
        guard let p = result.policy else { fatalError("fixture policy: \(result.diagnostics)") }
        return p
    }()

    static func ruleIndex(_ id: String) -> Int32 { Int32(policy.rules.firstIndex { $0.policyID == id }!) }

    static func action(_ name: String) -> UInt32 { UInt32(Vocabulary.actions.firstIndex { $0.name == name }!) }
}

/// /proc as a test decides it.
struct FakeInspector: ProcessInspector {
    var exe: [Int32: String] = [:]
    var cwd: [Int32: String] = [:]
    var fds: [Int32: [Int32: String]] = [:]
    var files: Set<String> = []
    func executable(pid: Int32) -> String? { exe[pid] }
    func workingDirectory(pid: Int32) -> String? { cwd[pid] }
    func descriptorPath(pid: Int32, fd: Int32) -> String? { fds[pid]?[fd] }
    func exists(_ path: String) -> Bool { files.contains(path) }
}

/// A kernel record, as a hook or the tracepoints would send it.
func event(action: String, path: String = "", path2: String = "", verdict: Int32 = 0, rule: Int32 = -1,
           flags: EventFlags = [.enforce], pid: UInt32 = 100, syscall: Int32 = -1, dirfd: Int32 = -100,
           comm: String = "cat", timeNS: UInt64 = 5_000_000_000) -> RawEvent {
    var h = EventHeader()
    h.time_ns = timeNS
    h.pid = pid
    h.tid = pid
    h.ppid = 1
    h.sandbox_id = 1
    h.action = Fixture.action(action)
    h.verdict = verdict
    h.rule = rule
    h.mode_flags = flags.rawValue
    h.syscall = syscall
    h.dirfd = dirfd
    withUnsafeMutableBytes(of: &h.comm) { buffer in
        for (i, b) in comm.utf8.prefix(15).enumerated() { buffer[i] = b }
    }
    return RawEvent(header: h, path: Array(path.utf8), path2: Array(path2.utf8))
}

func interpreter(mode: String = "enforce", backend: String = "bpf-lsm", inspector: FakeInspector = FakeInspector(),
                 flags: Set<String> = []) -> EventInterpreter {
    EventInterpreter(policy: Fixture.policy, backend: backend, mode: mode, flags: flags, inspector: inspector, bootToWall: 1_000_000)
}
