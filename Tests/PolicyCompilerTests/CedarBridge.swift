// The Cedar side of every comparison: builds the entities and request that an
// OperationRequest stands for (from OperationRequest's own ancestor construction) and
// asks the Cedar evaluator for its decision.

import Cedar
import PolicyCompiler

enum CedarBridge {
    static func actionEntities() -> [Entity] {
        var out: [Entity] = []
        let names = Vocabulary.actions.map(\.name) + Vocabulary.groups.keys
        for n in names {
            let parents = Vocabulary.ancestors(ofAction: n).map { EntityUID("Action", $0) }
            out.append(Entity(uid: EntityUID("Action", n), parents: Set(parents)))
        }
        return out
    }

    static func value(_ ip: IPNet) -> Value {
        .ipaddr(try! IPAddr(parsing: ip.canonicalText))
    }

    static func decide(_ set: PolicySet, agent: String, flags: [String], _ r: OperationRequest) -> Response {
        let (type, id) = r.cedarResource
        var attrs: [String: Value] = [:]
        switch r.resource {
        case .file(let p): attrs["path"] = .string(p)
        case .host(let d, let ip, let port, let proto):
            attrs["domain"] = .string(OperationRequest.hostText(domain: d, ip: ip))
            attrs["ip"] = value(ip)
            attrs["port"] = .long(Int64(port))
            attrs["protocol"] = .string(proto)
        case .mcp(let s, let t): attrs["server"] = .string(s); attrs["tool"] = .string(t)
        }
        let parents = r.cedarAncestors.map { EntityUID($0.type, $0.id) }
        var entities = actionEntities()
        entities.append(Entity(uid: EntityUID(type, id), attrs: attrs, parents: Set(parents)))
        entities.append(Entity(uid: EntityUID("Agent", agent)))
        var context: [String: Value] = [:]
        for f in flags { context[f] = .bool(r.flags.contains(f)) }
        let request = Request(principal: EntityUID("Agent", agent), action: EntityUID("Action", r.action),
                              resource: EntityUID(type, id), context: context)
        return isAuthorized(request, policies: set, entities: try! Entities(entities))
    }
}
