// The resolved schema: every name fully qualified, common types inlined, and the
// `memberOf` relations inverted and transitively closed. Both schema syntaxes (the
// human-readable `.cedarschema` form and the JSON form) produce this one shape.

import CedarSyntax

/// A type as a schema declares it (attributes, context, tags, common types).
public indirect enum SchemaType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case long
    case string
    case set(SchemaType)
    case record(SchemaRecord)
    case entity(Name)
    /// `ipaddr`, `decimal`, `datetime`, `duration`.
    case ext(String)

    public var description: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .set(let e): return "Set<\(e)>"
        case .record(let r): return r.description
        case .entity(let n): return n.qualified
        case .ext(let n): return n
        }
    }
}

public struct SchemaAttribute: Hashable, Sendable {
    public var type: SchemaType
    public var required: Bool
    public init(type: SchemaType, required: Bool = true) { self.type = type; self.required = required }
}

/// A closed record type: attribute names with their types.
public struct SchemaRecord: Hashable, Sendable, CustomStringConvertible {
    public var attributes: [String: SchemaAttribute]
    public init(_ attributes: [String: SchemaAttribute] = [:]) { self.attributes = attributes }
    public var description: String {
        "{" + attributes.keys.sorted().map { k in
            let a = attributes[k]!
            return "\(cedarIdentOrQuoted(k))\(a.required ? "" : "?"): \(a.type)"
        }.joined(separator: ", ") + "}"
    }
}

func cedarIdentOrQuoted(_ s: String) -> String {
    guard let f = s.unicodeScalars.first, f == "_" || (f.isASCII && f.properties.isAlphabetic),
          s.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
    else { return cedarQuoted(s) }
    return s
}

public struct EntityTypeDefinition: Hashable, Sendable {
    public var name: Name
    /// Parent types as declared (`in [Group]`).
    public var memberOf: [Name]
    public var attributes: SchemaRecord
    /// The type of every tag, or nil when the entity type has no tags.
    public var tags: SchemaType?
    /// For `entity Color enum ["red", "blue"]`: the only ids entities of this type may have.
    public var enumChoices: [String]?
    public var range: SourceRange
}

public struct ActionDefinition: Hashable, Sendable {
    public var uid: EntityUID
    public var memberOf: [EntityUID]
    /// nil when the action has no `appliesTo`: it applies to no request at all.
    public var appliesTo: AppliesTo?
    public var range: SourceRange

    public struct AppliesTo: Hashable, Sendable {
        public var principals: [Name]
        public var resources: [Name]
        public var context: SchemaRecord
    }
}

/// A parsed, resolved Cedar schema.
public struct Schema: Sendable {
    public internal(set) var entityTypes: [Name: EntityTypeDefinition] = [:]
    public internal(set) var actions: [EntityUID: ActionDefinition] = [:]
    /// For each entity type, the types whose entities may be members of it (transitively).
    public internal(set) var entityDescendants: [Name: Set<Name>] = [:]
    /// For each action, the actions that are members of it (transitively).
    public internal(set) var actionDescendants: [EntityUID: Set<EntityUID>] = [:]
    /// For each action, its ancestors (transitively), for building action entities.
    public internal(set) var actionAncestors: [EntityUID: Set<EntityUID>] = [:]

    public init() {}

    /// Entity types sorted by name, for deterministic iteration.
    public var sortedEntityTypeNames: [Name] { entityTypes.keys.sorted() }
    public var sortedActionIDs: [EntityUID] { actions.keys.sorted() }

    /// Types `t0` for which `t0::"a" in ety::"b"` can be true: `ety` and its descendants.
    func entityTypesIn(_ ety: Name) -> Set<Name> {
        var s = entityDescendants[ety] ?? []
        s.insert(ety)
        return s
    }

    /// Every action `a` for which `a in euids` holds; nil when one of `euids` is not an action.
    func actionsIn(_ euids: [EntityUID]) -> Set<EntityUID>? {
        var out = Set<EntityUID>()
        for e in euids {
            guard actions[e] != nil else { return nil }
            out.insert(e)
            out.formUnion(actionDescendants[e] ?? [])
        }
        return out
    }

    /// Cedar treats any type named `…::Action` as known: action ids are checked separately.
    func isKnownEntityType(_ n: Name) -> Bool { n.isAction || entityTypes[n] != nil }

    /// The request shapes the schema allows: every action's principal × resource types.
    struct RequestEnv {
        var principal: Name
        var action: EntityUID
        var resource: Name
        var context: SchemaRecord
        var principalSlot: Name? = nil
        var resourceSlot: Name? = nil
    }

    var requestEnvironments: [RequestEnv] {
        var out: [RequestEnv] = []
        for a in sortedActionIDs {
            guard let at = actions[a]!.appliesTo else { continue }
            for p in at.principals {
                for r in at.resources {
                    out.append(RequestEnv(principal: p, action: a, resource: r, context: at.context))
                }
            }
        }
        return out
    }
}
