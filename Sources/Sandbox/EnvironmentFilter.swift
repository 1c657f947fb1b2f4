// The environment a sandboxed command starts with: an allowlist of ordinary variables and
// the model API keys pass; everything else is withheld unless named with --env, so
// cloud keys, tokens and passwords in the user's shell do not reach the agent by default.

public struct EnvironmentFilter: Sendable {
    public static let passed: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "COLORTERM", "LANG", "LANGUAGE", "TZ",
        "TMPDIR", "PWD", "EDITOR", "VISUAL", "PAGER", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR",
        "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES",
        "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "MISTRAL_API_KEY",
    ]
    /// Prefixes of harmless families (locale).
    public static let passedPrefixes = ["LC_"]

    /// Names the user asked to pass (--env NAME).
    public var extra: Set<String>

    public init(extra: Set<String> = []) { self.extra = extra }

    public struct Result: Sendable {
        public var environment: [(String, String)]
        /// Names withheld, sorted, for the audit log (never their values).
        public var withheld: [String]
    }

    public func filter(_ env: [String: String]) -> Result {
        var kept: [(String, String)] = [], withheld: [String] = []
        for name in env.keys.sorted() {
            if extra.contains(name) || Self.passed.contains(name) || Self.passedPrefixes.contains(where: name.hasPrefix) {
                kept.append((name, env[name]!))
            } else {
                withheld.append(name)
            }
        }
        return Result(environment: kept, withheld: withheld)
    }

    /// Whether a withheld name looks like a credential (said so in the audit log).
    public static func looksSecret(_ name: String) -> Bool {
        let n = name.uppercased()
        return ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "SESSION", "COOKIE", "PRIVATE"]
            .contains { n.contains($0) }
    }
}

#if canImport(Glibc)
import Glibc

extension EnvironmentFilter {
    /// Overwrites leash's own environment strings with NULs. The sandbox can read
    /// /proc/<leash>/environ (Landlock scopes ptrace attach, not that read), which shows
    /// the memory leash started with, so a withheld secret would still be one read away.
    /// Call after the environment was copied (ProcessInfo copies it).
    public static func eraseOwnEnvironmentBlock() {
        var p = environ
        while let s = p.pointee {
            memset(s, 0, strlen(s))
            p += 1
        }
    }
}
#endif
