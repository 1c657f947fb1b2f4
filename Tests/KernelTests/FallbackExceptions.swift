// What the landlock backend documents it cannot enforce, one entry per exception: the
// rule that needs it, the reason `leash compile --backend landlock` must give, and an
// operation the policy denies that the sandbox can nonetheless do. FallbackExceptionTests
// checks each against the compiler's report and the real kernel, and prints it.

struct FallbackException: Sendable, CustomStringConvertible {
    /// The action as the policy names it.
    var action: String
    /// A rule denying that action somewhere in the bench tree (W is the scratch root).
    var rule: String
    /// Text the compiler's reason must contain.
    var reason: String
    /// A shell line that does what the rule denies (PROBE is LSMProbeProgram), and what it
    /// prints when it succeeds.
    var operation: String
    var outcome: String

    var ruleID: String { "no-\(action)" }
    var description: String { "\(action): \(reason)" }

    func policyRule(_ w: String) -> String {
        "@id(\"\(ruleID)\")\nforbid (principal, action == Action::\"\(action)\", resource) when { \(rule.replacingOccurrences(of: "W/", with: w + "/")) };"
    }
}

enum FallbackExceptions {
    /// Rule kinds Landlock has no right for. Each is "not-enforceable" in the report and
    /// makes `leash run` refuse to start without --allow-approximate.
    static let notEnforceable: [FallbackException] = [
        .init(action: "FileChmod", rule: "resource in Dir::\"W/outside/\"", reason: "Landlock has no right for chmod",
              operation: "chmod 600 W/outside/notes && echo done", outcome: "done"),
        .init(action: "FileChown", rule: "resource in Dir::\"W/outside/\"", reason: "Landlock has no right for chown",
              operation: "chown 1:1 W/outside/notes && echo done", outcome: "done"),
        .init(action: "FileSetxattr", rule: "resource in Dir::\"W/outside/\"", reason: "Landlock has no right for setxattr",
              operation: "PROBE setxattr W/outside/notes", outcome: "ok"),
        .init(action: "ProcessMmapExec", rule: "resource in Dir::\"W/forbidden/\"", reason: "Landlock checks execve only, not mmap with PROT_EXEC",
              operation: "PROBE mmapexec W/forbidden/true", outcome: "ok"),
        .init(action: "UnixConnect", rule: "resource == File::\"W/run/docker.sock\"", reason: "Landlock cannot restrict connect() to a unix socket by path",
              operation: "PROBE unix W/run/docker.sock", outcome: "ok"),
    ]

    /// Escapes no rule classification can show, stated in docs/sandbox.md instead; the
    /// text here must appear there word for word.
    static let documented: [(name: String, docs: String)] = [
        ("ld.so exec", "`ld.so /denied/program` runs the program"),
        ("memfd exec", "a program copied into a `memfd_create` file and run with `fexecve` is not checked"),
        ("carve-out directory created after start", "a directory created after start inside a carve-out glob is not protected"),
    ]
}
