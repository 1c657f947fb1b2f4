// The credential prompt wired to real records: a Landlock-denied read of ~/.ssh/id_rsa by
// a sandboxed process reaches the prompt through the ring buffer and the consumer thread,
// and a yes turns the store's flag on (through a test double of the flag switch: the
// landlock backend cannot flip flags, BPF LSM's switch is tested with its own backend).

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Loader
import PolicyCompiler
import Telemetry
import Testing

private final class AnsweringTerminal: PromptTerminal {
    let isInteractive: Bool
    let answer: Bool
    private let lock = NSLock()
    private var questions: [String] = []
    init(interactive: Bool, answer: Bool) { isInteractive = interactive; self.answer = answer }
    func ask(_ question: String) -> Bool { lock.lock(); questions.append(question); lock.unlock(); return answer }
    func tell(_ line: String) {}
    var asked: [String] { lock.lock(); defer { lock.unlock() }; return questions }
}

private final class RecordingFlags: ContextFlagSwitch {
    let canFlipAtRuntime = true
    private(set) var on: [String] = []
    func turnOn(_ flag: String) throws { on.append(flag) }
}

@Suite(.serialized, .enabled(if: Environment.isRoot && leash_landlock_abi_version() >= 1,
                             "needs root (tracepoint programs) and Landlock"))
struct TelemetryPromptTests {
    func runDeniedKeyRead(interactive: Bool) throws -> (asked: [String], flags: [String], summary: String, home: String) {
        let scratch = try ScratchDirectory("telemetry-prompt")
        let home = scratch.path + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        let key = try scratch.write("home/.ssh/id_rsa", "not a real key\n")
        let source = """
            @id("read-system")
            permit (principal, action == Action::"FileOpenReadOnly", resource);

            @id("ssh-keys")
            forbid (principal, action in Action::"FileAccess", resource)
            when { resource.path like "*/.ssh/*" }
            unless { context.approved_ssh_access };
            """
        let policy = try #require(PolicySourceCompiler.compile(source: source, file: "prompt.cedar",
                                                               options: CompileOptions(agent: "claude")).policy)
        let maps = try TelemetryMaps()
        let tracepoints = try TracepointTelemetry(maps: maps)
        let cgroup = try Cgroup(parent: try CgroupV2.locate().path, name: uniqueCgroupName("prompt"))
        try tracepoints.watch(cgroupID: cgroup.id, sandbox: RunTelemetry.sandboxID)
        let terminal = AnsweringTerminal(interactive: interactive, answer: true)
        let flags = RecordingFlags()
        let telemetry = try RunTelemetry(.init(backend: "landlock", mode: "enforce", policyName: "prompt.cedar", agent: "claude",
                                               home: home, policy: policy, audit: nil, terminal: terminal, flagSwitch: flags),
                                         maps: maps, tracepoints: tracepoints)
        let child = try runLandlocked("echo $$ > '\(cgroup.procsFile)' && exec cat '\(key)'")
        #expect(child.status == 1)
        let summary = telemetry.finish()
        return (terminal.asked, flags.on, summary, home)
    }

    @Test func aDenialOnATerminalIsAskedAboutAndAYesTurnsTheFlagOn() throws {
        let result = try runDeniedKeyRead(interactive: true)
        #expect(result.asked == ["leash: claude tried to read ~/.ssh/id_rsa (SSH keys). Allow for this session? [y/N] "])
        #expect(result.flags == ["approved_ssh_access"])
        #expect(result.summary.contains("credential store ssh: approved for this session (context flag approved_ssh_access on)"))
        #expect(result.summary.contains("1x FileOpenReadOnly \(result.home)/.ssh/id_rsa: rule \"ssh-keys\" (forbid) at prompt.cedar:4:1"))
    }

    @Test func withoutATerminalTheDenialIsOnlyInTheSummary() throws {
        let result = try runDeniedKeyRead(interactive: false)
        #expect(result.asked.isEmpty)
        #expect(result.flags.isEmpty)
        #expect(result.summary.contains("1x FileOpenReadOnly \(result.home)/.ssh/id_rsa: rule \"ssh-keys\""))
    }
}
