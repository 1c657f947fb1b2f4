// Kernel equals simulator through real operations (issue 5): random policies over a
// scratch tree, each hot-reloaded into a BPF LSM sandbox, and random system calls made by
// a process inside it. The outcome of every call (allowed or refused, and for a refusal
// the rule its event names) must be what the compiler's simulator says of the requests
// that call makes, in the order the hooks ask them. PolicyEngineTests asks the same
// engine directly through BPF_PROG_TEST_RUN; this asks it through the hooks, with the
// kernel resolving the paths. VM bench only.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import LSMSandbox
import PolicyCompiler
import PolicyTestSupport
import Testing

extension LSMBenchSuites {
    @Suite("LSM kernel equals simulator", .serialized, .enabled(if: Environment.bpfLSMUnavailable == nil,
                                                               Comment(rawValue: Environment.bpfLSMUnavailable ?? "")))
    struct LSMOperationTests {
        @Test func realOperationsAreDecidedLikeTheSimulator() throws {
            let b = try bench()
            let tree = try OperationTree(root: "\(b.w)/ops")
            let listeners = try OperationTree.sockets.map { try UnixListener("\(tree.root)/\($0)") }
            // A sandbox of its own, with its own ring buffer: the other LSM suites reload the
            // bench's sandbox and drain the shared ring while this runs.
            let sandbox = try LSMSandbox(policy: try compilePolicy(lsmPolicy(b.w)), mode: .enforce, store: b.store,
                                         telemetry: try TelemetryMaps(), pin: false)
            let helper = try SandboxedOperator(sandbox)
            defer { helper.finish() }
            for file in OperationTree.files { #expect(try helper.ask(["preopen", "\(tree.root)/\(file)"]) == "ok") }

            var gen = OperationCases(seed: 0x5EED_0F_0B5, tree: tree)
        let started = Date()
            var compared = 0, mismatches = 0, allowed = 0, policies = 0
            var seenOps: [String: Int] = [:], deniedOps: [String: Int] = [:]
            let events = try EventCollector(sandbox.telemetry.eventsFD)
            for p in 0..<110 {
                let text = gen.policy()
                let compiled = PolicySourceCompiler.compile(source: text, file: "ops-\(p).cedar", options: CompileOptions(agent: "agent")).policy
                guard let compiled else { continue }
                try sandbox.reload(compiled)
                policies += 1
                var on = Set<String>()
                for flag in compiled.flags where gen.chance(0.5) {
                    try sandbox.setFlag(flag, true)
                    on.insert(flag)
                }
                let simulator = Simulator(compiled)
                for _ in 0..<22 {
                    let op = gen.operation()
                    try tree.prepare(op)
                    _ = try events.take()
                    let answer = try helper.ask(op.line)
                    let got = try events.take().filter { $0.header.sandbox_id == sandbox.id && $0.flags.contains(.deny) }
                    try tree.restore(after: op)
                listeners.forEach { $0.drain() }
                    let expected = try op.expectation(simulator, flags: on)
                    compared += 1
                    seenOps[op.name, default: 0] += 1
                    if expected.allow { allowed += 1 } else { deniedOps[op.name, default: 0] += 1 }
                    var problems: [String] = []
                    if !op.outcomeMatches(answer, allow: expected.allow) {
                        problems.append("answer \(answer), simulator \(expected.allow ? "allow" : "deny by \(expected.describe)")")
                    }
                    if expected.allow, !got.isEmpty {
                        problems.append("allowed, yet the hooks sent denials \(got.map(Self.describe))")
                    }
                    if !expected.allow {
                        // The first refusing hook names its rule; nothing else refuses after it.
                        if got.count != 1 {
                            problems.append("\(got.count) denial events \(got.map(Self.describe)), expected one: \(expected.describe)")
                        } else if let e = got.first, e.header.action != expected.actionCode || e.header.rule != expected.rule
                                    || (expected.path != nil && String(decoding: e.path, as: UTF8.self) != expected.path) {
                            problems.append("denial \(Self.describe(e)), simulator \(expected.describe)")
                        }
                    }
                    if !problems.isEmpty {
                        mismatches += 1
                        if mismatches <= 10 {
                            Issue.record("policy ops-\(p) flags \(on.sorted()): \(op.line.joined(separator: " ")): \(problems.joined(separator: "; "))\n\(text)")
                        }
                    }
                }
                for flag in on { try sandbox.setFlag(flag, false) }
                if p % 10 == 9 { print("LSM operations: \(p + 1) policies, \(compared) operations, \(mismatches) mismatches, \(Int(Date().timeIntervalSince(started))) s") }
            }
            print("LSM operations: \(compared) (policy, operation) pairs through the hooks over \(policies) policies, \(mismatches) mismatches, \(allowed) allowed; per operation \(seenOps.sorted { $0.key < $1.key }), denied \(deniedOps.sorted { $0.key < $1.key }); \(Int(Date().timeIntervalSince(started))) s")
            #expect(compared >= 2_000)
            #expect(mismatches == 0)
            #expect(allowed > compared / 10 && allowed < compared * 9 / 10, "\(allowed) of \(compared) allowed: the sample is one-sided")
            for name in OperationCases.names {
                #expect(seenOps[name, default: 0] >= 20, "only \(seenOps[name, default: 0]) \(name) operations")
                #expect(deniedOps[name, default: 0] >= 3, "only \(deniedOps[name, default: 0]) \(name) operations denied")
                #expect(deniedOps[name, default: 0] < seenOps[name, default: 0], "every \(name) operation was denied")
            }
            withExtendedLifetime(listeners) {}
        }

        static func describe(_ e: RawEvent) -> String {
            "\(e.header.action) \(String(decoding: e.path, as: UTF8.self)) rule \(e.header.rule)"
        }
    }
}

/// The events the hooks sent since the last take.
final class EventCollector {
    private var pending: [RawEvent] = []
    private var reader: EventRingReader!
    init(_ fd: Int32) throws {
        reader = try EventRingReader(ringFD: fd) { [unowned self] in if case .success(let e) = $0 { self.pending.append(e) } }
    }
    func take() throws -> [RawEvent] {
        _ = try reader.drain()
        defer { pending = [] }
        return pending
    }
}

/// A probe process in the bench's sandbox answering one operation per line.
final class SandboxedOperator {
    let pid: pid_t
    private let toHelper: Int32, fromHelper: Int32
    private var buffer: [UInt8] = []

    init(_ sandbox: LSMSandbox) throws {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw FileError(path: "pipe", code: errno) }
        let err = open("/dev/null", O_WRONLY)
        defer { close(input[0]); close(output[1]); close(err) }
        pid = try sandbox.spawn(path: LSMProbeProgram.path, argv: [LSMProbeProgram.path, "serve"],
                                  environment: [("PATH", "/usr/bin:/bin")], stdio: [input[0], output[1], err])
        toHelper = input[1]
        fromHelper = output[0]
    }

    func ask(_ fields: [String]) throws -> String {
        try askProbe(fields, to: toHelper, from: fromHelper, buffer: &buffer)
    }

    func finish() {
        close(toHelper)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(fromHelper)
    }
}

/// The scratch tree the random policies speak about, and how each operation is set up
/// and undone from outside the sandbox, so every operation meets the same tree.
struct OperationTree {
    let root: String
    static let dirs = ["a", "a/b", "c", ".ssh", "bin", "run"]
    static let files = ["a/x.pem", "a/notes", "a/b/id_rsa", "c/notes", ".ssh/id_rsa", "top", "bin/tool", "a/tool"]
    static let programs: Set<String> = ["bin/tool", "a/tool"]
    static let sockets = ["run/s1.sock", "run/docker.sock"]
    /// Names the policies use: the tree's own, and "new" for what operations create.
    static let parts = ["a", "b", "c", ".ssh", "x.pem", "notes", "id_rsa", "top", "bin", "tool", "run", "new", "s1.sock", "docker.sock"]

    init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        for d in Self.dirs { try FileManager.default.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true) }
        for f in Self.files {
            if Self.programs.contains(f) {
                // A static program: its exec maps no library, so an exec asks exactly
                // ProcessExec and ProcessMmapExec of this path.
                try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: "\(root)/\(f)")
            } else {
                try "content of \(f)\n".write(toFile: "\(root)/\(f)", atomically: false, encoding: .utf8)
            }
        }
    }

    func prepare(_ op: FileOperation) throws {
        switch op.kind {
        case .rmdir: mkdir(op.path, 0o755)
        case .unlink: close(open(op.path, O_WRONLY | O_CREAT, 0o644))
        default: break
        }
    }

    /// Puts the tree back as it was: renamed files back, created names removed, contents
    /// and modes restored.
    func restore(after op: FileOperation) throws {
        if op.kind == .rename, access(op.path, F_OK) != 0 { rename(op.path2!, op.path) }
        for d in [""] + Self.dirs.map({ "/" + $0 }) {
            let new = "\(root)\(d)/new"
            if unlink(new) != 0 { rmdir(new) }
        }
        switch op.kind {
        case .truncate:
            let rel = String(op.path.dropFirst(root.count + 1))
            try "content of \(rel)\n".write(toFile: op.path, atomically: false, encoding: .utf8)
        case .chmod:
            let rel = String(op.path.dropFirst(root.count + 1))
            chmod(op.path, Self.dirs.contains(rel) || Self.programs.contains(rel) ? 0o755 : 0o644)
        default: break
        }
    }
}

/// One system call the sandboxed probe makes, and the requests the hooks ask for it.
struct FileOperation {
    enum Kind: String, CaseIterable {
        case read, write, create, mkdir, rmdir, unlink, chmod, chown, truncate, setxattr, symlink, link, rename
        case mmapexec, exec, connect, udpconnect, sendto, unix
    }
    var kind: Kind
    var path: String = ""
    var path2: String?
    var address: String = ""
    var port: Int = 0

    var name: String { kind.rawValue }
    var line: [String] {
        switch kind {
        case .connect, .udpconnect, .sendto: return [name, address, String(port)]
        case .link, .rename: return [name, path, path2!]
        default: return [name, path]
        }
    }

    struct Expectation {
        var allow: Bool
        var actionCode: UInt32 = 0
        var rule: Int32 = -1
        var path: String?
        var describe: String = ""
    }

    /// The requests in the order the hooks ask them; the first refusal decides.
    func expectation(_ sim: Simulator, flags: Set<String>) throws -> Expectation {
        func file(_ action: String, _ p: String) -> OperationRequest { OperationRequest(action: action, resource: .file(path: p), flags: flags) }
        var asks: [OperationRequest] = []
        switch kind {
        case .read: asks = [file("FileOpenReadOnly", path)]
        case .write: asks = [file("FileOpenReadWrite", path)]
        case .create: asks = [file("FileCreate", path), file("FileOpenReadWrite", path)]
        case .mkdir: asks = [file("FileMkdir", path)]
        case .rmdir: asks = [file("FileRmdir", path)]
        case .unlink: asks = [file("FileUnlink", path)]
        case .chmod: asks = [file("FileChmod", path)]
        case .chown: asks = [file("FileChown", path)]
        case .truncate: asks = [file("FileTruncate", path)]
        case .setxattr: asks = [file("FileSetxattr", path)]
        case .symlink: asks = [file("FileSymlink", path)]
        case .link: asks = [file("FileLink", path2!)]
        case .rename: asks = [file("FileRename", path), file("FileRename", path2!)]
        case .mmapexec: asks = [file("ProcessMmapExec", path)]
        case .exec: asks = [file("ProcessExec", path), file("ProcessMmapExec", path)]
        case .unix: asks = [file("UnixConnect", path)]
        case .connect, .udpconnect, .sendto:
            let ip = IPNet(parsing: address)!
            let request = OperationRequest(action: kind == .sendto ? "NetworkSend" : "NetworkConnect",
                                           resource: .host(domain: nil, ip: ip, port: port, proto: kind == .connect ? "tcp" : "udp"),
                                           flags: flags)
            asks = [request.withMappedAddressesAsIPv4]
        }
        for ask in asks {
            let d = try sim.decide(ask)
            if !d.allow { return refusal(ask, rule: d.rules.first ?? -1, path: ask.filePath) }
        }
        // A link or rename may not grant under the new name a read or write that the
        // old name's rule denies (bpf/leash_lsm.bpf.c, lsm_no_gain).
        if kind == .link || kind == .rename {
            for access in ["FileOpenReadOnly", "FileOpenReadWrite"] {
                let old = try sim.decide(file(access, path)), new = try sim.decide(file(access, path2!))
                if !old.allow && new.allow {
                    return refusal(file(kind == .link ? "FileLink" : "FileRename", path), rule: old.rules.first ?? -1, path: path)
                }
            }
        }
        return Expectation(allow: true)
    }

    private func refusal(_ r: OperationRequest, rule: Int, path: String?) -> Expectation {
        Expectation(allow: false, actionCode: PolicyTables.actionCode(r.action)!, rule: Int32(rule), path: path,
                    describe: "\(r.action) \(path ?? "\(r.resource)") rule \(rule)")
    }

    /// Whether the probe's answer is the kernel allowing (`allow`) or refusing the call.
    func outcomeMatches(_ answer: String, allow: Bool) -> Bool {
        switch kind {
        case .connect, .udpconnect, .sendto:
            // Allowed connects meet no listener: ECONNREFUSED is the network answering.
            return allow ? answer != "errno=EPERM" && answer != "errno=EACCES" && !answer.hasPrefix("unknown") : answer == "errno=EPERM"
        case .unix:
            return allow ? answer == "ok" : answer == "errno=EPERM"
        case .exec:
            // Refused at bprm_check: execve fails. Refused at the mapping of the program
            // (past the point of no return): the new image is killed.
            return allow ? answer == "ok" : answer == "errno=EACCES" || answer.hasPrefix("signal=")
        case .setxattr:
            // The hook runs before the file system, which may not support the name.
            return allow ? answer != "errno=EACCES" && answer != "errno=EPERM" && !answer.hasPrefix("unknown") : answer == "errno=EACCES"
        default:
            return allow ? answer == "ok" : answer == "errno=EACCES"
        }
    }
}

extension OperationRequest {
    var filePath: String? { if case .file(let p) = resource { return p } else { return nil } }
}

/// Random policies about an OperationTree and random operations on it; deterministic for
/// a seed.
struct OperationCases {
    var rng: EngineRNG
    let tree: OperationTree
    init(seed: UInt64, tree: OperationTree) { rng = EngineRNG(seed: seed); self.tree = tree }

    static let names = FileOperation.Kind.allCases.map(\.rawValue)
    static let addresses = ["127.0.0.1", "127.0.0.2", "127.1.2.3", "::1", "::ffff:7f00:1", "::ffff:7f00:2"]
    static let ranges = ["127.0.0.0/8", "127.0.0.0/30", "127.0.0.2", "127.1.0.0/16", "::1", "::/0", "0.0.0.0/0", "::ffff:0:0/96"]
    static let ports = [22, 80, 443, 7001, 8080]
    static let flags = ["f1", "f2"]

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    var r: String { tree.root }
    mutating func existingFile() -> String { "\(r)/\(pick(OperationTree.files.filter { !OperationTree.programs.contains($0) }))" }
    mutating func newName() -> String { "\(r)/\(pick([""] + OperationTree.dirs.filter { $0 != "run" }.map { $0 + "/" }))new" }

    mutating func operation() -> FileOperation {
        let kind = pick(FileOperation.Kind.allCases)
        var op = FileOperation(kind: kind)
        switch kind {
        case .read, .write, .setxattr: op.path = chance(0.8) ? existingFile() : "\(r)/\(pick(Array(OperationTree.programs).sorted()))"
        case .truncate: op.path = existingFile()  // never a program: the exec operations need them whole
        case .chmod, .chown: op.path = chance(0.7) ? existingFile() : "\(r)/\(pick(OperationTree.dirs))"
        case .create, .mkdir, .rmdir, .unlink, .symlink: op.path = newName()
        case .link, .rename: op.path = existingFile(); op.path2 = newName()
        case .mmapexec: op.path = "\(r)/\(pick(OperationTree.files))"
        case .exec: op.path = "\(r)/\(pick(Array(OperationTree.programs).sorted()))"
        case .unix: op.path = "\(r)/\(pick(OperationTree.sockets))"
        case .connect, .udpconnect, .sendto: op.address = pick(Self.addresses); op.port = pick(Self.ports)
        }
        return op
    }

    mutating func treePath() -> String {
        chance(0.5) ? "\(r)/\(pick(OperationTree.files + OperationTree.sockets))" : "\(r)/\(pick(OperationTree.dirs))/new"
    }

    mutating func fileCondition() -> String {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return "resource in Dir::\"\(r)/\(pick(OperationTree.dirs))/\""
        case 1: return "resource == File::\"\(treePath())\""
        case 2:
            // A prefix of the tree with a star inside or at the end.
            var s = Array(treePath())
            let i = Int.random(in: r.count...s.count, using: &rng), j = Int.random(in: i...s.count, using: &rng)
            s.replaceSubrange(i..<j, with: ["*"])
            return "resource.path like \"\(String(s))\""
        case 3: return "resource.path like \"*\(pick(OperationTree.parts))*\""
        case 4: return "resource.path like \"*/\(pick(OperationTree.parts))\""
        case 5: return "resource in Dir::\"\(r)/\""
        default: return "context.\(pick(Self.flags))"
        }
    }

    mutating func networkCondition() -> String {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0, 1: return "resource.ip.isInRange(ip(\"\(pick(Self.ranges))\"))"
        case 2: return "resource.ip.\(pick(["isIpv4", "isIpv6", "isLoopback"]))()"
        case 3, 4: return "resource.port \(pick(["==", "!=", "<", "<=", ">", ">="])) \(pick(Self.ports))"
        case 5: return "resource.protocol == \"\(pick(["tcp", "udp"]))\""
        case 6: return "resource in Host::\"\(pick(["127.0.0.1", "127.0.0.2", "[::1]"])):\(pick(Self.ports))\""
        default: return "context.\(pick(Self.flags))"
        }
    }

    mutating func expression(_ network: Bool, _ depth: Int) -> String {
        if depth == 0 || chance(0.45) { return network ? networkCondition() : fileCondition() }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return "(\(expression(network, depth - 1)) && \(expression(network, depth - 1)))"
        case 1: return "(\(expression(network, depth - 1)) || \(expression(network, depth - 1)))"
        default: return "!(\(expression(network, depth - 1)))"
        }
    }

    mutating func rule(_ n: Int) -> String {
        let effect = chance(0.65) ? "permit" : "forbid"
        let network = chance(0.3)
        let fileActions = Vocabulary.actions.filter { $0.kind == .file }.map(\.name)
        let action = network
            ? pick(["action in Action::\"Network\"", "action == Action::\"NetworkConnect\"", "action == Action::\"NetworkSend\""])
            : pick(["action in Action::\"FileWrite\"", "action in Action::\"FileAccess\"", "action in Action::\"FileOpen\"",
                    "action in Action::\"ProcessAnyExec\"", "action == Action::\"UnixConnect\"",
                    "action == Action::\"\(pick(fileActions))\"", "action == Action::\"\(pick(fileActions))\""])
        var s = "@id(\"r\(n)\") \(effect) (principal, \(action), resource)"
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            s += " \(chance(0.75) ? "when" : "unless") { \(expression(network, 2)) }"
        }
        return s + ";"
    }

    mutating func policy() -> String {
        (0..<Int.random(in: 2...9, using: &rng)).map { rule($0) }.joined(separator: "\n")
    }
}
