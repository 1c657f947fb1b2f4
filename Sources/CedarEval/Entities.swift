// The entity store: entities by uid, with each entity's ancestors computed once so that
// `in` is a set lookup however deep the hierarchy is.

import CedarSyntax

public struct Entity: Hashable, Sendable {
    public var uid: EntityUID
    public var attrs: [String: Value]
    public var parents: Set<EntityUID>
    public var tags: [String: Value]

    public init(uid: EntityUID, attrs: [String: Value] = [:], parents: Set<EntityUID> = [], tags: [String: Value] = [:]) {
        self.uid = uid; self.attrs = attrs; self.parents = parents; self.tags = tags
    }
}

/// Why an entity store could not be built.
public enum EntitiesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The same uid twice with different contents (identical repeats are accepted, as Cedar does).
    case duplicate(EntityUID)
    /// The parent relation loops back to this entity.
    case cycle(EntityUID)
    /// The JSON did not have the shape of Cedar's entity format.
    case json(path: String, message: String)

    public var description: String {
        switch self {
        case .duplicate(let u): return "duplicate entity \(u) with different contents"
        case .cycle(let u): return "the entity hierarchy has a cycle through \(u)"
        case .json(let path, let message): return path.isEmpty ? message : "\(path): \(message)"
        }
    }
}

public struct Entities: Sendable {
    public private(set) var byUID: [EntityUID: Entity]
    /// Every strict ancestor of each stored entity (the transitive closure of `parents`).
    private var ancestorSets: [EntityUID: Set<EntityUID>]

    public init() { byUID = [:]; ancestorSets = [:] }

    public init<S: Sequence>(_ entities: S) throws(EntitiesError) where S.Element == Entity {
        var map: [EntityUID: Entity] = [:]
        for e in entities {
            if let old = map[e.uid] {
                guard old == e else { throw .duplicate(e.uid) }
                continue
            }
            map[e.uid] = e
        }
        byUID = map
        ancestorSets = try Entities.closure(map)
    }

    public subscript(uid: EntityUID) -> Entity? { byUID[uid] }
    public var count: Int { byUID.count }
    public var all: Dictionary<EntityUID, Entity>.Values { byUID.values }

    /// Strict ancestors of `uid`; empty for entities not in the store.
    public func ancestors(of uid: EntityUID) -> Set<EntityUID> { ancestorSets[uid] ?? [] }

    /// Cedar's `in`: reflexive, and transitive over parents.
    public func isDescendant(_ uid: EntityUID, of ancestor: EntityUID) -> Bool {
        uid == ancestor || (ancestorSets[uid]?.contains(ancestor) ?? false)
    }

    /// Depth-first closure with memoisation, iterative so that a hierarchy thousands of
    /// levels deep cannot exhaust the stack. A back edge is a cycle, which Cedar rejects.
    private static func closure(_ map: [EntityUID: Entity]) throws(EntitiesError) -> [EntityUID: Set<EntityUID>] {
        var done: [EntityUID: Set<EntityUID>] = Dictionary(minimumCapacity: map.count)
        var onPath: Set<EntityUID> = []
        for root in map.keys where done[root] == nil {
            // Each frame: an entity and the parents still to visit.
            var stack: [(EntityUID, [EntityUID])] = [(root, Array(map[root]!.parents))]
            onPath.insert(root)
            while let (uid, pending) = stack.last {
                if let next = pending.last {
                    stack[stack.count - 1].1.removeLast()
                    if done[next] != nil || map[next] == nil { continue }
                    guard onPath.insert(next).inserted else { throw .cycle(next) }
                    stack.append((next, Array(map[next]!.parents)))
                    continue
                }
                var result = Set<EntityUID>()
                for p in map[uid]!.parents {
                    result.insert(p)
                    if let a = done[p] { result.formUnion(a) }
                }
                onPath.remove(uid)
                done[uid] = result
                stack.removeLast()
            }
        }
        return done
    }
}
