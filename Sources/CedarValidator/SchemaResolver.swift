// Turns parsed namespaces into a `Schema`: qualifies every name following Cedar's
// rules (a name in namespace N means N's common type, else N's entity type, else the
// empty namespace's, else a built-in), inlines common types, checks that everything
// referenced is declared, and computes the transitive member-of relations.

import CedarSyntax

extension Schema {
    /// Parses the human-readable schema syntax.
    public static func parse(cedarschema source: String, file: String) throws -> Schema {
        var p = try CedarSchemaParser(source: source, file: file)
        var r = SchemaResolver(namespaces: try p.parse())
        return try r.resolve()
    }

    /// Parses the JSON schema form.
    public static func parse(json source: String, file: String) throws -> Schema {
        var r = SchemaResolver(namespaces: try JSONSchemaParser(file: file).parse(source))
        return try r.resolve()
    }
}

struct SchemaResolver {
    var namespaces: [RawNamespace]

    static let builtins: [String: SchemaType] = [
        "Bool": .bool, "Long": .long, "String": .string,
        "ipaddr": .ext("ipaddr"), "decimal": .ext("decimal"),
        "datetime": .ext("datetime"), "duration": .ext("duration"),
    ]
    static let reservedCommonTypeNames: Set<String> = ["Bool", "Boolean", "Long", "String", "Set", "Record", "Entity", "Extension", "EntityOrCommon"]

    // Declarations by fully qualified name.
    var commonTypes: [Name: (RawType, [String], SourceRange)] = [:]
    var entityNames: Set<Name> = []
    var actionNamespaces: Set<[String]> = []
    var resolvedCommon: [Name: SchemaType] = [:]

    init(namespaces: [RawNamespace]) { self.namespaces = namespaces }

    func fail(_ message: String, _ range: SourceRange) -> DiagnosticError {
        DiagnosticError([Diagnostic(.error, message, at: range)])
    }

    mutating func resolve() throws -> Schema {
        var schema = Schema()
        var errors: [Diagnostic] = []
        // Pass 1: collect definitions.
        var entityDefs: [(RawEntity, [String])] = []
        var actionDefs: [(RawAction, [String])] = []
        for ns in namespaces {
            if ns.path.contains("__cedar") { throw fail("use of the reserved `__cedar` namespace", ns.range) }
            for ct in ns.commonTypes {
                let n = Name(path: ns.path, basename: ct.name)
                if Self.reservedCommonTypeNames.contains(ct.name) {
                    throw fail("this uses a reserved schema keyword: `\(ct.name)`", ct.range)
                }
                if commonTypes[n] != nil { throw fail("duplicate common type `\(n)`", ct.range) }
                commonTypes[n] = (ct.type, ns.path, ct.range)
            }
            for e in ns.entities {
                let n = Name(path: ns.path, basename: e.name)
                if e.name == "Action" { throw fail("entity type `Action` declared in `entityTypes` list", e.range) }
                if entityNames.contains(n) { throw fail("duplicate entity type `\(n)`", e.range) }
                entityNames.insert(n)
                entityDefs.append((e, ns.path))
            }
            for a in ns.actions {
                actionDefs.append((a, ns.path))
                actionNamespaces.insert(ns.path)
            }
        }
        // A namespaced definition may not shadow one in the empty namespace.
        for n in entityNames.union(commonTypes.keys) where !n.path.isEmpty {
            let bare = Name(basename: n.basename)
            if entityNames.contains(bare) || commonTypes[bare] != nil {
                let r = commonTypes[n]?.2 ?? entityDefs.first { Name(path: $0.1, basename: $0.0.name) == n }!.0.range
                throw fail("definition of `\(n)` illegally shadows the existing definition of `\(bare)`", r)
            }
        }
        // Action entity types exist wherever actions are declared.
        let actionTypeNames = Set(actionNamespaces.map { Name(path: $0, basename: "Action") })
        // Every common type must resolve, used or not.
        for n in commonTypes.keys.sorted() {
            _ = try resolveType(.named(RawName(path: n.path, basename: n.basename, range: commonTypes[n]!.2)), in: n.path, actionTypes: actionTypeNames)
        }

        // Pass 2: entity types.
        for (e, path) in entityDefs {
            let n = Name(path: path, basename: e.name)
            do {
                var attrs = SchemaRecord()
                if let shape = e.shape {
                    guard case .record(let r) = try resolveType(shape, in: path, actionTypes: actionTypeNames) else {
                        throw fail("the shape of entity type `\(n)` must be a record", e.range)
                    }
                    attrs = r
                }
                let tags = try e.tags.map { try resolveType($0, in: path, actionTypes: actionTypeNames) }
                let parents = try e.memberOf.map { try resolveEntityName($0, in: path, actionTypes: []) }
                schema.entityTypes[n] = EntityTypeDefinition(name: n, memberOf: parents, attributes: attrs, tags: tags, enumChoices: e.enumChoices, range: e.range)
            } catch let d as DiagnosticError {
                errors += d.diagnostics
            }
        }
        // Pass 3: actions.
        var actionIDs = Set<EntityUID>()
        for (a, path) in actionDefs {
            let uid = EntityUID(type: Name(path: path, basename: "Action"), id: a.name)
            if !actionIDs.insert(uid).inserted { throw fail("duplicate action `\(uid)`", a.range) }
        }
        for (a, path) in actionDefs where !path.isEmpty {
            let bare = EntityUID(type: Name(basename: "Action"), id: a.name)
            if actionIDs.contains(bare) {
                throw fail("definition of `\(EntityUID(type: Name(path: path, basename: "Action"), id: a.name))` illegally shadows the existing definition of `\(bare)`", a.range)
            }
        }
        for (a, path) in actionDefs {
            let uid = EntityUID(type: Name(path: path, basename: "Action"), id: a.name)
            do {
                let parents = try a.memberOf.map { ref -> EntityUID in
                    let candidates: [EntityUID]
                    if let tp = ref.typePath {
                        let written = Name(path: Array(tp.dropLast()), basename: tp.last!)
                        candidates = [EntityUID(type: Name(path: path + written.path, basename: written.basename), id: ref.id),
                                      EntityUID(type: written, id: ref.id)]
                    } else {
                        // Like any unqualified name: this namespace first, then the empty one.
                        candidates = [EntityUID(type: Name(path: path, basename: "Action"), id: ref.id),
                                      EntityUID(type: Name(basename: "Action"), id: ref.id)]
                    }
                    guard let found = candidates.first(where: { actionIDs.contains($0) }) else {
                        throw fail("undeclared action `\(candidates.first!)` in the `in` list of `\(uid)`", ref.range)
                    }
                    return found
                }
                var appliesTo: ActionDefinition.AppliesTo? = nil
                if let at = a.appliesTo {
                    let ps = try at.principals.map { try resolveEntityName($0, in: path, actionTypes: []) }
                    let rs = try at.resources.map { try resolveEntityName($0, in: path, actionTypes: []) }
                    var context = SchemaRecord()
                    if let c = at.context {
                        guard case .record(let r) = try resolveType(c, in: path, actionTypes: actionTypeNames) else {
                            throw fail("the context of action `\(uid)` must be a record", a.range)
                        }
                        context = r
                    }
                    appliesTo = .init(principals: dedupe(ps), resources: dedupe(rs), context: context)
                }
                schema.actions[uid] = ActionDefinition(uid: uid, memberOf: parents, appliesTo: appliesTo, range: a.range)
            } catch let d as DiagnosticError {
                errors += d.diagnostics
            }
        }
        if !errors.isEmpty { throw DiagnosticError(errors) }

        // Transitive closures.
        var entityChildren: [Name: Set<Name>] = [:]
        for (n, def) in schema.entityTypes { for p in def.memberOf { entityChildren[p, default: []].insert(n) } }
        for n in schema.entityTypes.keys { schema.entityDescendants[n] = closure(n, entityChildren) }
        var actionChildren: [EntityUID: Set<EntityUID>] = [:]
        for (u, def) in schema.actions { for p in def.memberOf { actionChildren[p, default: []].insert(u) } }
        for u in schema.actions.keys {
            let d = closure(u, actionChildren)
            if d.contains(u) { throw fail("the action hierarchy has a cycle through `\(u)`", schema.actions[u]!.range) }
            schema.actionDescendants[u] = d
            for x in d { schema.actionAncestors[x, default: []].insert(u) }
        }
        return schema
    }

    func dedupe<T: Hashable>(_ xs: [T]) -> [T] {
        var seen = Set<T>()
        return xs.filter { seen.insert($0).inserted }
    }

    func closure<T: Hashable>(_ start: T, _ children: [T: Set<T>]) -> Set<T> {
        var out = Set<T>()
        var stack = Array(children[start] ?? [])
        while let x = stack.popLast() {
            if out.insert(x).inserted { stack.append(contentsOf: children[x] ?? []) }
        }
        return out
    }

    /// An entity type reference: `X` in namespace N is N::X if declared, else X.
    func resolveEntityName(_ r: RawName, in ns: [String], actionTypes: Set<Name>) throws -> Name {
        let written = Name(path: r.path, basename: r.basename)
        let candidates = r.isQualified ? [written] : [Name(path: ns, basename: r.basename), written]
        if let n = candidates.first(where: { entityNames.contains($0) || actionTypes.contains($0) }) { return n }
        throw fail("undeclared entity type `\(r.text)`", r.range)
    }

    mutating func resolveType(_ t: RawType, in ns: [String], actionTypes: Set<Name>, visiting: Set<Name> = []) throws -> SchemaType {
        switch t {
        case .bool: return .bool
        case .long: return .long
        case .string: return .string
        case .set(let e): return .set(try resolveType(e, in: ns, actionTypes: actionTypes, visiting: visiting))
        case .ext(let n, let r):
            guard ["ipaddr", "decimal", "datetime", "duration"].contains(n) else { throw fail("unknown extension type `\(n)`", r) }
            return .ext(n)
        case .record(let attrs):
            var out = SchemaRecord()
            for a in attrs {
                out.attributes[a.name] = SchemaAttribute(type: try resolveType(a.type, in: ns, actionTypes: actionTypes, visiting: visiting), required: a.required)
            }
            return .record(out)
        case .entity(let r):
            return .entity(try resolveEntityName(r, in: ns, actionTypes: actionTypes))
        case .named(let r), .common(let r):
            let commonOnly: Bool
            if case .common = t { commonOnly = true } else { commonOnly = false }
            let written = Name(path: r.path, basename: r.basename)
            var candidates: [Name] = r.isQualified ? [written] : [Name(path: ns, basename: r.basename)]
            if !r.isQualified && !ns.isEmpty { candidates.append(written) }
            for c in candidates {
                if let (ct, ctns, _) = commonTypes[c] {
                    if visiting.contains(c) { throw fail("the common type `\(c)` refers to itself", r.range) }
                    if let done = resolvedCommon[c] { return done }
                    let resolved = try resolveType(ct, in: ctns, actionTypes: actionTypes, visiting: visiting.union([c]))
                    resolvedCommon[c] = resolved
                    return resolved
                }
                if !commonOnly && (entityNames.contains(c) || actionTypes.contains(c)) { return .entity(c) }
            }
            if !r.isQualified, let b = Self.builtins[r.basename] { return b }
            if r.path == ["__cedar"], let b = Self.builtins[r.basename] { return b }
            throw fail("failed to resolve type `\(r.text)`", r.range)
        }
    }
}
