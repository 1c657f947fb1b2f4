// Values of the partial evaluator. After specialising on the principal and the action,
// what is left unknown is the resource (its attributes and ancestors) and the context
// flags; everything else is a concrete Cedar value.
//
// Booleans carry two formulas, T (when the value is true) and E (when evaluating it is an
// error). Cedar's `&&`, `||`, `!` and `if` propagate errors in a fixed left-to-right
// order, and a policy whose condition errors does not apply, so the exact meaning of a
// policy is "T of its condition". Keeping E separate is what makes `!(a || error)`
// come out right instead of treating the error as false.

import CedarSyntax

indirect enum SymbolicValue {
    case bool(t: FormulaID, e: FormulaID)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    case ip(IPNet)
    case set([SymbolicValue])
    case record([String: SymbolicValue])
    /// Evaluating the expression is an error whatever the request (a type error, a missing
    /// attribute, an overflow).
    case error
    case resource
    /// `resource.<name>`: present on every resource of the action's kind.
    case attribute(String, AttributeType)
    case context

    var isConcrete: Bool {
        switch self {
        case .long, .string, .entity, .ip: return true
        case .bool(let t, let e): return e == FormulaStore.falseID && (t == FormulaStore.trueID || t == FormulaStore.falseID)
        case .set(let xs): return xs.allSatisfy(\.isConcrete)
        case .record(let r): return r.values.allSatisfy(\.isConcrete)
        default: return false
        }
    }

    var concreteBool: Bool? {
        if case .bool(let t, let e) = self, e == FormulaStore.falseID {
            if t == FormulaStore.trueID { return true }
            if t == FormulaStore.falseID { return false }
        }
        return nil
    }

    /// Cedar equality between concrete values: never an error, false across types.
    static func concreteEqual(_ a: SymbolicValue, _ b: SymbolicValue) -> Bool {
        switch (a, b) {
        case let (.long(x), .long(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.entity(x), .entity(y)): return x == y
        case let (.ip(x), .ip(y)): return x == y
        case (.bool, .bool): return a.concreteBool == b.concreteBool
        case let (.set(xs), .set(ys)):
            return xs.allSatisfy { x in ys.contains { concreteEqual(x, $0) } }
                && ys.allSatisfy { y in xs.contains { concreteEqual(y, $0) } }
        case let (.record(x), .record(y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { concreteEqual(v, $0) } ?? false }
        default: return false
        }
    }
}
