#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler
import Telemetry
import Testing

@Suite struct EventInterpreterTests {
    @Test func hookDenyNamesTheRuleAndItsSourceLocation() throws {
        let rule = Fixture.ruleIndex("ssh-keys")
        let inspector = FakeInspector(exe: [100: "/usr/bin/cat"])
        let record = interpreter(inspector: inspector).interpret(
            event(action: "FileOpenReadOnly", path: "/home/u/.ssh/id_rsa", verdict: -EPERM, rule: rule, flags: [.enforce, .deny]))
        #expect(record.decision == .deny)
        #expect(record.errno == EPERM)
        #expect(record.action == "FileOpenReadOnly")
        #expect(record.exe == "/usr/bin/cat")
        #expect(record.comm == "cat")
        #expect(record.observed == false)
        let r = try #require(record.rule)
        #expect(r.id == "ssh-keys")
        #expect(r.effect == "forbid")
        // The fixture's ssh-keys rule starts on line 7 (its @id annotation), column 1.
        #expect(r.location == "fixture.cedar:7:1")
        #expect(record.cause == .policy)
    }

    /// The consumer counts records nobody reads whole by `decision(of:)` alone: it must be
    /// the decision `interpret` gives, for every kind of record.
    @Test func theHeaderAloneGivesTheSameDecisionAsTheWholeInterpretation() {
        let i = interpreter(inspector: FakeInspector(exe: [:]))
        let kinds: [EventFlags] = [[.enforce], [.enforce, .deny], [.deny, .auditWouldDeny], [.observed], [.observed, .enforce]]
        for flags in kinds {
            for verdict in [0, -EACCES, -EPERM, -ENOENT, -EEXIST] as [Int32] {
                let raw = event(action: "FileOpenReadWrite", path: "/tmp/x", verdict: verdict, flags: flags)
                #expect(EventInterpreter.decision(of: raw) == i.interpret(raw).decision, "flags \(flags.rawValue) verdict \(verdict)")
            }
        }
    }

    /// A counted exec still names the program for that process's later (whole) records.
    @Test func aCountedExecStillNamesTheProgramOfLaterRecords() {
        let i = interpreter(inspector: FakeInspector(exe: [:]))
        let exec = event(action: "ProcessExec", path: "/usr/bin/make", flags: [.observed], pid: 500, syscall: 59)
        i.note(exec, decision: EventInterpreter.decision(of: exec))
        let denied = i.interpret(event(action: "FileOpenReadOnly", path: "/etc/shadow", verdict: -EACCES, flags: [.observed], pid: 500, syscall: 257))
        #expect(denied.exe == "/usr/bin/make")
    }

    @Test func aProcessGoneBeforeItsRecordsArriveIsNamedByItsLastExec() {
        let i = interpreter(inspector: FakeInspector(exe: [300: "/usr/bin/dash"]))
        let exec = i.interpret(event(action: "ProcessExec", path: "/usr/bin/cat", flags: [.observed], pid: 200, syscall: 59))
        #expect(exec.exe == "/usr/bin/cat")
        let open = i.interpret(event(action: "FileOpenReadOnly", path: "/etc/hosts", flags: [.observed], pid: 200, syscall: 257))
        #expect(open.exe == "/usr/bin/cat")
        // /proc wins while the process is there; nothing is invented for an unknown one.
        #expect(i.interpret(event(action: "FileOpenReadOnly", path: "/etc/hosts", pid: 300)).exe == "/usr/bin/dash")
        #expect(i.interpret(event(action: "FileOpenReadOnly", path: "/etc/hosts", pid: 400)).exe == nil)
    }

    @Test func afterAReloadRecordsAreNamedFromThePolicyGenerationThatDecided() throws {
        let i = EventInterpreter(policy: Fixture.policy, policyID: 1, backend: "bpf-lsm", mode: "enforce",
                                 inspector: FakeInspector(), bootToWall: 0)
        let reloadedSource = "// reloaded\n\n@id(\"no-etc\")\nforbid (principal, action, resource in Dir::\"/etc/\");\n"
        let reloaded = try #require(PolicySourceCompiler.compile(source: reloadedSource, file: "new.cedar",
                                                                 options: CompileOptions(agent: "claude")).policy)
        i.policyChanged(to: reloaded, id: 2)
        var old = event(action: "FileOpenReadOnly", path: "/home/u/.ssh/k", verdict: -EPERM, rule: Fixture.ruleIndex("ssh-keys"), flags: [.deny])
        old.header.policy_id = 1
        #expect(i.interpret(old).rule?.location == "fixture.cedar:7:1")
        var new = event(action: "FileOpenReadOnly", path: "/etc/shadow", verdict: -EPERM, rule: 0, flags: [.deny])
        new.header.policy_id = 2
        #expect(i.interpret(new).rule?.location == "new.cedar:3:1")
    }

    @Test func aDeniedCreatingOpenOfAMissingFileIsACreation() {
        let i = interpreter(inspector: FakeInspector(files: ["/etc/exists"]))
        var create = event(action: "FileOpenReadWrite", path: "/etc/new", verdict: -EACCES, flags: [.observed, .deny], syscall: 257)
        create.header.op_flags = UInt32(O_WRONLY | O_CREAT)
        #expect(i.interpret(create).action == "FileCreate")
        var existing = create
        existing.path = Array("/etc/exists".utf8)
        #expect(i.interpret(existing).action == "FileOpenReadWrite")
        var plain = create
        plain.header.op_flags = UInt32(O_WRONLY)
        #expect(i.interpret(plain).action == "FileOpenReadWrite")
    }

    @Test func bootTimeBecomesWallTime() {
        let record = interpreter().interpret(event(action: "FileOpenReadOnly", path: "/etc/hosts", timeNS: 2_500_000_000))
        #expect(record.time.timeIntervalSince1970 == 1_000_002.5)
    }

    @Test func auditModeWouldDenyIsAllowedButCounted() {
        let record = interpreter(mode: "audit").interpret(
            event(action: "FileUnlink", path: "/etc/passwd", verdict: 0, flags: [.auditWouldDeny, .deny]))
        #expect(record.decision == .wouldDeny)
        #expect(record.errno == 0)
        #expect(record.decision.isDenial)
        #expect(record.mode == "audit")
    }

    @Test func observedResultsAreClassifiedByErrno() {
        let i = interpreter(backend: "landlock")
        let observed: EventFlags = [.observed, .enforce]
        #expect(i.interpret(event(action: "FileOpenReadOnly", path: "/etc/hosts", flags: observed, syscall: 257)).decision == .allow)
        #expect(i.interpret(event(action: "FileOpenReadOnly", path: "/etc/nope", verdict: -ENOENT, flags: observed, syscall: 257)).decision == .failed)
        let denied = i.interpret(event(action: "FileOpenReadOnly", path: "/home/u/.ssh/id_rsa", verdict: -EACCES,
                                       flags: observed.union(.deny), syscall: 257))
        #expect(denied.decision == .deny)
        #expect(denied.syscall == "openat")
        #expect(denied.observed)
        // Recomputed by the simulator: the rule that WOULD decide.
        #expect(denied.rule?.id == "ssh-keys")
        #expect(denied.policyAllows == false)
        #expect(denied.cause == .policy)
        #expect(denied.backend == "landlock")
    }

    @Test func anObservedDenialThePolicyAllowsIsBlamedOnTheKernel() {
        let record = interpreter(backend: "landlock").interpret(
            event(action: "FileOpenReadWrite", path: "/work/notes.txt", verdict: -EACCES, flags: [.observed, .deny], syscall: 257))
        #expect(record.decision == .deny)
        #expect(record.policyAllows == true)
        #expect(record.rule?.id == "write-project")
        #expect(record.cause == .kernel)
    }

    @Test func relativePathsResolveAgainstCwdOrTheDirectoryDescriptor() {
        let inspector = FakeInspector(cwd: [100: "/home/u"], fds: [100: [7: "/work/sub"]])
        let i = interpreter(inspector: inspector)
        let viaCwd = i.interpret(event(action: "FileOpenReadOnly", path: ".ssh/../.ssh/id_rsa", verdict: -EACCES,
                                       flags: [.observed, .deny], syscall: 257))
        #expect(viaCwd.path == "/home/u/.ssh/id_rsa")
        #expect(viaCwd.pathResolution == "cwd")
        #expect(viaCwd.rule?.id == "ssh-keys")
        let viaFD = i.interpret(event(action: "FileUnlink", path: "./f", flags: [.observed], syscall: 263, dirfd: 7))
        #expect(viaFD.path == "/work/sub/f")
        #expect(viaFD.pathResolution == "dirfd")
        let gone = i.interpret(event(action: "FileUnlink", path: "f", flags: [.observed], pid: 999, syscall: 263, dirfd: 7))
        #expect(gone.path == "f")
        #expect(gone.pathResolution == "unresolved")
    }

    @Test func renameIsDeniedWhenEitherEndIs() {
        let record = interpreter().interpret(event(action: "FileRename", path: "/work/a", path2: "/home/u/.ssh/a",
                                                   verdict: -EACCES, flags: [.observed, .deny], syscall: 82))
        #expect(record.path2 == "/home/u/.ssh/a")
        #expect(record.policyAllows == false)
        #expect(record.rule?.id == "ssh-keys")
    }

    @Test func networkRecordsCarryAddressPortAndRule() {
        var raw = event(action: "NetworkConnect", verdict: -EPERM, rule: -1, flags: [.enforce, .deny])
        raw.header.family = UInt16(AF_INET6)
        raw.header.port = 443
        // ::ffff:10.1.2.3, IPv4-mapped: named and decided as the IPv4 address.
        withUnsafeMutableBytes(of: &raw.header.addr) { b in
            b[10] = 0xff; b[11] = 0xff; b[12] = 10; b[13] = 1; b[14] = 2; b[15] = 3
        }
        let record = interpreter().interpret(raw)
        #expect(record.address == "10.1.2.3")
        #expect(record.port == 443)
        #expect(record.object == "10.1.2.3:443")
        #expect(record.rule == nil)

        var loop = event(action: "NetworkConnect", flags: [.observed], syscall: 42)
        loop.header.family = UInt16(AF_INET)
        loop.header.port = 8080
        withUnsafeMutableBytes(of: &loop.header.addr) { b in b[0] = 127; b[3] = 1 }
        let allowed = interpreter().interpret(loop)
        #expect(allowed.decision == .allow)
        #expect(allowed.rule?.id == "loopback")
    }

    @Test func domainEventsNameTheDomain() {
        var raw = event(action: "NetworkConnect", path: "registry.npmjs.org", rule: -1, flags: [.enforce, .domain])
        raw.header.family = UInt16(AF_INET)
        raw.header.port = 443
        withUnsafeMutableBytes(of: &raw.header.addr) { b in b[0] = 104; b[1] = 16; b[2] = 1; b[3] = 35 }
        let record = interpreter().interpret(raw)
        #expect(record.domain == "registry.npmjs.org")
        #expect(record.address == "104.16.1.35")
        #expect(record.path == nil)
    }

    @Test func unknownRuleIndexesAndTruncationAreReportedNotInvented() {
        let record = interpreter().interpret(event(action: "FileOpenReadOnly", path: "/x", verdict: -EPERM, rule: 9999,
                                                   flags: [.enforce, .deny, .pathTruncated]))
        #expect(record.rule == nil)
        #expect(record.pathTruncated)
        #expect(record.jsonFields["pathTruncated"] as? Bool == true)
    }
}
