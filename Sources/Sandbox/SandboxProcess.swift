// Starts the command under a ruleset and waits for it. leash ignores SIGINT and SIGQUIT
// while it waits (as a shell's `system()` does) so that ^C reaches the command and leash
// survives to report its exit.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim

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
    public static func run(path: String, argv: [String], environment: [(String, String)], ruleset: LandlockRuleset?,
                           escapeFilter: Bool = true) throws -> Int32 {
        var pipeFDs: [Int32] = [0, 0]
        guard leash_pipe_cloexec(&pipeFDs) == 0 else { throw SandboxError.errno(.kernel, "pipe2", errno) }
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.0)=\($0.1)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }

        let oldInt = signal(SIGINT, SIG_IGN), oldQuit = signal(SIGQUIT, SIG_IGN)
        defer { signal(SIGINT, oldInt); signal(SIGQUIT, oldQuit) }
        let pid = leash_spawn_sandboxed(path, cArgs, cEnv, ruleset?.fd ?? -1, escapeFilter ? 1 : 0, pipeFDs[1])
        let forkError = errno
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard pid > 0 else { throw SandboxError.errno(.kernel, "fork", forkError) }

        var failure = leash_spawn_failure()
        let n = withUnsafeMutableBytes(of: &failure) { read(pipeFDs[0], $0.baseAddress, $0.count) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SandboxError.errno(.kernel, "waitpid", errno) }
        }
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
