// Why evaluating an expression failed. A policy whose condition fails this way does
// not apply, and the authorizer lists it among the response's errors.

import CedarSyntax

public enum EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An operand had the wrong type: `expected` lists acceptable type names.
    case typeMismatch(expected: [String], got: String)
    /// An attribute or tag of an entity that is not in the entity store was read.
    case entityNotFound(EntityUID)
    /// `r.a` where the record or entity has no attribute `a`.
    case missingAttribute(String, on: String)
    /// `e.getTag(k)` where the entity has no tag `k`.
    case missingTag(String, on: EntityUID)
    /// Checked 64-bit arithmetic overflowed.
    case overflow(String)
    /// An extension constructor rejected its argument, or a method overflowed.
    case extensionFailure(function: String, message: String)
    case unknownFunction(String)
    case wrongArity(function: String, expected: Int, got: Int)
    /// A template slot without a value: the template was evaluated without a link.
    case unlinkedSlot(SlotID)
    /// A request variable the evaluator was not given (partial evaluation).
    case unknownVariable(Variable)

    public var description: String {
        switch self {
        case let .typeMismatch(expected, got):
            let e = expected.count == 1 ? expected[0] : "one of [\(expected.joined(separator: ", "))]"
            return "type error: expected \(e), got \(got)"
        case .entityNotFound(let u): return "entity \(u) does not exist"
        case let .missingAttribute(a, on): return "\(on) does not have the attribute \(cedarQuoted(a))"
        case let .missingTag(t, on): return "\(on) does not have the tag \(cedarQuoted(t))"
        case .overflow(let m): return "integer overflow: \(m)"
        case let .extensionFailure(f, m): return "error in extension function `\(f)`: \(m)"
        case .unknownFunction(let f): return "extension function `\(f)` does not exist"
        case let .wrongArity(f, e, g): return "`\(f)` takes \(e) argument\(e == 1 ? "" : "s"), got \(g)"
        case .unlinkedSlot(let s): return "template slot \(s.rawValue) has no value"
        case .unknownVariable(let v): return "the value of `\(v.rawValue)` is not known"
        }
    }
}
