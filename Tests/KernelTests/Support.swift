#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader

/// What a child process did.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `argv` to completion with a small fixed environment and captures its output.
/// posix_spawn rather than Foundation's Process: Process needs a CFSocket wakeup pair,
/// which fails inside the VM bench's guest and then hangs.
func run(_ argv: [String]) throws -> ProcessResult {
    let scratch = try ScratchDirectory("run")
    let outPath = scratch.path + "/stdout", errPath = scratch.path + "/stderr"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    let args: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    let environment: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
    let env: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
    defer { (args + env).forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, args, env)
    guard rc == 0 else { throw FileError(path: argv[0], code: rc) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw FileError(path: argv[0], code: errno) }
    }
    // Exit status, or 128 + signal like a shell.
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ProcessResult(status: exit,
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// Runs a shell command line as a process that first moves itself into `cgroup`, so
/// everything it then execs is inside the sandbox from its first instruction.
func runInCgroup(_ cgroup: Cgroup, _ command: String) throws -> ProcessResult {
    try run(["/bin/sh", "-c", "echo $$ > '\(cgroup.procsFile)' && \(command)"])
}

/// A fresh directory under /tmp, removed on deinit.
final class ScratchDirectory {
    let path: String

    init(_ label: String) throws {
        var template = Array("/tmp/leash-\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FileError(path: "/tmp", code: errno) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }
}

/// The `leash` executable of the same build as these tests.
func leashBinary() throws -> String {
    let path = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("leash").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw FileError(path: path, code: ENOENT)
    }
    return path
}

/// A per-test name for child cgroups, so parallel or leftover runs never collide.
func uniqueCgroupName(_ label: String) -> String {
    "leash-test-\(getpid())-\(label)-\(UInt32.random(in: 0...UInt32.max))"
}

enum Environment {
    static var isRoot: Bool { geteuid() == 0 }

    /// Why BPF LSM tests cannot run here, or nil when they can. Decided by really loading
    /// and attaching the probe program, never by reading the LSM list.
    static let bpfLSMUnavailable: String? = {
        guard isRoot else { return "not root: loading BPF LSM programs needs root" }
        guard let error = LiveKernel().loadLSMProbe() else { return nil }
        return "this kernel refuses BPF LSM programs (\(error.operation.rawValue) 'lsm_probe': \(error.reason), errno \(error.code)); they run in the VM bench, tier 3 of scripts/test"
    }()
}
