// Landlock kernel equals simulator through real operations: the fallback counterpart of
// LSMOperationTests. Random policies over a scratch tree, each run by the real
// `leash run --backend landlock` around the probe's "serve" mode, and random system calls
// made by that probe inside the sandbox. The outcome of every call (allowed or refused)
// must be what the compiler's simulator says of the requests the call makes, with every
// context flag false (this backend fixes flags at start, and no --set is passed).
//
// Only policies leash starts WITHOUT --allow-approximate are compared: for those, leash
// claims Landlock and the cgroup programs decide exactly as Cedar does, and that claim is
// what this test checks. A policy leash refuses (exit 65) is counted as refused as
// approximated and not run. A Landlock ruleset cannot change after start, so every policy
// is one `leash run`.
//
// Outcomes only, never rules: under this backend the deciding rule of a denial is
// recomputed in userspace by the same simulator (the audit log's rule), so comparing
// rules here would compare the simulator with itself.
//
// What it found when first written: leash started some policies as exact although
// Landlock refuses calls they allow (exec without read, rename without unlink and create,
// refer across directories, names in a directory a permit's own `unless` made leash
// expand). The landlock planner now reports each as an approximation (leash refuses
// those policies without --allow-approximate), so every mismatch here fails the test.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler
import PolicyTestSupport
import Testing

@Suite("Fallback kernel equals simulator", .serialized, .enabled(if: fallbackUnavailable == nil, Comment(rawValue: fallbackUnavailable ?? "")))
struct FallbackOperationTests {
    /// Policies tried and operations per accepted policy: fixed, with fixed seeds, so the
    /// figures are the same from run to run on a host.
    static let policyCount = 400
    static let operationsPerPolicy = 60

    @Test func landlockKernelEqualsSimulatorThroughRealOperations() throws {
        let started = Date()
        let scratch = try ScratchDirectory("fallback-ops")
        let tree = try OperationTree(root: "\(scratch.path)/ops")
        let probe = LSMProbeProgram.path
        let probeDir = URL(fileURLWithPath: probe).deletingLastPathComponent().path
        let base = Self.basePolicy(probeDir: probeDir)
        // A refused policy's leash exits before reading what was written to it.
        signal(SIGPIPE, SIG_IGN)

        // Two generators: the policies drawn do not depend on how many operations each gets.
        var gen = OperationCases(seed: 0x5EED_1A_7D10C, tree: tree)
        var opGen = OperationCases(seed: 0x0B5_1A_7D10C, tree: tree)
        var tried = 0, accepted = 0, refused = 0, notCompiled = 0, compared = 0, mismatches = 0, allowed = 0
        var allowedOps: [String: Int] = [:], deniedOps: [String: Int] = [:]
        for p in 0..<Self.policyCount {
            let text = base + "\n" + gen.landlockPolicy()
            // Drawn whether or not the policy runs, so that each policy meets the same
            // operations whatever happens to the ones before it.
            let ops = (0..<Self.operationsPerPolicy).map { _ in opGen.landlockOperation() }
            tried += 1
            let file = try scratch.write("policy-\(p).cedar", text)
            guard let compiled = PolicySourceCompiler.compile(source: text, file: file, options: CompileOptions(agent: "probe")).policy else {
                notCompiled += 1
                continue
            }
            let simulator = Simulator(compiled)
            let sandbox = try FallbackOperator(policy: file, probe: probe, stderr: "\(scratch.path)/stderr-\(p)")
            defer { sandbox.finish() }
            switch try sandbox.start() {
            case .refused:
                refused += 1
                continue
            case .failed(let why):
                Issue.record("policy-\(p): leash run did not start the probe: \(why)\n\(text)")
                continue
            case .running:
                accepted += 1
            }
            for op in ops {
                try tree.prepare(op)
                let answer = try sandbox.ask(op.line)
                try tree.restore(after: op)
                let expected = try op.expectation(simulator, flags: [])
                compared += 1
                if expected.allow { allowed += 1; allowedOps[op.name, default: 0] += 1 } else { deniedOps[op.name, default: 0] += 1 }
                if !Self.outcomeMatches(op, answer, allow: expected.allow) {
                    let message = Comment(rawValue: """
                        policy-\(p): \(op.line.joined(separator: " ")): landlock answered \(answer), \
                        simulator says \(expected.allow ? "allow" : "deny (\(expected.describe))")
                        \(text)
                        """)
                    mismatches += 1
                    if mismatches <= 10 { Issue.record(message) }
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let perKind = OperationCases.landlockKinds.map { "\($0.rawValue) \(allowedOps[$0.rawValue, default: 0])/\(deniedOps[$0.rawValue, default: 0])" }
        print("Fallback operations: \(tried) policies tried, \(accepted) accepted, \(refused) refused as approximated (exit 65), \(notCompiled) not compiled; "
              + "\(compared) (policy, operation) pairs compared, \(mismatches) mismatches, "
              + "\(allowed) allowed; "
              + "allowed/denied per operation: \(perKind.joined(separator: ", ")); \(String(format: "%.1f", seconds)) s")

        #expect(mismatches == 0)
        #expect(compared >= 2_000, "only \(compared) (policy, operation) pairs compared")
        #expect(accepted >= 30 && refused >= 10, "\(accepted) accepted, \(refused) refused: the sample is one-sided")
        #expect(allowed > compared / 10 && allowed < compared * 9 / 10, "\(allowed) of \(compared) allowed: the sample is one-sided")
        let twoSided = OperationCases.landlockKinds.filter { allowedOps[$0.rawValue, default: 0] >= 3 && deniedOps[$0.rawValue, default: 0] >= 3 }
        #expect(twoSided.count >= 10, "both outcomes seen (3 or more times) only for \(twoSided.map(\.rawValue))")
        for kind in OperationCases.landlockKinds {
            let seen = allowedOps[kind.rawValue, default: 0] + deniedOps[kind.rawValue, default: 0]
            #expect(seen >= 20, "only \(seen) \(kind.rawValue) operations")
        }
    }

    /// What the probe needs to run, exactly as Landlock can enforce it: reading and running
    /// the system and the probe, and the actions this backend cannot restrict allowed
    /// everywhere (restricting them is a gap, which leash refuses). The random rules speak
    /// only about the scratch tree, which none of these reach.
    static func basePolicy(probeDir: String) -> String {
        """
        @id("read-system")
        permit (principal, action == Action::"FileOpenReadOnly", resource)
        when { resource in [Dir::"/usr/", Dir::"/lib/", Dir::"/etc/", Dir::"/proc/", Dir::"/dev/", Dir::"\(probeDir)/"] };

        @id("run-system")
        permit (principal, action == Action::"ProcessExec", resource)
        when { resource in [Dir::"/usr/", Dir::"\(probeDir)/"] };

        @id("devices")
        permit (principal, action == Action::"FileOpenReadWrite", resource) when { resource == File::"/dev/null" };

        @id("unrestricted")
        permit (principal, action in [Action::"FileChmod", Action::"FileChown", Action::"FileSetxattr",
                                      Action::"ProcessMmapExec", Action::"UnixConnect"], resource);
        """
    }

    /// Whether the probe's answer is the sandbox allowing (`allow`) or refusing the call.
    /// A link or rename that changes directory and that Landlock refuses for want of the
    /// refer right (FileRename) says EXDEV rather than EACCES (security/landlock/fs.c,
    /// current_check_refer_path): both are refusals.
    static func outcomeMatches(_ op: FileOperation, _ answer: String, allow: Bool) -> Bool {
        switch op.kind {
        case .link, .rename: return allow ? answer == "ok" : answer == "errno=EACCES" || answer == "errno=EXDEV"
        default: return op.outcomeMatches(answer, allow: allow)
        }
    }
}

/// `leash run --backend landlock --policy FILE -- PROBE serve`, answering one operation
/// per line.
final class FallbackOperator {
    enum Start { case running, refused, failed(String) }

    let pid: pid_t
    let stderrPath: String
    private var toProbe: Int32, fromProbe: Int32
    private var buffer: [UInt8] = []
    private var exitStatus: Int32?

    init(policy: String, probe: String, stderr: String) throws {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw FileError(path: "pipe", code: errno) }
        for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [try leashBinary(), "run", "--backend", "landlock", "--policy", policy, "--dns-upstream", "127.0.0.1:9",
                    "--", probe, "serve"]
        let args: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
        let env: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { (args + env).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, argv[0], &actions, nil, args, env)
        close(input[0])
        close(output[1])
        guard rc == 0 else {
            close(input[1]); close(output[0])
            throw FileError(path: argv[0], code: rc)
        }
        pid = child
        stderrPath = stderr
        toProbe = input[1]
        fromProbe = output[0]
    }

    /// Waits for the probe's first answer. The probe prints nothing of its own, so an
    /// unknown operation is the handshake; a leash that exits first refused the policy.
    func start() throws -> Start {
        do {
            let hello = try ask(["hello"])
            if hello == "unknown-op hello" { return .running }
            return .failed("the probe answered '\(hello)' to the handshake")
        } catch {
            let status = waitForExit()
            let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            // 65: approximation without consent (or a policy error, which the simulator's
            // compile has already ruled out).
            if status == 65 && stderr.contains("approximat") { return .refused }
            return .failed("exit status \(status): \(stderr)")
        }
    }

    func ask(_ fields: [String]) throws -> String {
        try askProbe(fields, to: toProbe, from: fromProbe, buffer: &buffer)
    }

    /// leash's exit status (128 + N for signal N).
    @discardableResult
    func waitForExit() -> Int32 {
        if let s = exitStatus { return s }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let s = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = s
        return s
    }

    /// End of input: the probe returns, and leash with it.
    func finish() {
        if toProbe >= 0 { close(toProbe); toProbe = -1 }
        if exitStatus == nil {
            // Give leash a moment to exit with the probe, then make sure.
            var status: Int32 = 0
            for _ in 0..<200 {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { exitStatus = 0; break }
                if r < 0 && errno != EINTR { break }
                usleep(10_000)
            }
            if exitStatus == nil { kill(pid, SIGKILL); waitForExit() }
        }
        if fromProbe >= 0 { close(fromProbe); fromProbe = -1 }
    }
}

/// Random policies the landlock backend can be asked to enforce, and the operations it
/// decides. Kept apart from the LSM generator (whose draws the LSM test depends on):
/// - file rules name actions one by one, never a group holding an action Landlock cannot
///   restrict (FileWrite holds chmod, ProcessAnyExec mmap exec, Network unix connect);
/// - FileLink always goes with FileCreate, and FileRename with one of FileCreate and
///   FileUnlink (chosen per policy): Landlock decides those with the other actions'
///   rights, and leash refuses a policy where they differ (a gap);
/// - every file rule is confined to the tree (`resource in Dir::"T/"`), so negations
///   cannot reach what the probe needs to run.
/// Approximated shapes are still drawn (forbids inside permits, single names for
/// creation, inner stars): those policies are the refused ones.
extension OperationCases {
    static let landlockKinds: [FileOperation.Kind] = [
        .read, .write, .create, .mkdir, .rmdir, .unlink, .truncate, .symlink, .link, .rename, .exec, .connect, .udpconnect, .sendto,
    ]

    mutating func landlockOperation() -> FileOperation {
        let kind = pick(Self.landlockKinds)
        var op = FileOperation(kind: kind)
        let programs = Array(OperationTree.programs).sorted()
        switch kind {
        case .read, .write: op.path = chance(0.8) ? existingFile() : "\(r)/\(pick(programs))"
        case .truncate: op.path = existingFile()  // never a program: exec needs them whole
        case .create, .mkdir, .rmdir, .unlink, .symlink: op.path = newName()
        case .link, .rename: op.path = existingFile(); op.path2 = newName()
        case .exec: op.path = "\(r)/\(pick(programs))"
        case .connect, .udpconnect, .sendto: op.address = pick(Self.addresses); op.port = pick(Self.ports)
        default: preconditionFailure("\(kind) is not a landlock operation")
        }
        return op
    }

    mutating func landlockFileCondition() -> String {
        let dirs = OperationTree.dirs.filter { $0 != "run" }
        switch pick([0, 0, 1, 1, 2, 3, 4]) {
        case 0: return "resource in Dir::\"\(r)/\(pick(dirs))/\""
        case 1:
            // An existing file (exact for opening and running it) or a name operations
            // create (a permit of it is approximated: it does not exist at start).
            let files = OperationTree.files
            return "resource == File::\"\(chance(0.75) ? "\(r)/\(pick(files))" : "\(r)/\(pick(dirs))/new")\""
        case 2: return "resource.path like \"\(r)/\(pick(dirs))/*\""
        case 3:
            // A star inside a name: matched against the entries that exist at start.
            let file = pick(OperationTree.files)
            let cut = Int.random(in: 0..<file.count, using: &rng)
            return "resource.path like \"\(r)/\(file.prefix(cut))*\""
        default: return "context.\(pick(Self.flags))"
        }
    }

    mutating func landlockExpression(_ depth: Int) -> String {
        if depth == 0 || chance(0.45) { return landlockFileCondition() }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return "(\(landlockExpression(depth - 1)) && \(landlockExpression(depth - 1)))"
        case 1: return "(\(landlockExpression(depth - 1)) || \(landlockExpression(depth - 1)))"
        default: return "!(\(landlockExpression(depth - 1)))"
        }
    }

    mutating func landlockRule(_ n: Int, renameWithCreate: Bool) -> String {
        let effect = chance(0.7) ? "permit" : "forbid"
        if chance(0.25) {
            let action = pick(["action == Action::\"NetworkConnect\"", "action == Action::\"NetworkSend\"",
                               "action in [Action::\"NetworkConnect\", Action::\"NetworkSend\"]"])
            var s = "@id(\"r\(n)\") \(effect) (principal, \(action), resource)"
            for _ in 0..<Int.random(in: 0...2, using: &rng) {
                s += " \(chance(0.75) ? "when" : "unless") { \(expression(true, 2)) }"
            }
            return s + ";"
        }
        let create = ["FileCreate", "FileLink"] + (renameWithCreate ? ["FileRename"] : [])
        let unlink = ["FileUnlink"] + (renameWithCreate ? [] : ["FileRename"])
        let actions = pick([
            ["FileOpenReadOnly"], ["FileOpenReadOnly"], ["FileOpenReadWrite"], ["FileOpenReadWrite", "FileTruncate"], ["FileTruncate"],
            create, unlink, create + unlink, ["FileMkdir"], ["FileRmdir"], ["FileMkdir", "FileRmdir"], ["FileSymlink"],
            ["ProcessExec"], ["FileOpenReadOnly", "ProcessExec"],
            ["FileOpenReadOnly", "FileOpenReadWrite", "FileTruncate", "FileMkdir", "FileRmdir", "FileSymlink"] + create + unlink,
        ])
        let action = actions.count == 1 ? "action == Action::\"\(actions[0])\""
            : "action in [\(actions.map { "Action::\"\($0)\"" }.joined(separator: ", "))]"
        var s = "@id(\"r\(n)\") \(effect) (principal, \(action), resource) when { resource in Dir::\"\(r)/\" }"
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            s += " \(chance(0.75) ? "when" : "unless") { \(landlockExpression(2)) }"
        }
        return s + ";"
    }

    mutating func landlockPolicy() -> String {
        let renameWithCreate = chance(0.5)
        return (0..<Int.random(in: 2...7, using: &rng)).map { landlockRule($0, renameWithCreate: renameWithCreate) }.joined(separator: "\n")
    }
}
