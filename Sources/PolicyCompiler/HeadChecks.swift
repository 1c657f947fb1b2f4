// Checks on a policy's head that need no evaluation: actions leash does not know or
// deliberately leaves out, and Leash-era spellings whose Cedar meaning surprises.

import CedarSyntax

enum HeadChecks {
    static func check(_ p: Policy) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var uids: [EntityUID] = []
        switch p.action {
        case .any, .is: break
        case .eq(let u):
            uids = [u]
            if u.type.basename == "Action", Vocabulary.groups[u.id] != nil {
                out.append(Diagnostic(.warning, "`action == Action::\"\(u.id)\"` matches no request: \(u.id) is an action group, and requests carry one of its member actions",
                                      at: p.actionRange, fixIt: "action in Action::\"\(u.id)\"",
                                      notes: ["help: write `action in Action::\"\(u.id)\"` to match every action of the group"]))
            }
        case .in(let u): uids = [u]
        case .inSet(let us), .isIn(_, let us): uids = us
        }
        for u in uids where u.type.basename == "Action" {
            if let why = Vocabulary.rejectedActions[u.id] {
                out.append(Diagnostic(.error, why, at: p.actionRange))
            } else if !Vocabulary.isKnownAction(u.id) {
                let known = (Vocabulary.actions.map(\.name) + Vocabulary.groups.keys.sorted()).joined(separator: ", ")
                out.append(Diagnostic(.error, "unknown action `Action::\"\(u.id)\"`", at: p.actionRange, notes: ["known actions: " + known]))
            }
        }
        return out
    }
}
