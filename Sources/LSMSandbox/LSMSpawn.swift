// posix_spawn of the sandbox's first task. No code of leash's runs in the child after
// fork (glibc's spawn does the rest), and the signals leash handles or ignores are reset.

#if canImport(Glibc)
import Glibc
#endif

enum LSMSpawn {
    /// `stdio`: descriptors for the child's 0, 1 and 2 (nil: it inherits leash's).
    static func spawn(path: String, argv: [String], environment: [(String, String)], stdio: [Int32]? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, fd) in (stdio ?? []).enumerated() { posix_spawn_file_actions_adddup2(&actions, fd, Int32(target)) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGPIPE, SIGTERM] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.0)=\($0.1)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else {
            throw LSMSandboxError(.spawn, "cannot run \(path): \(String(cString: strerror(rc)))", code: rc)
        }
        return pid
    }
}
