// Issue 5's behavioural suite run natively with the fallback backend (issue 7): the real
// `leash run --backend landlock` binary, real system calls, allow and deny for every
// action class, forbid beating permit, and the backend's modes and runtime. What the
// backend cannot enforce is FallbackExceptionTests' business; escapes are in
// FallbackEscapeTests.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

@Suite("Fallback actions", .serialized, .enabled(if: fallbackUnavailable == nil, Comment(rawValue: fallbackUnavailable ?? "")))
struct FallbackActionTests {
    let b: FallbackBench
    let policy: String
    init() throws {
        b = try FallbackBench()
        policy = try b.policyFile(b.exactPolicy())
    }

    /// The cases below run without --allow-approximate, so each is Landlock or the
    /// cgroup programs deciding exactly as the policy says.
    @Test func theBasePolicyIsExactOnThisBackend() throws {
        let report = try b.landlockReport(try b.policyFile(b.exactPolicy(netPorts: [7001], tcp6Ports: [7001])))
        #expect(report.rules.count == 6)
        #expect(report.rules.allSatisfy { $0.status == "exact" }, "\(report.rules.map { "\($0.id): \($0.status) \($0.reasons)" })")
        #expect(report.gaps.isEmpty, "\(report.gaps.map(\.action))")
        let r = try b.leash(policy, ["/usr/bin/true"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func openForReadingIsAllowedOrDeniedByPath() throws {
        #expect(try b.probe(policy, "read", b.notes) == "ok notes")
        #expect(try b.probe(policy, "read", b.secret) == "errno=EACCES")
        // The same file outside any sandbox: the denial is the sandbox's.
        #expect(try b.probeOutside("read", b.secret) == "ok top secret")
    }

    @Test func openForWritingAndCreatingFollowTheWriteRule() throws {
        #expect(try b.probe(policy, "write", "\(b.w)/work/new") == "ok")
        #expect(try b.probe(policy, "write", b.notes) == "errno=EACCES")              // FileOpenReadWrite
        #expect(try b.probe(policy, "write", "\(b.w)/outside/new") == "errno=EACCES")  // FileCreate
        #expect(!FileManager.default.fileExists(atPath: "\(b.w)/outside/new"))
        #expect(try String(contentsOfFile: b.notes, encoding: .utf8) == "notes\n")
    }

    /// One shell line per write-class action, where the policy allows it (W/work) and
    /// where it does not (W/outside), in one sandbox.
    @Test(arguments: [
        ("FileUnlink", "rm -f D/victim"),
        ("FileMkdir", "mkdir D/newdir"),
        ("FileRmdir", "rmdir D/emptydir"),
        ("FileRename", "mv D/victim D/renamed"),
        ("FileSymlink", "ln -s /etc/hostname D/symlink"),
        ("FileTruncate", "truncate -s 0 D/victim"),
    ])
    func writeClassActions(_ action: String, _ template: String) throws {
        for dir in ["work", "outside"] {
            try "victim\n".write(toFile: "\(b.w)/\(dir)/victim", atomically: false, encoding: .utf8)
            mkdir("\(b.w)/\(dir)/emptydir", 0o755)
        }
        let line = { (d: String) in template.replacingOccurrences(of: "D/", with: "\(b.w)/\(d)/") }
        let r = try b.sh(policy, "\(line("work")); echo work=$?; \(line("outside")); echo outside=$?")
        #expect(r.stdout.hasPrefix("work=0\n"), "\(action) in W/work: \(r.stdout) \(r.stderr)")
        #expect(!r.stdout.contains("outside=0"), "\(action) in W/outside was allowed")
        #expect(r.stderr.contains("Permission denied"), "\(action) outside: \(r.stderr)")
        // The denied one left W/outside as it was.
        #expect(FileManager.default.fileExists(atPath: "\(b.w)/outside/victim"))
        #expect(FileManager.default.fileExists(atPath: "\(b.w)/outside/emptydir"))
        #expect(try String(contentsOfFile: "\(b.w)/outside/victim", encoding: .utf8) == "victim\n")
    }

    /// Landlock has no link right: a hard link is a creation in the new directory. A
    /// policy that permits FileLink is reported approximated for that reason and needs
    /// consent; then links follow the FileCreate rule.
    @Test func hardLinksAreDecidedByTheCreateRule() throws {
        let linking = try b.policyFile(b.exactPolicy(extra: """
            @id("link-work")
            permit (principal, action == Action::"FileLink", resource) when { resource in Dir::"\(b.w)/work/" };
            """), "link.cedar")
        let report = try b.landlockReport(linking)
        #expect(report.rule("link-work")?.status == "approximated")
        #expect(report.rule("link-work")?.reasons.contains { $0.contains("decided by the FileCreate rules") } == true)
        let refused = try b.leash(linking, ["/usr/bin/true"])
        #expect(refused.status == 65 && refused.stderr.contains("@id(\"link-work\")"), "\(refused.stderr)")

        try "v\n".write(toFile: "\(b.w)/work/victim", atomically: false, encoding: .utf8)
        let r = try b.sh(linking, consent: true, "ln '\(b.w)/work/victim' '\(b.w)/work/hard'; echo work=$?; ln '\(b.w)/outside/notes' '\(b.w)/outside/hard'; echo outside=$?")
        #expect(r.stdout == "work=0\noutside=1\n", "\(r.stdout) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(b.w)/outside/hard"))
    }

    /// The other direction: a policy that allows FileCreate but not FileLink cannot be
    /// enforced exactly (Landlock checks a link as a creation), so the report names the
    /// gap, `leash run` refuses, and with consent the link goes through (the exception).
    @Test func aPolicyWithoutFileLinkIsRefusedAsAGap() throws {
        let noLink = try b.policyFile(b.exactPolicy().replacingOccurrences(of: "Action::\"FileLink\", ", with: ""), "nolink.cedar")
        #expect(try b.landlockReport(noLink).gaps.map(\.action).contains("FileLink"))
        let refused = try b.leash(noLink, ["/usr/bin/true"])
        #expect(refused.status == 65 && refused.stderr.contains("FileLink"), "\(refused.stderr)")
        try "v\n".write(toFile: "\(b.w)/work/victim", atomically: false, encoding: .utf8)
        let r = try b.sh(noLink, consent: true, "ln '\(b.w)/work/victim' '\(b.w)/work/hard'; echo link=$?")
        #expect(r.stdout == "link=0\n", "\(r.stdout) \(r.stderr)")
        print("fallback exception (gap, refused without --allow-approximate): FileLink where FileCreate is allowed")
    }

    /// Same shape for renames inside one directory: Landlock asks remove + create there
    /// (refer only when a file changes directory), so FileRename is not consulted.
    @Test func aPolicyWithoutFileRenameIsRefusedAsAGap() throws {
        let noRename = try b.policyFile(b.exactPolicy().replacingOccurrences(of: "Action::\"FileRename\",", with: ""), "norename.cedar")
        #expect(try b.landlockReport(noRename).gaps.map(\.action).contains("FileRename"))
        let refused = try b.leash(noRename, ["/usr/bin/true"])
        #expect(refused.status == 65 && refused.stderr.contains("FileRename"), "\(refused.stderr)")
        try "v\n".write(toFile: "\(b.w)/work/victim", atomically: false, encoding: .utf8)
        let r = try b.sh(noRename, consent: true, "mv '\(b.w)/work/victim' '\(b.w)/work/renamed'; echo rename=$?")
        #expect(r.stdout == "rename=0\n", "\(r.stdout) \(r.stderr)")
        print("fallback exception (gap, refused without --allow-approximate): FileRename inside a directory where FileCreate and FileUnlink are allowed")
    }

    @Test func execIsDecidedForTheProgram() throws {
        #expect(try b.leash(policy, ["/usr/bin/true"]).status == 0)
        let r = try b.sh(policy, "'\(b.w)/forbidden/true'")
        #expect(r.status == 126 && r.stderr.contains("Permission denied"), "\(r)")
        #expect(try run(["\(b.w)/forbidden/true"]).status == 0)
    }

    @Test func tcpConnectIPv4AndIPv6() throws {
        let allowed = try loopbackPair(), denied = try loopbackPair()
        let p = try b.policyFile(b.exactPolicy(netPorts: [allowed.v4.port], tcp6Ports: [allowed.v6.port]), "net.cedar")
        #expect(try b.probe(p, "connect", "127.0.0.1", "\(allowed.v4.port)") == "ok")
        #expect(try b.probe(p, "connect", "127.0.0.1", "\(denied.v4.port)") == "errno=EPERM")
        #expect(try b.probe(p, "connect", "::1", "\(allowed.v6.port)") == "ok")
        #expect(try b.probe(p, "connect", "::1", "\(denied.v6.port)") == "errno=EPERM")
        // The denied listeners do accept connections from outside the sandbox.
        #expect(try b.probeOutside("connect", "127.0.0.1", "\(denied.v4.port)") == "ok")
    }

    @Test func ipv4MappedIPv6IsDecidedAsIPv4() throws {
        let allowed = try LoopbackSocket("127.0.0.1"), denied = try LoopbackSocket("127.0.0.1")
        let p = try b.policyFile(b.exactPolicy(netPorts: [allowed.port]), "net.cedar")
        #expect(try b.probe(p, "connect", "::ffff:127.0.0.1", "\(allowed.port)") == "ok")
        #expect(try b.probe(p, "connect", "::ffff:127.0.0.1", "\(denied.port)") == "errno=EPERM")
    }

    @Test func udpSendtoAndConnect() throws {
        let allowed = try LoopbackSocket("127.0.0.1", udp: true), denied = try LoopbackSocket("127.0.0.1", udp: true)
        let p = try b.policyFile(b.exactPolicy(netPorts: [allowed.port]), "udp.cedar")
        #expect(try b.probe(p, "sendto", "127.0.0.1", "\(allowed.port)") == "ok")
        #expect(try b.probe(p, "sendto", "127.0.0.1", "\(denied.port)") == "errno=EPERM")
        #expect(try b.probe(p, "sendto", "::ffff:127.0.0.1", "\(denied.port)") == "errno=EPERM")
        #expect(try b.probe(p, "udpconnect", "127.0.0.1", "\(denied.port)") == "errno=EPERM")
        // Nothing reached the denied port; the allowed datagram arrived.
        #expect(allowed.pendingDatagrams() == 1)
        #expect(denied.pendingDatagrams() == 0)
    }

    /// A forbid inside a permitted tree is a carve-out, which Landlock can only expand
    /// at start: the permit is reported approximated and the run needs consent. The forbid
    /// wins in either order, and the audit log names it as the deciding rule.
    @Test func forbidBeatsPermitInEitherOrder() throws {
        try "other\n".write(toFile: "\(b.w)/outside/other", atomically: false, encoding: .utf8)
        let permit = #"@id("p") permit (principal, action == Action::"FileOpenReadOnly", resource) when { resource in Dir::"W/outside/" };"#
        let forbid = #"@id("f") forbid (principal, action == Action::"FileOpenReadOnly", resource) when { resource == File::"W/outside/notes" };"#
        let base = b.exactPolicy().replacingOccurrences(of: "Dir::\"\(b.w)/outside/\", ", with: "")
        for (n, order) in [[permit, forbid], [forbid, permit]].enumerated() {
            let text = ([base] + order).joined(separator: "\n").replacingOccurrences(of: "W/", with: "\(b.w)/")
            let p = try b.policyFile(text, "order\(n).cedar")
            let refused = try b.leash(p, ["/usr/bin/true"])
            #expect(refused.status == 65 && refused.stderr.contains("@id(\"p\") approximated"), "\(refused.stderr)")
            let log = "\(b.root.path)/order\(n).jsonl"
            let r = try b.sh(p, consent: true, options: ["--audit-log", log],
                             "'\(b.probe)' read '\(b.notes)'; '\(b.probe)' read '\(b.w)/outside/other'")
            #expect(r.stdout == "errno=EACCES\nok other\n", "order \(n): \(r.stdout) \(r.stderr)")
            let deny = auditRecords(log).first { $0["event"] as? String == "decision" && $0["decision"] as? String == "deny" && $0["path"] as? String == b.notes }
            #expect((deny?["rule"] as? [String: Any])?["id"] as? String == "f", "order \(n): \(String(describing: deny))")
        }
    }

    @Test func networkForbidBeatsPermitInEitherOrder() throws {
        let listener = try LoopbackSocket("127.0.0.1")
        let permit = "@id(\"p\") permit (principal, action == Action::\"NetworkConnect\", resource) when { resource in Host::\"127.0.0.1:\(listener.port)\" };"
        let forbid = "@id(\"f\") forbid (principal, action == Action::\"NetworkConnect\", resource) when { resource in Host::\"127.0.0.1:\(listener.port)\" };"
        for (n, order) in [[permit, forbid], [forbid, permit]].enumerated() {
            let p = try b.policyFile(([b.exactPolicy()] + order).joined(separator: "\n"), "net-order\(n).cedar")
            #expect(try b.probe(p, "connect", "127.0.0.1", "\(listener.port)") == "errno=EPERM", "order \(n)")
        }
        // The permit alone lets the same connect through.
        let alone = try b.policyFile(b.exactPolicy() + "\n" + permit, "net-alone.cedar")
        #expect(try b.probe(alone, "connect", "127.0.0.1", "\(listener.port)") == "ok")
    }

    @Test func processesOutsideTheSandboxAreUnaffected() throws {
        // A sandbox is running while an outsider reads, writes and runs what it may not.
        let marker = "\(b.w)/work/running"
        let leash = try spawnBackground([try leashBinary(), "run", "--backend", "landlock", "--policy", policy, "--dns-upstream", "127.0.0.1:9",
                                         "--", "/bin/sh", "-c", "touch '\(marker)'; sleep 2"])
        defer { var s: Int32 = 0; waitpid(leash, &s, 0) }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: marker) { usleep(50_000) }
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try b.probeOutside("read", b.secret) == "ok top secret")
        #expect(try b.probeOutside("write", "\(b.w)/outside/by-outsider") == "ok")
        #expect(try run(["\(b.w)/forbidden/true"]).status == 0)
    }
}

@Suite("Fallback modes and runtime", .serialized, .enabled(if: fallbackUnavailable == nil, Comment(rawValue: fallbackUnavailable ?? "")))
struct FallbackRuntimeTests {
    let b: FallbackBench
    init() throws { b = try FallbackBench() }

    @Test func auditModeIsRefusedWithTheReason() throws {
        let p = try b.policyFile(b.exactPolicy())
        let r = try b.leash(p, options: ["--mode", "audit"], ["/usr/bin/true"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--mode audit needs the BPF LSM backend: Landlock can only deny"), "\(r.stderr)")
        print("fallback exception: audit mode: refused (Landlock can only deny, it cannot report what it would deny)")
    }

    /// Documented exception: a Landlock domain cannot change once the command runs, so
    /// `leash reload` is refused. leash says so, keeps supervising, and the command keeps
    /// the policy it started with, even when the file now allows more.
    @Test func hotReloadIsRefusedAndThePolicyStays() throws {
        let p = try b.policyFile(b.exactPolicy(), "reload.cedar")
        let log = "\(b.w)/work/reload.jsonl", started = "\(b.w)/work/reload-started", go = "\(b.w)/work/reload-go"
        let out = "\(b.w)/work/reload-out"
        let script = "touch '\(started)'; while [ ! -e '\(go)' ]; do sleep 0.05; done; "
            + "'\(b.probe)' read '\(b.secret)' > '\(out).tmp'; mv '\(out).tmp' '\(out)'; exit 7"
        let leash = try spawnBackground([try leashBinary(), "run", "--backend", "landlock", "--policy", p, "--dns-upstream", "127.0.0.1:9",
                                         "--audit-log", log, "--", "/bin/sh", "-c", script])
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: started) { usleep(50_000) }
        #expect(FileManager.default.fileExists(atPath: started))
        // The new file would let the command read the secret.
        try b.exactPolicy(readable: ["\(b.w)/secret/"]).write(toFile: p, atomically: true, encoding: .utf8)
        let reload = try run([try leashBinary(), "reload", String(leash)])
        #expect(reload.status == 0, "\(reload)")
        func refusal() -> [String: Any]? { auditRecords(log).first { $0["event"] as? String == "reload" } }
        for _ in 0..<200 where refusal() == nil { usleep(50_000) }
        FileManager.default.createFile(atPath: go, contents: nil)
        var status: Int32 = 0
        while waitpid(leash, &status, 0) < 0 && errno == EINTR {}
        #expect((status & 0x7f) == 0 && (status >> 8) & 0xff == 7, "leash survived the reload and exited with the command's status (wait status \(status))")
        #expect((try? String(contentsOfFile: out, encoding: .utf8)) == "errno=EACCES\n", "the policy leash started with still decides")
        let record = try #require(refusal(), "audit log: \(auditRecords(log).map { $0["event"] as? String ?? "?" })")
        #expect(record["status"] as? String == "refused")
        let reason = record["reason"] as? String ?? ""
        #expect(reason.contains("cannot change a running sandbox's file rules"), "\(reason)")
        #expect(auditRecords(log).last?["event"] as? String == "exit")
        print("fallback exception: hot reload: refused (\(reason))")
    }

    /// A context flag is false for the whole run on this backend: the report says so, the
    /// gated file stays denied, and the exit summary says no prompt could allow it.
    @Test func aContextFlagCannotFlipAtRuntime() throws {
        let home = "\(b.w)/work/home"
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        try "PRIVATE KEY\n".write(toFile: home + "/.ssh/id_rsa", atomically: false, encoding: .utf8)
        let p = try b.policyFile(b.exactPolicy(extra: """
            @id("ssh-gated")
            forbid (principal, action == Action::"FileOpenReadOnly", resource)
            when { resource in Dir::"\(home)/.ssh/" } unless { context.approved_ssh_access };
            """), "flag.cedar")
        let report = try b.landlockReport(p)
        #expect(report.rule("ssh-gated")?.notes.contains { $0.contains("context.approved_ssh_access is false for the whole run") } == true,
                "\(String(describing: report.rule("ssh-gated")))")
        let r = try b.leash(p, consent: true, ["/bin/cat", home + "/.ssh/id_rsa"])
        #expect(r.status != 0 && !r.stdout.contains("PRIVATE KEY"), "\(r)")
        #expect(r.stderr.contains("rule \"ssh-gated\" (forbid)"), "\(r.stderr)")
        #expect(r.stderr.contains("the landlock backend fixes context flags at start, so no prompt could allow them during the run"), "\(r.stderr)")
        print("fallback exception: context flag flip: flags are fixed at start (a Landlock ruleset cannot change)")
    }

    /// Two `leash run` sandboxes at the same time with opposite policies: each reads only
    /// its own file and connects only to its own port.
    @Test func twoSandboxesSideBySideDoNotAffectEachOther() throws {
        for d in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(b.w)/\(d)", withIntermediateDirectories: false)
            try "file \(d)\n".write(toFile: "\(b.w)/\(d)/file", atomically: false, encoding: .utf8)
        }
        let portA = try LoopbackSocket("127.0.0.1"), portB = try LoopbackSocket("127.0.0.1")
        let go = "\(b.w)/work/go"
        var leashes: [(name: String, pid: pid_t)] = []
        for (d, port) in [("a", portA.port), ("b", portB.port)] {
            let p = try b.policyFile(b.exactPolicy(readable: ["\(b.w)/\(d)/"], netPorts: [port]), "side-\(d).cedar")
            let probe = "'\(b.probe)'"
            let script = "touch '\(b.w)/work/started-\(d)'; while [ ! -e '\(go)' ]; do sleep 0.05; done; "
                + "{ \(probe) read '\(b.w)/a/file'; \(probe) read '\(b.w)/b/file'; \(probe) connect 127.0.0.1 \(portA.port); "
                + "\(probe) connect 127.0.0.1 \(portB.port); } > '\(b.w)/work/out-\(d).tmp'; mv '\(b.w)/work/out-\(d).tmp' '\(b.w)/work/out-\(d)'"
            leashes.append((d, try spawnBackground([try leashBinary(), "run", "--backend", "landlock", "--policy", p,
                                                    "--dns-upstream", "127.0.0.1:9", "--", "/bin/sh", "-c", script])))
        }
        func exists(_ f: String) -> Bool { FileManager.default.fileExists(atPath: "\(b.w)/work/\(f)") }
        for _ in 0..<400 where !(exists("started-a") && exists("started-b")) { usleep(50_000) }
        #expect(exists("started-a") && exists("started-b"), "both sandboxes run at once")
        FileManager.default.createFile(atPath: go, contents: nil)
        for l in leashes { var s: Int32 = 0; waitpid(l.pid, &s, 0) }
        let a = (try? String(contentsOfFile: "\(b.w)/work/out-a", encoding: .utf8)) ?? "(none)"
        let bOut = (try? String(contentsOfFile: "\(b.w)/work/out-b", encoding: .utf8)) ?? "(none)"
        #expect(a == "ok file a\nerrno=EACCES\nok\nerrno=EPERM\n", "sandbox a: \(a)")
        #expect(bOut == "errno=EACCES\nok file b\nerrno=EPERM\nok\n", "sandbox b: \(bOut)")
    }
}
