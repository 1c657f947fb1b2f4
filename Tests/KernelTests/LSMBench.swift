// The BPF LSM suites' shared set-up: one sandbox (one load of bpf/leash_lsm.bpf.c, slow
// under the VM bench's emulation) whose policy each test switches with a hot reload, a
// scratch tree the policies speak about, and a way to run a command inside the sandbox.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import LSMSandbox
import PolicyCompiler

/// W is the scratch root: W/secret (read-protected), W/work (writable), W/outside
/// (readable, not writable), W/forbidden (no exec), W/run (unix sockets).
func lsmPolicy(_ w: String, extra: String = "") -> String {
    """
    @id("read-all")
    permit (principal, action == Action::"FileOpenReadOnly", resource);
    @id("run-system")
    permit (principal, action in Action::"ProcessAnyExec", resource)
    when { resource in [Dir::"/usr/", Dir::"/bin/", Dir::"/lib/", Dir::"/lib64/", Dir::"/sbin/", Dir::"/tmp/", Dir::"/etc/"] };
    @id("write-work")
    permit (principal, action in Action::"FileWrite", resource) when { resource in Dir::"\(w)/work/" };
    @id("devices")
    permit (principal, action == Action::"FileOpenReadWrite", resource) when { resource in [File::"/dev/null", File::"/dev/tty"] };
    @id("secret")
    forbid (principal, action in Action::"FileAccess", resource) when { resource in Dir::"\(w)/secret/" };
    @id("no-exec-forbidden")
    forbid (principal, action in Action::"ProcessAnyExec", resource) when { resource in Dir::"\(w)/forbidden/" };
    @id("unix-run")
    permit (principal, action == Action::"UnixConnect", resource) when { resource in Dir::"\(w)/run/" };
    @id("no-docker")
    forbid (principal, action == Action::"UnixConnect", resource) when { resource == File::"\(w)/run/docker.sock" };
    @id("net-7001")
    permit (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource)
    when { resource in [Host::"127.0.0.1:7001", Host::"[::1]:7001"] };
    \(extra)
    """
}

func compilePolicy(_ source: String) throws -> CompiledPolicy {
    let result = PolicySourceCompiler.compile(source: source, file: "lsm-test.cedar",
                                              options: CompileOptions(agent: "agent", placeholders: [:]))
    guard let policy = result.policy else {
        throw FileError(path: "lsm-test.cedar: \(result.diagnostics.map { $0.rendered(source: source) })", code: EINVAL)
    }
    return policy
}

final class LSMBench {
    let w: String
    let store: KernelPolicyStore
    let telemetry: TelemetryMaps
    let sandbox: LSMSandbox
    private var source: String
    private let root: ScratchDirectory

    static let shared: Result<LSMBench, Error> = Result { try LSMBench() }

    private init() throws {
        root = try ScratchDirectory("lsm")
        w = root.path
        for dir in ["secret", "work", "outside", "forbidden", "run"] {
            try FileManager.default.createDirectory(atPath: "\(w)/\(dir)", withIntermediateDirectories: false)
        }
        try "top secret\n".write(toFile: "\(w)/secret/key", atomically: false, encoding: .utf8)
        try "notes\n".write(toFile: "\(w)/outside/notes", atomically: false, encoding: .utf8)
        try "in work\n".write(toFile: "\(w)/work/file", atomically: false, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: "\(w)/forbidden/true")
        try "#!/bin/sh\necho script ran\n".write(toFile: "\(w)/forbidden/script.sh", atomically: false, encoding: .utf8)
        chmod("\(w)/forbidden/script.sh", 0o755)
        try "#!\(w)/forbidden/true\n".write(toFile: "\(w)/work/uses-forbidden.sh", atomically: false, encoding: .utf8)
        chmod("\(w)/work/uses-forbidden.sh", 0o755)
        _ = LSMProbeProgram.path
        source = lsmPolicy(w)
        store = try KernelPolicyStore()
        telemetry = try TelemetryMaps()
        sandbox = try LSMSandbox(policy: try compilePolicy(source), mode: .enforce, store: store, telemetry: telemetry, pin: false)
    }

    /// Switches the sandbox to `source` (a hot reload) unless it already runs it.
    func use(_ newSource: String) throws {
        guard newSource != source else { return }
        try sandbox.reload(try compilePolicy(newSource))
        source = newSource
    }

    func useDefault() throws { try use(lsmPolicy(w)) }

    /// Runs `argv` as a new task of `sandbox` (this bench's unless given).
    func run(_ argv: [String], in other: LSMSandbox? = nil) throws -> ProcessResult {
        let out = try ScratchDirectory("lsm-out")
        let outFD = open(out.path + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let errFD = open(out.path + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let inFD = open("/dev/null", O_RDONLY)
        defer { close(outFD); close(errFD); close(inFD) }
        let pid = try (other ?? sandbox).spawn(path: argv[0], argv: argv, environment: [("PATH", "/usr/bin:/bin"), ("LC_ALL", "C")],
                                               stdio: [inFD, outFD, errFD])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProcessResult(status: exit,
                             stdout: (try? String(contentsOfFile: out.path + "/stdout", encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: out.path + "/stderr", encoding: .utf8)) ?? "")
    }

    func probe(_ args: String...) throws -> String {
        try run([LSMProbeProgram.path] + args).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sh(_ script: String) throws -> ProcessResult { try run(["/bin/sh", "-c", script]) }
}

/// The bench, or the reason it could not be set up (recorded as a test failure).
func bench() throws -> LSMBench { try LSMBench.shared.get() }

/// A listening unix socket at `path`, bound by this (unsandboxed) process.
final class UnixListener {
    let fd: Int32
    init(_ path: String) throws {
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(fd, 8) == 0 else { throw FileError(path: path, code: errno) }
    }

    /// Accepts and closes every connection waiting, so that a full backlog never makes
    /// the next connect block.
    func drain() {
        var wake = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&wake, 1, 0) > 0 {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            close(c)
        }
    }

    deinit { close(fd) }
}
