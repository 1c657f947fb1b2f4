// Everything `leash run` needs from telemetry, behind one type so that the command itself
// calls it from one place: start before the command, `beforeSpawn` right before the fork,
// `finish` after the command exited (summary on stderr, last records in the audit log).
// The audit log and the summary look the same whichever backend enforced; records name it.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler

public final class RunTelemetry {
    public struct Configuration {
        public var backend: String
        public var mode: String
        public var policyName: String
        public var agent: String
        public var home: String?
        public var policy: CompiledPolicy
        /// Context flags on at start.
        public var flags: Set<String>
        /// The kernel's id of the policy (BPF LSM), so records name rules from the right
        /// generation after a hot reload (`policyChanged`).
        public var policyID: UInt32?
        /// Writes one audit log line: (event, fields). nil without --audit-log.
        public var audit: ((String, [String: Any]) -> Void)?
        public var terminal: PromptTerminal
        public var flagSwitch: ContextFlagSwitch

        public init(backend: String, mode: String, policyName: String, agent: String, home: String?, policy: CompiledPolicy,
                    flags: Set<String> = [], audit: ((String, [String: Any]) -> Void)?,
                    terminal: PromptTerminal = TerminalPrompt(), flagSwitch: ContextFlagSwitch = FixedContextFlags(),
                    policyID: UInt32? = nil) {
            self.policyID = policyID
            self.backend = backend; self.mode = mode; self.policyName = policyName; self.agent = agent; self.home = home
            self.policy = policy; self.flags = flags; self.audit = audit; self.terminal = terminal; self.flagSwitch = flagSwitch
        }
    }

    public static let sandboxID: UInt32 = 1

    let configuration: Configuration
    public let maps: TelemetryMaps?
    public let tracepoints: TracepointTelemetry?
    let consumer: TelemetryConsumer?
    let prompter: CredentialPrompter
    let interpreter: EventInterpreter?
    let promptQueue = DispatchQueue(label: "leash-credential-prompt")
    /// Why there is no per-operation telemetry (not root, the kernel refused, ...), or nil.
    public let unavailable: String?

    /// For the fallback backend: loads the tracepoint programs. Never fails the run: when
    /// they cannot load, the summary and the audit log say why there are no records.
    public static func fallback(_ configuration: Configuration, traceNetwork: Bool = true) -> RunTelemetry {
        do {
            let maps = try TelemetryMaps()
            let tracepoints = try TracepointTelemetry(maps: maps, traceNetwork: traceNetwork)
            return try RunTelemetry(configuration, maps: maps, tracepoints: tracepoints)
        } catch {
            return RunTelemetry(configuration, unavailable: "the tracepoint telemetry could not start: \(error)")
        }
    }

    /// For a backend whose programs report through `maps` themselves (BPF LSM, cgroup programs).
    public init(_ configuration: Configuration, maps: TelemetryMaps, tracepoints: TracepointTelemetry?) throws {
        self.configuration = configuration
        self.maps = maps
        self.tracepoints = tracepoints
        self.unavailable = nil
        let interpreter = EventInterpreter(policy: configuration.policy, policyID: configuration.policyID,
                                           backend: configuration.backend, mode: configuration.mode, flags: configuration.flags)
        self.interpreter = interpreter
        let prompter = Self.makePrompter(configuration, interpreter: interpreter)
        self.prompter = prompter
        let audit = configuration.audit
        let queue = promptQueue
        consumer = try TelemetryConsumer(ringFD: maps.eventsFD, interpreter: interpreter, everyRecord: audit != nil) { record in
            audit?("decision", record.jsonFields)
            if record.decision == .deny && record.path != nil {
                queue.async { prompter.handle(record) }
            }
        }
        consumer?.start()
    }

    init(_ configuration: Configuration, unavailable: String) {
        self.configuration = configuration
        self.maps = nil
        self.tracepoints = nil
        self.consumer = nil
        self.unavailable = unavailable
        self.interpreter = nil
        self.prompter = Self.makePrompter(configuration, interpreter: nil)
        configuration.audit?("telemetry", ["available": false, "reason": unavailable, "backend": configuration.backend])
    }

    static func makePrompter(_ c: Configuration, interpreter: EventInterpreter?) -> CredentialPrompter {
        let policy = CredentialPromptPolicy(agent: c.agent, home: c.home, policyFlags: Set(c.policy.flags))
        let prompter = CredentialPrompter(policy: policy, terminal: c.terminal, flags: c.flagSwitch) { record, flag in
            interpreter?.wouldAllow(record, withFlag: flag)
        }
        prompter.onApproval = { flag in interpreter?.flags.insert(flag) }
        return prompter
    }

    /// What the prompts settled, taken on the prompt queue. A question still waiting for an
    /// answer when the command has exited does not hold leash up: it is reported as such.
    private func promptNotes() -> [String] {
        final class Box: @unchecked Sendable {
            let lock = NSLock()
            var notes: [String]?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let prompter = self.prompter
        promptQueue.async {
            let notes = prompter.notes
            box.lock.lock(); box.notes = notes; box.lock.unlock()
            done.signal()
        }
        if done.wait(timeout: .now() + .milliseconds(500)) == .timedOut {
            return ["a credential prompt was still unanswered when the command exited"]
        }
        box.lock.lock(); defer { box.lock.unlock() }
        return box.notes ?? []
    }

    /// The sandbox switched to `policy` (hot reload): later records are named from it.
    public func policyChanged(to policy: CompiledPolicy, id: UInt32?) {
        interpreter?.policyChanged(to: policy, id: id)
    }

    /// Right before leash forks the command: the tracepoints enrol that child.
    public func beforeSpawn() {
        guard let tracepoints else { return }
        do { try tracepoints.watchNextChild(of: getpid(), sandbox: Self.sandboxID) }
        catch { enrolFailure = "the command could not be enrolled in the tracepoint telemetry: \(error)" }
    }
    private var enrolFailure: String?

    /// After the command exited: reads the rest of the ring buffer and the counters, writes
    /// the summary records, and returns the summary text for stderr.
    public func finish() -> String {
        var loss: LossReport?
        var failure: String?
        if let consumer, let maps {
            do { try consumer.stop() } catch { failure = "reading the ring buffer failed: \(error)" }
            tracepoints?.stop()
            var report = LossReport()
            if let counts = try? maps.counts() {
                report.sent = counts.sent
                report.lost = counts.lost
                report.lostDenies = counts.lost_denies
                report.deduplicated = counts.deduplicated
            }
            report.received = consumer.received
            report.malformed = consumer.malformed
            report.missedRuns = tracepoints?.recursionMisses ?? 0
            loss = report
            configuration.audit?("telemetry", ["available": true, "backend": configuration.backend].merging(report.jsonFields) { a, _ in a })
        }
        var summary = consumer?.summary ?? DecisionSummary()
        summary.notes = promptNotes()
        if let failure { summary.notes.append(failure) }
        if let enrolFailure { summary.notes.append(enrolFailure) }
        if configuration.flagSwitch.canFlipAtRuntime == false,
           summary.topDenials(Int.max).contains(where: { $0.0.object.isEmpty == false && CredentialStores.store(for: $0.0.object) != nil }),
           summary.notes.isEmpty {
            summary.notes.append("credential stores were denied; the \(configuration.backend) backend fixes context flags at start, so no prompt could allow them during the run")
        }
        configuration.audit?("summary", [
            "backend": configuration.backend, "total": summary.total,
            "allow": summary.count(.allow), "deny": summary.count(.deny), "wouldDeny": summary.count(.wouldDeny), "failed": summary.count(.failed),
            "topDenials": summary.topDenials().map { key, n -> [String: Any] in
                ["count": n, "action": key.action, "object": key.object, "rule": key.rule?.id ?? NSNull(), "location": key.rule?.location ?? NSNull()]
            },
        ])
        return summary.render(backend: configuration.backend, policy: configuration.policyName, mode: configuration.mode,
                              loss: loss, unavailable: unavailable)
    }
}
