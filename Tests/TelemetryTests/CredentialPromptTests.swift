#if canImport(Glibc)
import Glibc
#endif
import Telemetry
import Testing

@Suite struct CredentialStoreTests {
    @Test(arguments: [
        ("/home/u/.ssh/id_rsa", "ssh"), ("/root/.aws/credentials", "aws"), ("/home/u/.config/gcloud/adc.json", "gcloud"),
        ("/home/u/.azure/msal.json", "azure"), ("/home/u/.kube/config", "kube"), ("/home/u/.docker/config.json", "docker"),
        ("/home/u/.netrc", "netrc"), ("/home/u/.npmrc", "packages"), ("/home/u/.pypirc", "packages"),
        ("/home/u/.git-credentials", "git"), ("/home/u/.config/gh/hosts.yml", "git"), ("/home/u/.gnupg/private-keys-v1.d/x", "gpg"),
    ])
    func knownStoresMatch(path: String, store: String) {
        #expect(CredentialStores.store(for: path)?.name == store)
    }

    @Test(arguments: ["/home/u/project/ssh/notes", "/home/u/.docker/other.json", "/home/u/.sshrc", "/etc/hosts", "/home/u/.npmrc.bak"])
    func otherPathsDoNot(path: String) {
        #expect(CredentialStores.store(for: path) == nil)
    }

    @Test func displayUsesTilde() {
        #expect(CredentialStores.display("/home/u/.ssh/id_rsa", home: "/home/u") == "~/.ssh/id_rsa")
        #expect(CredentialStores.display("/home/uv/.ssh/id_rsa", home: "/home/u") == "/home/uv/.ssh/id_rsa")
        #expect(CredentialStores.display("/x", home: nil) == "/x")
    }

    @Test func everyStoreFlagIsOneTheDefaultPolicyUses() throws {
        let text = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/TelemetryTests/CredentialPromptTests.swift", with: "policies/default.cedar"), encoding: .utf8)
        for store in CredentialStores.all {
            #expect(text.contains("context.\(store.flag)"), "\(store.flag) is not a flag of policies/default.cedar")
        }
    }
}

final class FakeTerminal: PromptTerminal {
    var isInteractive: Bool
    var answers: [Bool]
    var asked: [String] = []
    var told: [String] = []
    init(interactive: Bool, answers: [Bool] = []) { isInteractive = interactive; self.answers = answers }
    func ask(_ question: String) -> Bool { asked.append(question); return answers.isEmpty ? false : answers.removeFirst() }
    func tell(_ line: String) { told.append(line) }
}

final class FakeFlags: ContextFlagSwitch {
    var canFlipAtRuntime: Bool
    var on: [String] = []
    init(canFlip: Bool) { canFlipAtRuntime = canFlip }
    func turnOn(_ flag: String) throws { on.append(flag) }
}

@Suite struct CredentialPromptTests {
    static let policy = CredentialPromptPolicy(agent: "claude", home: "/home/u", policyFlags: Set(Fixture.policy.flags))

    static func sshDenial(backend: String = "bpf-lsm") -> DecisionRecord {
        interpreter(backend: backend).interpret(event(action: "FileOpenReadOnly", path: "/home/u/.ssh/id_rsa", verdict: -EPERM,
                                                      rule: Fixture.ruleIndex("ssh-keys"), flags: [.enforce, .deny]))
    }

    func prompter(_ terminal: FakeTerminal, _ flags: FakeFlags, wouldAllow: Bool? = true) -> CredentialPrompter {
        CredentialPrompter(policy: Self.policy, terminal: terminal, flags: flags) { _, _ in wouldAllow }
    }

    @Test func asksOnATerminalAndAYesTurnsTheFlagOn() {
        let terminal = FakeTerminal(interactive: true, answers: [true])
        let flags = FakeFlags(canFlip: true)
        let p = prompter(terminal, flags)
        p.handle(Self.sshDenial())
        #expect(terminal.asked == ["leash: claude tried to read ~/.ssh/id_rsa (SSH keys). Allow for this session? [y/N] "])
        #expect(flags.on == ["approved_ssh_access"])
        #expect(p.approved == ["approved_ssh_access"])
        // The same store is never asked about twice.
        p.handle(Self.sshDenial())
        #expect(terminal.asked.count == 1)
    }

    @Test func aNoLeavesTheFlagOffAndIsInTheSummaryNotes() {
        let terminal = FakeTerminal(interactive: true, answers: [false])
        let flags = FakeFlags(canFlip: true)
        let p = prompter(terminal, flags)
        p.handle(Self.sshDenial())
        #expect(flags.on.isEmpty)
        #expect(p.notes == ["credential store ssh: denied at the prompt"])
    }

    @Test func withoutATerminalNothingIsAsked() {
        let terminal = FakeTerminal(interactive: false, answers: [true])
        let flags = FakeFlags(canFlip: true)
        prompter(terminal, flags).handle(Self.sshDenial())
        #expect(terminal.asked.isEmpty && terminal.told.isEmpty && flags.on.isEmpty)
    }

    @Test func theLandlockBackendExplainsInsteadOfAsking() {
        let terminal = FakeTerminal(interactive: true, answers: [true])
        let flags = FakeFlags(canFlip: false)
        let p = prompter(terminal, flags)
        p.handle(Self.sshDenial(backend: "landlock"))
        #expect(terminal.asked.isEmpty)
        #expect(flags.on.isEmpty)
        #expect(terminal.told.count == 1)
        #expect(terminal.told[0].contains("claude tried to read ~/.ssh/id_rsa (SSH keys): denied. The landlock backend fixes its rules when the command starts"))
        #expect(p.notes.count == 1)
    }

    @Test func onlyDenialsOfKnownStoresWhoseFlagWouldHelpPrompt() {
        let terminal = FakeTerminal(interactive: true, answers: [true, true, true])
        let flags = FakeFlags(canFlip: true)
        let i = interpreter()
        // An allow, a denial of an ordinary file, a would-deny in audit mode: no prompt.
        prompter(terminal, flags).handle(i.interpret(event(action: "FileOpenReadOnly", path: "/home/u/.ssh/known_hosts")))
        prompter(terminal, flags).handle(i.interpret(event(action: "FileOpenReadWrite", path: "/etc/hosts", verdict: -EPERM, flags: [.deny])))
        prompter(terminal, flags).handle(i.interpret(event(action: "FileOpenReadOnly", path: "/home/u/.ssh/id_rsa", flags: [.auditWouldDeny, .deny])))
        // A store whose flag the policy never mentions (the fixture has no aws rule): a yes could not help.
        prompter(terminal, flags).handle(i.interpret(event(action: "FileOpenReadOnly", path: "/home/u/.aws/credentials", verdict: -EPERM, flags: [.deny])))
        // The flag is in the policy but another rule would still deny.
        prompter(terminal, flags, wouldAllow: false).handle(Self.sshDenial())
        #expect(terminal.asked.isEmpty)
        #expect(flags.on.isEmpty)
    }

    @Test func theSimulatorKnowsTheFlagLiftsTheSSHRule() {
        let i = interpreter()
        let denial = Self.sshDenial()
        #expect(i.wouldAllow(denial, withFlag: "approved_ssh_access") == true)
        #expect(i.wouldAllow(denial, withFlag: "approved_something_else") == false)
    }

    @Test func writesAreAskedAboutAsWrites() {
        let record = interpreter().interpret(event(action: "FileOpenReadWrite", path: "/home/u/.ssh/authorized_keys", verdict: -EPERM, flags: [.deny]))
        let action = Self.policy.action(for: record, interactive: true, canFlip: true, settled: []) { _, _ in true }
        #expect(action == .ask(store: "ssh", flag: "approved_ssh_access",
                               question: "claude tried to write ~/.ssh/authorized_keys (SSH keys). Allow for this session? [y/N] "))
    }
}
