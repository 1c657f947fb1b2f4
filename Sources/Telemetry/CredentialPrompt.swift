// When the sandbox is denied a known credential store and leash runs on a terminal, leash
// asks whether to allow it for the rest of the session; a yes turns on the store's context
// flag. Without a terminal (CI) it never asks. The landlock backend fixes its rules when
// the command starts, so there a yes could change nothing: leash says so instead of asking.

import PolicyCompiler

/// Where the question goes. `isInteractive` is true when leash's stdin and stderr are
/// terminals.
public protocol PromptTerminal: AnyObject {
    var isInteractive: Bool { get }
    /// Shows `question` and returns true for an answer starting with y or Y.
    func ask(_ question: String) -> Bool
    func tell(_ line: String)
}

/// Turns a context flag on for a running sandbox (BPF LSM: KernelPolicyStore.setFlags).
public protocol ContextFlagSwitch: AnyObject {
    /// False when flags are fixed at start (the landlock backend).
    var canFlipAtRuntime: Bool { get }
    func turnOn(_ flag: String) throws
}

/// What to do about one denial.
public enum PromptAction: Equatable, Sendable {
    case none
    case ask(store: String, flag: String, question: String)
    /// The backend cannot change its rules now: say so once, without a question.
    case explain(store: String, text: String)
}

public struct CredentialPromptPolicy: Sendable {
    public var agent: String
    public var home: String?
    /// The policy's context flags: a store whose flag the policy does not mention cannot
    /// be approved by a yes.
    public var policyFlags: Set<String>

    public init(agent: String, home: String?, policyFlags: Set<String>) {
        self.agent = agent; self.home = home; self.policyFlags = policyFlags
    }

    /// `settled`: stores already asked or explained this session (each is raised once).
    /// `approvalWouldAllow` answers whether the record's operation would be allowed with
    /// the store's flag on (the simulator); nil when that cannot be computed.
    public func action(for record: DecisionRecord, interactive: Bool, canFlip: Bool, settled: Set<String>,
                       approvalWouldAllow: (DecisionRecord, String) -> Bool?) -> PromptAction {
        guard interactive, record.decision == .deny, let path = record.path,
              let store = CredentialStores.store(for: path), !settled.contains(store.name),
              policyFlags.contains(store.flag) else { return .none }
        // Only when the flag is what stands in the way: a yes must make the access succeed.
        guard approvalWouldAllow(record, store.flag) ?? true else { return .none }
        let shown = CredentialStores.display(path, home: home)
        let verb = Self.verb(record.action)
        if canFlip {
            return .ask(store: store.name, flag: store.flag,
                        question: "\(agent) tried to \(verb) \(shown) (\(store.description)). Allow for this session? [y/N] ")
        }
        return .explain(store: store.name, text:
            "\(agent) tried to \(verb) \(shown) (\(store.description)): denied. The \(record.backend) backend fixes its rules when the command starts, so this cannot be allowed during this run; the summary lists it.")
    }

    static func verb(_ action: String) -> String {
        switch action {
        case "FileOpenReadOnly": return "read"
        case "ProcessExec", "ProcessMmapExec": return "execute"
        case "UnixConnect": return "connect to"
        default: return action.hasPrefix("File") ? "write" : "use"
        }
    }
}

/// Runs the policy against arriving denials: asks, flips, and remembers the answers for
/// the summary. Not thread-safe: call from one thread (the prompt queue).
public final class CredentialPrompter {
    public let policy: CredentialPromptPolicy
    let terminal: PromptTerminal
    let flags: ContextFlagSwitch
    let approvalWouldAllow: (DecisionRecord, String) -> Bool?
    public private(set) var settled: Set<String> = []
    /// Summary lines: what was asked and answered, or explained.
    public private(set) var notes: [String] = []
    /// Flags turned on by a yes.
    public private(set) var approved: [String] = []
    /// Called after a yes turned a flag on.
    public var onApproval: ((String) -> Void)?

    public init(policy: CredentialPromptPolicy, terminal: PromptTerminal, flags: ContextFlagSwitch,
                approvalWouldAllow: @escaping (DecisionRecord, String) -> Bool?) {
        self.policy = policy
        self.terminal = terminal
        self.flags = flags
        self.approvalWouldAllow = approvalWouldAllow
    }

    public func handle(_ record: DecisionRecord) {
        let action = policy.action(for: record, interactive: terminal.isInteractive, canFlip: flags.canFlipAtRuntime,
                                   settled: settled, approvalWouldAllow: approvalWouldAllow)
        switch action {
        case .none:
            return
        case .explain(let store, let text):
            settled.insert(store)
            terminal.tell("leash: " + text)
            notes.append("credential store \(store): \(text)")
        case .ask(let store, let flag, let question):
            settled.insert(store)
            if terminal.ask("leash: " + question) {
                do {
                    try flags.turnOn(flag)
                    approved.append(flag)
                    onApproval?(flag)
                    notes.append("credential store \(store): approved for this session (context flag \(flag) on)")
                } catch {
                    notes.append("credential store \(store): approved, but turning on \(flag) failed: \(error)")
                    terminal.tell("leash: could not turn on \(flag): \(error)")
                }
            } else {
                notes.append("credential store \(store): denied at the prompt")
            }
        }
    }
}
