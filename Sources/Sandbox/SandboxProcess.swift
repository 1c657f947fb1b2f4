// Starts the command under a ruleset and waits for it. leash ignores SIGINT and SIGQUIT
// while it waits (as a shell's `system()` does) so that ^C reaches the command and leash
// survives to report its exit.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim

/// Set by the SIGHUP handler while a command runs; read by the waiting loop.
nonisolated(unsafe) private var hangupPending: sig_atomic_t = 0
/// The thread blocked in waitpid: a SIGHUP delivered to another of leash's threads
/// (telemetry, resolver) is passed on to it, so that its waitpid is interrupted.
nonisolated(unsafe) private var hangupWaiter: pthread_t = pthread_self()

public enum SandboxProcess {
    /// The command's path: as given when it contains a `/`, else the first executable
    /// match in the sandbox's PATH.
    public static func resolve(_ command: String, path: String?) -> String? {
        if command.contains("/") { return command }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(command)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `argv` and returns its exit status (128 + signal when killed, as shells do).
    /// A SIGHUP to leash while it waits (`leash reload`) calls `onHangup` instead of
    /// ending leash: a Landlock domain cannot be changed once the command runs, so the
    /// caller can only say so.
    public static func run(path: String, argv: [String], environment: [(String, String)], ruleset: LandlockRuleset?,
                           escapeFilter: Bool = true, onHangup: (() -> Void)? = nil) throws -> Int32 {
        var pipeFDs: [Int32] = [0, 0]
        guard leash_pipe_cloexec(&pipeFDs) == 0 else { throw SandboxError.errno(.kernel, "pipe2", errno) }
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.0)=\($0.1)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }

        let oldInt = signal(SIGINT, SIG_IGN), oldQuit = signal(SIGQUIT, SIG_IGN)
        // No SA_RESTART: the signal interrupts waitpid below, which then reports it.
        var hangup = sigaction(), previousHangup = sigaction()
        hangup.__sigaction_handler.sa_handler = { _ in
            if pthread_equal(pthread_self(), hangupWaiter) != 0 { hangupPending = 1 } else { pthread_kill(hangupWaiter, SIGHUP) }
        }
        hangupPending = 0
        hangupWaiter = pthread_self()
        if onHangup != nil { sigaction(SIGHUP, &hangup, &previousHangup) }
        var hangupOnly = sigset_t()
        sigemptyset(&hangupOnly)
        sigaddset(&hangupOnly, SIGHUP)
        if onHangup != nil { pthread_sigmask(SIG_UNBLOCK, &hangupOnly, nil) }
        defer {
            signal(SIGINT, oldInt); signal(SIGQUIT, oldQuit)
            if onHangup != nil { sigaction(SIGHUP, &previousHangup, nil) }
        }
        func reportHangup() {
            if hangupPending != 0 { hangupPending = 0; onHangup?() }
        }
        let pid = leash_spawn_sandboxed(path, cArgs, cEnv, ruleset?.fd ?? -1, escapeFilter ? 1 : 0, pipeFDs[1])
        let forkError = errno
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard pid > 0 else { throw SandboxError.errno(.kernel, "fork", forkError) }

        var failure = leash_spawn_failure()
        var n: Int
        repeat { n = withUnsafeMutableBytes(of: &failure) { read(pipeFDs[0], $0.baseAddress, $0.count) } }
        while n < 0 && errno == EINTR
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SandboxError.errno(.kernel, "waitpid", errno) }
            reportHangup()
        }
        // A SIGHUP that came just before waitpid blocked, or before the failure report.
        reportHangup()
        if n == MemoryLayout<leash_spawn_failure>.size {
            switch failure.step {
            case 1: throw SandboxError.errno(.kernel, "prctl(PR_SET_NO_NEW_PRIVS)", failure.error)
            case 2: throw SandboxError.errno(.kernel, "landlock_restrict_self", failure.error)
            case 4: throw SandboxError.errno(.kernel, "seccomp (escape filter)", failure.error)
            default: throw SandboxError.errno(.io, "cannot run \(path)", failure.error)
            }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
