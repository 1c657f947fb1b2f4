// `leash run --backend bpf-lsm`: start the command in a new sandbox, wait for it, and
// reload the policy on SIGHUP (`leash reload` sends it) while it runs.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Loader
import PolicyCompiler

/// The write end of the pipe SIGHUP's handler writes to; -1 when no run is waiting.
nonisolated(unsafe) private var hangupPipe: Int32 = -1

public enum LSMRun {
    /// Runs `argv` in `sandbox` and returns its exit status (128 + signal when killed).
    /// On SIGHUP, `reloadPolicy` is asked for the new policy; a failure is reported
    /// through `report` and the old policy stays.
    public static func run(_ sandbox: LSMSandbox, path: String, argv: [String], environment: [(String, String)],
                           reloadPolicy: (() throws -> CompiledPolicy)? = nil,
                           around: ((() throws -> pid_t) throws -> pid_t)? = nil,
                           report: (String) -> Void = { _ in }) throws -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard leash_pipe_cloexec(&fds) == 0, fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0, fcntl(fds[1], F_SETFL, O_NONBLOCK) == 0 else {
            throw LSMSandboxError(.kernel, "pipe2: \(String(cString: strerror(errno)))", code: errno)
        }
        defer { close(fds[0]); close(fds[1]) }
        hangupPipe = fds[1]
        var hangup = sigaction()
        hangup.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(hangupPipe, &byte, 1)
        }
        hangup.sa_flags = SA_RESTART
        var previousHangup = sigaction()
        sigaction(SIGHUP, &hangup, &previousHangup)
        // A parent may have started leash with SIGHUP blocked (a mask is inherited, and
        // threaded runtimes block signals in their workers): it would stay pending forever.
        var hangupOnly = sigset_t()
        sigemptyset(&hangupOnly)
        sigaddset(&hangupOnly, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &hangupOnly, nil)
        // Like a shell's system(): ^C and ^\ reach the command, and leash lives to report.
        let oldInt = signal(SIGINT, SIG_IGN), oldQuit = signal(SIGQUIT, SIG_IGN)
        defer {
            sigaction(SIGHUP, &previousHangup, nil)
            hangupPipe = -1
            signal(SIGINT, oldInt)
            signal(SIGQUIT, oldQuit)
        }

        // `around` lets the network half start the command inside its cgroup.
        let spawn = { try sandbox.spawn(path: path, argv: argv, environment: environment) }
        let pid = try around.map { try $0(spawn) } ?? spawn()
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                throw LSMSandboxError(.kernel, "waitpid: \(String(cString: strerror(errno)))", code: errno)
            }
            var wake = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            // The pipe wakes us for SIGHUP; the child's exit is seen within the timeout.
            if poll(&wake, 1, 100) > 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(fds[0], &drain, drain.count) > 0 {}
                guard let reloadPolicy else { continue }
                do {
                    try sandbox.reload(try reloadPolicy())
                    report("leash: policy reloaded (policy id \(sandbox.policyID))")
                } catch {
                    report("leash: reload failed, the previous policy stays: \(error)")
                }
            }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
