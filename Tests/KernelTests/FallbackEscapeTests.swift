// The ways around a path rule, an exec rule or the sandbox itself (issues 5 and 7), each
// tried for real inside `leash run --backend landlock`. Each is blocked, or is one of the
// documented exceptions and asserted as such.
//
// kill -9 of leash is not repeated here: SandboxRunTests.killingLeashLeavesTheCommandConfined
// (files) and NetworkRunTests.killingLeashLeavesTheNetworkClosed (network) cover it.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler
import Testing

@Suite("Fallback escapes", .serialized, .enabled(if: fallbackUnavailable == nil, Comment(rawValue: fallbackUnavailable ?? "")))
struct FallbackEscapeTests {
    let b: FallbackBench
    /// The default policy's shape: the whole tree W readable except the denied tree
    /// W/secret, a carve-out (so the run needs consent for its expansion, nothing else).
    let policy: String
    /// Every file action Landlock has a right for. FileAccess would add chmod, chown and
    /// setxattr, which this backend cannot enforce (FallbackExceptionTests), and FileLink,
    /// which it borrows from FileCreate.
    static let deniedActions = ["FileOpenReadOnly", "FileOpenReadWrite", "FileCreate", "FileLink", "FileUnlink", "FileRename", "FileMkdir",
                                "FileRmdir", "FileSymlink", "FileTruncate", "ProcessExec"]

    init() throws {
        b = try FallbackBench()
        policy = try b.policyFile(b.exactPolicy(readable: ["\(b.w)/"], extra: """
            @id("secret")
            forbid (principal, action in [\(Self.deniedActions.map { "Action::\"\($0)\"" }.joined(separator: ", "))], resource)
            when { resource in Dir::"\(b.w)/secret/" };
            """))
    }

    @Test func theOnlyApproximationIsTheCarveOutExpansion() throws {
        let report = try b.landlockReport(policy)
        #expect(report.gaps.isEmpty)
        #expect(report.rule("secret")?.status == "exact")
        let approximated = report.rules.filter { $0.status != "exact" }
        #expect(approximated.map(\.id) == ["read-system"], "\(approximated.map { "\($0.id): \($0.reasons)" })")
        #expect(approximated.first?.reasons.allSatisfy { $0.contains("carve-outs are expanded at start") } == true)
    }

    @Test func symlinksIntoTheDeniedTree() throws {
        let r = try b.sh(policy, consent: true, """
            cd '\(b.w)/work'
            ln -s '\(b.secret)' alias && cat alias; echo file=$?
            ln -s '\(b.w)/secret' tree && cat tree/key; echo dir=$?
            """)
        #expect(r.stdout == "file=1\ndir=1\n", "\(r.stdout) \(r.stderr)")
        #expect(!r.stdout.contains("top secret"))
    }

    @Test func hardlinkIntoTheDeniedTreeIsRefused() throws {
        let r = try b.sh(policy, consent: true, "ln '\(b.secret)' '\(b.w)/work/hard'; echo link=$?")
        #expect(r.stdout == "link=1\n", "\(r.stdout) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(b.w)/work/hard"))
    }

    @Test func renamingTheDeniedTreeIsRefused() throws {
        let r = try b.sh(policy, consent: true, "mv '\(b.w)/secret' '\(b.w)/work/moved'; echo mv=$?; cat '\(b.w)/work/moved/key'")
        #expect(r.stdout == "mv=1\n", "\(r.stdout) \(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: b.secret))
    }

    @Test func procSelfFdReopenOfAnOPathHandle() throws {
        #expect(try b.probe(policy, consent: true, "opath", b.secret) == "errno=EACCES")
        #expect(try b.probe(policy, consent: true, "opath", b.notes) == "ok notes")
    }

    @Test func openat2() throws {
        #expect(try b.probe(policy, consent: true, "openat2", b.secret) == "errno=EACCES")
        #expect(try b.probe(policy, consent: true, "openat2", b.notes) == "ok notes")
    }

    /// io_uring's openat runs in a kernel worker on behalf of the task, with its
    /// credentials, so Landlock's file_open hook decides it like open().
    @Test func ioUringOpenat() throws {
        try #require(try b.probeOutside("uring", b.notes) == "ok notes", "io_uring works outside the sandbox on this kernel")
        #expect(try b.probe(policy, consent: true, "uring", b.secret) == "errno=EACCES")
        #expect(try b.probe(policy, consent: true, "uring", b.notes) == "ok notes")
    }

    @Test func dotDotRoutes() throws {
        #expect(try b.probe(policy, consent: true, "read", "\(b.w)/work/../secret/./key") == "errno=EACCES")
    }

    @Test func doubleForkAndSetsidStayInTheSandbox() throws {
        #expect(try b.probe(policy, consent: true, "doublefork", b.secret) == "errno=EACCES")
    }

    @Test func shebangScripts() throws {
        let script = try b.sh(policy, consent: true, "'\(b.w)/forbidden/script.sh'")
        #expect(script.status == 126 && !script.stdout.contains("script ran"), "\(script)")
        // An allowed script whose interpreter is not executable: the kernel checks it too.
        let interpreter = try b.sh(policy, consent: true, "'\(b.w)/work/uses-forbidden.sh'")
        #expect(interpreter.status == 126, "\(interpreter)")
    }

    /// Documented exception: Landlock checks execve, and ld.so only maps the program. The
    /// plain exec of the same program is denied.
    @Test func ldSoExecIsTheDocumentedException() throws {
        let loader = "/lib64/ld-linux-x86-64.so.2"
        let plain = try b.leash(policy, consent: true, ["\(b.w)/forbidden/true"])
        #expect(plain.status == 126, "\(plain)")
        let viaLoader = try b.leash(policy, consent: true, [loader, "\(b.w)/forbidden/true"])
        #expect(viaLoader.status == 0, "the documented exception: \(viaLoader)")
        #expect(try docsSay(FallbackExceptions.documented[0].docs))
        print("fallback exception: ld.so exec: \(FallbackExceptions.documented[0].docs) (Landlock checks execve only)")
    }

    /// Documented exception: a memfd lives on a kernel-internal mount, which Landlock
    /// does not restrict.
    @Test func memfdExecIsTheDocumentedException() throws {
        let r = try b.leash(policy, consent: true, [b.probe, "memfdexec", "\(b.w)/forbidden/true"])
        #expect(r.status == 0 && r.stdout.isEmpty, "the documented exception: the copy of a non-executable program ran: \(r)")
        #expect(try docsSay(FallbackExceptions.documented[1].docs))
        print("fallback exception: memfd exec: \(FallbackExceptions.documented[1].docs) (Landlock allows files on kernel-internal mounts)")
    }

    @Test func namespaceAndMountTricksAreRefused() throws {
        #expect(try b.probe(policy, consent: true, "userns") == "errno=EPERM")
        #expect(try b.probe(policy, consent: true, "mount", "\(b.w)/work") == "errno=EPERM")
        #expect(try b.probe(policy, consent: true, "bpf") == "errno=EPERM")
        // setns, even into its own network namespace: the escape filter refuses the call.
        let script = try b.root.write("setns.py", """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open("/proc/self/ns/net", os.O_RDONLY)
            print(libc.setns(fd, 0), ctypes.get_errno())
            """)
        try FileManager.default.copyItem(atPath: script, toPath: "\(b.w)/work/setns.py")
        let r = try b.leash(policy, consent: true, ["/usr/bin/python3", "\(b.w)/work/setns.py"])
        #expect(r.stdout == "-1 \(EPERM)\n", "\(r)")
        // Another process's namespaces are not even opened: Landlock scopes /proc/PID/ns.
        let nsenter = try b.sh(policy, consent: true, "/usr/bin/nsenter -t $PPID -m /usr/bin/true; echo nsenter=$?")
        #expect(nsenter.stdout == "nsenter=1\n", "\(nsenter)")
        // The same work outside: the refusals are the sandbox's.
        #expect(try b.probeOutside("userns") == "ok")
        #expect(try run(["/usr/bin/python3", script]).stdout == "0 0\n")
    }

    /// The network programs are attached to the sandbox's cgroup: leaving it would leave
    /// the network rules. Writing cgroup.procs is a write Landlock does not grant.
    @Test func movingItsOwnPidToAnotherCgroupIsRefused() throws {
        let hierarchy = try CgroupV2.locate()
        #expect(try b.probe(policy, consent: true, "cgroup", "\(hierarchy.path)/cgroup.procs") == "errno=EACCES")
    }

    /// The same move under a policy that lets the sandbox write everywhere: Landlock then
    /// grants the write, and a moved process would connect past the network rules. The
    /// report names that gap, so leash refuses to start without consent; with consent it
    /// is the named exception.
    @Test func aPolicyThatWritesCgroupFilesIsRefusedWithoutConsent() throws {
        let hierarchy = try CgroupV2.locate()
        let denied = try LoopbackSocket("127.0.0.1")
        let writeAll = try b.policyFile(b.exactPolicy(extra: """
            @id("write-anywhere")
            permit (principal, action == Action::"FileOpenReadWrite", resource);
            """), "write-all.cedar")
        let report = try b.landlockReport(writeAll)
        let gap = try #require(report.gaps.first { $0.action == "NetworkConnect, NetworkSend" }, "\(report.gaps)")
        #expect(gap.reason.contains("cgroup.procs") && gap.reason.contains(hierarchy.path), "\(gap.reason)")
        let refused = try b.leash(writeAll, ["/usr/bin/true"])
        #expect(refused.status == 65 && refused.stderr.contains("leave leash's cgroup"), "\(refused.stderr)")

        let script = try b.root.write("leave.py", """
            import os, socket, sys
            fd = os.open(sys.argv[1], os.O_WRONLY)
            try: os.write(fd, b"%d\\n" % os.getpid())
            except OSError as e: print("move", e.errno)
            s = socket.socket()
            try: s.connect(("127.0.0.1", int(sys.argv[2]))); print("connected")
            except OSError as e: print("connect", e.errno)
            """)
        try FileManager.default.copyItem(atPath: script, toPath: "\(b.w)/work/leave.py")
        let stay = try b.leash(writeAll, consent: true, ["/usr/bin/python3", "\(b.w)/work/leave.py", "/dev/null", "\(denied.port)"])
        #expect(stay.stdout == "connect \(EPERM)\n", "without the move the network rule holds: \(stay)")
        let r = try b.leash(writeAll, consent: true, ["/usr/bin/python3", "\(b.w)/work/leave.py", "\(hierarchy.path)/cgroup.procs", "\(denied.port)"])
        #expect(r.stdout == "connected\n", "the named exception, with consent: \(r)")
        print("fallback exception: cgroupfs writes: \(gap.reason)")
    }
}

/// Whether docs/sandbox.md states `text` (compared with runs of white space as one space).
func docsSay(_ text: String) throws -> Bool {
    let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/sandbox.md").path
    let flat = try String(contentsOfFile: docs, encoding: .utf8).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    return flat.contains(text)
}

/// Each rule kind the backend cannot enforce: reported by the compiler with its reason,
/// refused without consent (naming the rule), and, with consent, really not enforced.
@Suite("Fallback exceptions", .serialized, .enabled(if: fallbackUnavailable == nil, Comment(rawValue: fallbackUnavailable ?? "")))
struct FallbackExceptionTests {
    let b: FallbackBench
    init() throws { b = try FallbackBench() }

    @Test(arguments: FallbackExceptions.notEnforceable)
    func aRuleLandlockCannotEnforce(_ e: FallbackException) throws {
        let docker = try UnixListener("\(b.w)/run/docker.sock")
        defer { _ = docker }
        let p = try b.policyFile(b.exactPolicy(extra: e.policyRule(b.w)), "\(e.action).cedar")
        let report = try b.landlockReport(p)
        let rule = try #require(report.rule(e.ruleID))
        #expect(rule.status == "not-enforceable")
        #expect(rule.reasons.contains { $0.hasPrefix(e.action + ":") && $0.contains(e.reason) }, "\(rule.reasons)")
        #expect(report.gaps.contains { $0.action == e.action && $0.reason.contains(e.reason) }, "\(report.gaps.map(\.action))")

        let refused = try b.leash(p, ["/usr/bin/true"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("@id(\"\(e.ruleID)\") not-enforceable") && refused.stderr.contains(e.reason), "\(refused.stderr)")

        let log = "\(b.root.path)/\(e.action).jsonl"
        let line = e.operation.replacingOccurrences(of: "PROBE", with: "'\(b.probe)'").replacingOccurrences(of: "W/", with: "\(b.w)/")
        let r = try b.sh(p, consent: true, options: ["--audit-log", log], line)
        #expect(r.stdout == e.outcome + "\n", "the exception is real: \(r.stdout) \(r.stderr)")
        #expect(auditRecords(log).contains { $0["event"] as? String == "approximation" && $0["rule"] as? String == e.ruleID })
        print("fallback exception: \(e.action): \(rule.reasons.joined(separator: "; "))")
    }

    /// The carve-out glob exception (SandboxRunTests shows a new directory is not
    /// protected): the compiler names it, the docs state it.
    @Test func aCarveOutGlobOnlyCoversWhatExistedAtStart() throws {
        try FileManager.default.createDirectory(atPath: "\(b.w)/work/old/.ssh", withIntermediateDirectories: true)
        let p = try b.policyFile(b.exactPolicy(extra: """
            @id("ssh-anywhere")
            forbid (principal, action == Action::"FileOpenReadOnly", resource) when { resource.path like "*/.ssh/*" };
            """), "glob.cedar")
        let r = try run([try leashBinary(), "compile", "--backend", "landlock", "--json", "--set", "WORKDIR=\(b.w)/work", p])
        let report = try JSONDecoder().decode(LandlockReportJSON.self, from: Data(r.stdout.utf8))
        let rule = try #require(report.rule("ssh-anywhere"))
        #expect(rule.status == "approximated")
        let reason = try #require(rule.reasons.first { $0.contains("ones created later, are not protected") }, "\(rule.reasons)")
        #expect(reason.contains("\(b.w)/work/old/.ssh"), "\(reason)")
        let docs = FallbackExceptions.documented[2].docs
        #expect(try docsSay(docs))
        print("fallback exception: carve-out glob: \(reason)")
    }

    /// Every documented exception, one line each, so the suite's output names them.
    @Test func theExceptionsAreListed() throws {
        for e in FallbackExceptions.notEnforceable { print("fallback exception (not enforceable): \(e)") }
        for d in FallbackExceptions.documented { print("fallback exception (documented in docs/sandbox.md): \(d.name): \(d.docs)") }
        print("fallback exceptions reported as gaps (refused without --allow-approximate): FileLink denied where FileCreate is allowed; FileRename denied inside a directory where FileCreate and FileUnlink are allowed")
        // The list is complete: a policy denying every file action somewhere has exactly
        // these actions as the compiler's gaps.
        let all = Vocabulary.actions.filter { $0.kind == .file }.map { a in
            "@id(\"deny-\(a.name)\") forbid (principal, action == Action::\"\(a.name)\", resource) when { resource in Dir::\"\(b.w)/outside/\" };"
        }
        let report = try b.landlockReport(try b.policyFile(b.exactPolicy(extra: all.joined(separator: "\n")), "all.cedar"))
        #expect(Set(report.gaps.map(\.action)) == Set(FallbackExceptions.notEnforceable.map(\.action)), "\(report.gaps.map(\.action))")
    }
}
