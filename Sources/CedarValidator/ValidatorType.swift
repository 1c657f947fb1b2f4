// The validator's type lattice: Cedar's types plus the singleton booleans `True` and
// `False` (which let `&&`, `||` and `if` short-circuit during checking), `Never`, and
// the entity kinds. Strict validation never forms unions of entity types: two
// different entity types have no least upper bound.

import CedarSyntax

struct AttrType: Hashable {
    var type: VType
    var required: Bool
}

indirect enum VType: Hashable, CustomStringConvertible {
    case never
    case tt, ff, bool
    case long, string
    /// nil element: "any set", used only as an expected type.
    case set(VType?)
    case record([String: AttrType], open: Bool)
    /// An entity of one of these types (a singleton in strict mode).
    case entity(Set<Name>)
    /// Any entity: used only as an expected type.
    case anyEntity
    /// An action entity of this action type (`Action`, `NS::Action`).
    case actionEntity(Name)
    case ext(String)

    static func entity(_ n: Name) -> VType { .entity([n]) }
    static let anyRecord = VType.record([:], open: true)

    init(_ t: SchemaType) {
        switch t {
        case .bool: self = .bool
        case .long: self = .long
        case .string: self = .string
        case .set(let e): self = .set(VType(e))
        case .record(let r): self = VType(r)
        case .entity(let n): self = n.isAction ? .actionEntity(n) : .entity([n])
        case .ext(let n): self = .ext(n)
        }
    }

    init(_ r: SchemaRecord) {
        self = .record(r.attributes.mapValues { AttrType(type: VType($0.type), required: $0.required) }, open: false)
    }

    var isBoolean: Bool { self == .tt || self == .ff || self == .bool }

    var description: String {
        switch self {
        case .never: return "Never"
        case .tt: return "True"
        case .ff: return "False"
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .set(let e): return "Set<\(e.map(\.description) ?? "_")>"
        case .record(let attrs, _):
            return "{" + attrs.keys.sorted().map { "\(cedarIdentOrQuoted($0))\(attrs[$0]!.required ? "" : "?"): \(attrs[$0]!.type)" }.joined(separator: ", ") + "}"
        case .entity(let ns): return ns.count == 1 ? ns.first!.qualified : ns.map(\.qualified).sorted().joined(separator: " | ")
        case .anyEntity: return "an entity"
        case .actionEntity(let n): return n.qualified
        case .ext(let n): return n
        }
    }

    /// `t0 <: t1`. `strict` forbids width subtyping and entity unions.
    static func isSubtype(_ t0: VType, _ t1: VType, strict: Bool) -> Bool {
        switch (t0, t1) {
        case (.never, _): return true
        case (.tt, .bool), (.ff, .bool), (.tt, .tt), (.ff, .ff), (.bool, .bool), (.long, .long), (.string, .string): return true
        case (.set(let e0), .set(let e1)):
            switch (e0, e1) {
            case let (.some(a), .some(b)): return isSubtype(a, b, strict: strict)
            case (.some, .none), (.none, .none): return true
            case (.none, .some): return false
            }
        case let (.record(a0, o0), .record(a1, o1)):
            guard !o0 || o1 else { return false }
            if o1 && !strict && attrsSubtype(a0, a1, strict: strict) { return true }
            return Set(a0.keys) == Set(a1.keys) && attrsSubtype(a0, a1, strict: strict)
        case let (.actionEntity(a), .actionEntity(b)): return a == b
        case let (.entity(a), .entity(b)): return strict ? a == b : a.isSubset(of: b)
        case (.anyEntity, .anyEntity): return true
        case (.entity, .anyEntity), (.actionEntity, .anyEntity): return !strict
        case let (.ext(a), .ext(b)): return a == b
        default: return false
        }
    }

    static func attrsSubtype(_ a0: [String: AttrType], _ a1: [String: AttrType], strict: Bool) -> Bool {
        a1.allSatisfy { k, t1 in
            guard let t0 = a0[k] else { return false }
            let q = strict ? t0.required == t1.required : (t0.required || !t1.required)
            return q && isSubtype(t0.type, t1.type, strict: strict)
        }
    }

    /// The least upper bound in strict mode, nil when there is none.
    static func lub(_ t0: VType, _ t1: VType) -> VType? {
        if isSubtype(t0, t1, strict: true) { return t1 }
        if isSubtype(t1, t0, strict: true) { return t0 }
        switch (t0, t1) {
        case (.tt, .ff), (.ff, .tt): return .bool
        case (.set(nil), .set), (.set, .set(nil)): return .set(nil)
        case let (.set(.some(a)), .set(.some(b))):
            return lub(a, b).map { .set($0) }
        case let (.record(a0, o0), .record(a1, o1)):
            guard Set(a0.keys) == Set(a1.keys) else { return nil }
            var out: [String: AttrType] = [:]
            for (k, x) in a0 {
                let y = a1[k]!
                guard x.required == y.required, let l = lub(x.type, y.type) else { return nil }
                out[k] = AttrType(type: l, required: x.required)
            }
            return .record(out, open: o0 || o1)
        default:
            return nil
        }
    }

    /// Types no value inhabits both of: entity types with no type in common.
    static func areDisjoint(_ t0: VType, _ t1: VType) -> Bool {
        func lubSet(_ t: VType) -> Set<Name>? {
            switch t {
            case .entity(let s): return s
            case .actionEntity(let n): return [n]
            default: return nil
            }
        }
        guard let a = lubSet(t0), let b = lubSet(t1) else { return false }
        return a.isDisjoint(with: b)
    }
}
