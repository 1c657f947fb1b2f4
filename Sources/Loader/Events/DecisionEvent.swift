import CLeashShim

/// One decision a BPF program reported (`struct leash_decision_event` in leash_events.h).
public typealias DecisionEvent = leash_decision_event

extension DecisionEvent {
    public var hookName: String {
        switch hook {
        case UInt32(LEASH_HOOK_FILE_OPEN.rawValue): return "file_open"
        case UInt32(LEASH_HOOK_CONNECT4.rawValue): return "connect4"
        case UInt32(LEASH_HOOK_EXEC.rawValue): return "exec"
        default: return "hook \(hook)"
        }
    }
}
