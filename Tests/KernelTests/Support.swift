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
func run(_ argv: [String]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: argv[0])
    process.arguments = Array(argv.dropFirst())
    process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
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
        return "this kernel refuses BPF LSM programs (\(error.operation.rawValue) 'lsm_probe': \(error.reason), errno \(error.code)); run them in the VM bench: scripts/vm-test"
    }()
}
