// Cedar runtime values. Sets compare as sets (order and duplicates do not matter),
// records compare key by key, and values of different types are never equal.

import CedarSyntax

public enum Value: Hashable, Sendable {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    case set(Set<Value>)
    case record([String: Value])
    case ipaddr(IPAddr)
    case decimal(CedarDecimal)
    case datetime(Datetime)
    case duration(Duration)

    /// Builds a set value from elements in any order, dropping duplicates.
    public static func set(_ elements: [Value]) -> Value { .set(Set(elements)) }

    /// The type's name as Cedar's error messages spell it.
    public var typeName: String {
        switch self {
        case .bool: return "bool"
        case .long: return "long"
        case .string: return "string"
        case .entity: return "entity"
        case .set: return "set"
        case .record: return "record"
        case .ipaddr: return "ipaddr"
        case .decimal: return "decimal"
        case .datetime: return "datetime"
        case .duration: return "duration"
        }
    }
}

extension Value: CustomStringConvertible {
    /// Cedar expression syntax for the value; set elements and record keys are sorted
    /// so that the text is deterministic.
    public var description: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .long(let i): return String(i)
        case .string(let s): return cedarQuoted(s)
        case .entity(let e): return e.description
        case .set(let s): return "[" + s.map(\.description).sorted().joined(separator: ", ") + "]"
        case .record(let r):
            return "{" + r.keys.sorted().map { "\(cedarQuoted($0)): \(r[$0]!)" }.joined(separator: ", ") + "}"
        case .ipaddr(let a): return "ip(\(cedarQuoted(a.description)))"
        case .decimal(let d): return "decimal(\(cedarQuoted(d.description)))"
        case .datetime(let d): return d.cedarExpression
        case .duration(let d): return "duration(\(cedarQuoted(d.description)))"
        }
    }
}

extension Value: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .long(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
