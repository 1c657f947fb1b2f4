// `leash cedar authorize`: answers authorization requests against a policy file and an
// entity store, printing one JSON line per request.

import Cedar

func cedarAuthorizeCommand() -> Command {
    Command(
        name: "authorize", abstract: "Answer authorization requests against a policy set.",
        usage: "--policies FILE --entities FILE --request-json FILE [--template-links FILE] [--schema FILE]",
        discussion: """
            The request file holds one request or a JSON array of them:
              {"principal": UID, "action": UID, "resource": UID, "context": {...}}
            where UID is {"type": "User", "id": "alice"} or the string "User::\\"alice\\"",
            and context (optional, default {}) uses Cedar's JSON value encoding.
            Any one FILE may be - for standard input.

            With --schema, entities and contexts are read as the schema types them (an
            ipaddr attribute may be written "10.0.0.1", an entity {"type":..,"id":..}),
            must conform to it, and the schema's actions and action groups become entities;
            each request's principal and resource must be types its action applies to.
            Policies are not validated here: use 'leash cedar validate'.

            Policies are numbered policy0, policy1, ... in file order (templates included).
            Template links, if given, are a JSON array of
              {"template_id": "policy2", "link_id": "L1", "args": {"?principal": UID, "?resource": UID}}
            and each link is evaluated under its link_id; templates without links never apply.

            Output: one JSON object per request, one per line, in request order:
              {"decision":"allow"|"deny","reasons":[ID...],"errors":[{"policy":ID,"message":TEXT}...]}
            reasons are the policies that decided (satisfied forbids on a deny by forbid,
            satisfied permits on an allow); errors are the policies whose conditions failed
            to evaluate (they do not apply). Both are sorted by policy id.

            EXIT STATUS:
              0   every request was answered and every decision is allow
              1   every request was answered and at least one decision is deny
              64  bad command line
              65  bad input: a policy, template link, entity or request with errors
                  (nothing is printed on standard output then)
              74  a file could not be read
            """,
        options: [
            Option(name: "policies", value: "FILE", help: "Cedar policy file."),
            Option(name: "entities", value: "FILE", help: "Entity store, Cedar's entities JSON (an array)."),
            Option(name: "request-json", value: "FILE", help: "One request or an array of requests, JSON."),
            Option(name: "template-links", value: "FILE", help: "Template links, JSON (see above)."),
            Option(name: "schema", value: "FILE", help: "Schema (.cedarschema, or JSON if it ends in .json or starts with {)."),
        ]
    ) { args in
        guard let policiesPath = args.value("policies") else { throw UsageError(message: "missing --policies FILE") }
        guard let entitiesPath = args.value("entities") else { throw UsageError(message: "missing --entities FILE") }
        guard let requestPath = args.value("request-json") else { throw UsageError(message: "missing --request-json FILE") }
        let policyText = try readTextFile(policiesPath, what: "policy file")
        let entitiesText = try readTextFile(entitiesPath, what: "entities file")
        let requestText = try readTextFile(requestPath, what: "request file")
        let linksText = try args.value("template-links").map { try readTextFile($0, what: "template links file") }
        let schema = try args.value("schema").map { try AuthorizeInput.schema(try readTextFile($0, what: "schema file"), file: $0) }

        var policies: PolicySet
        do {
            policies = try CedarParser.parsePolicySet(policyText, file: policiesPath)
        } catch let e as DiagnosticError {
            throw CommandFailure(status: ExitCode.dataError,
                                 message: e.diagnostics.map { $0.rendered(source: policyText) }.joined(separator: "\n"))
        }
        if let linksText {
            policies.links = try AuthorizeInput.links(linksText, file: args.value("template-links")!, policies: policies)
        }
        let entities: Entities
        let entitiesJSON = try AuthorizeInput.parseJSON(entitiesText, file: entitiesPath)
        do { entities = try schema?.parseEntities(json: entitiesText) ?? Entities(json: entitiesJSON) } catch {
            throw CommandFailure(status: ExitCode.dataError, message: "error: \(entitiesPath): \(error)")
        }
        let requests = try AuthorizeInput.requests(requestText, file: requestPath, schema: schema)

        let (active, linkErrors) = Authorizer.activePolicies(policies)
        let authorizer = Authorizer()
        var allAllowed = true
        for r in requests {
            let response = authorizer.isAuthorized(r, active: active, entities: entities, extraErrors: linkErrors)
            if response.decision == .deny { allAllowed = false }
            print(AuthorizeInput.render(response))
        }
        return allAllowed ? ExitCode.success : ExitCode.negative
    }
}

/// Reading the request and link files, and writing responses.
enum AuthorizeInput {
    static func fail(_ file: String, _ message: String) -> CommandFailure {
        CommandFailure(status: ExitCode.dataError, message: "error: \(file): \(message)")
    }

    static func parseJSON(_ text: String, file: String) throws -> JSONNode {
        do { return try JSONNode(parsing: text) } catch let e {
            throw CommandFailure(status: ExitCode.dataError, message: "error: \(file):\(e.line):\(e.column): \(e.message)")
        }
    }

    /// An entity reference given as a JSON object or as Cedar text `Type::"id"`.
    static func uid(_ node: JSONNode?, file: String, path: String) throws -> EntityUID {
        guard let node else { throw fail(file, "\(path): missing") }
        if case .string(let s) = node {
            do { return try CedarParser.parseEntityUID(s) } catch {
                throw fail(file, "\(path): `\(s)` is not an entity reference like User::\"alice\"")
            }
        }
        do { return try ValueJSON.entityUID(node, path: path) } catch { throw fail(file, "\(error)") }
    }

    /// A schema in either syntax: JSON when the file name ends in .json or the text starts with `{`.
    static func schema(_ text: String, file: String) throws -> Schema {
        let isJSON = file.hasSuffix(".json") || text.first(where: { !$0.isWhitespace }) == "{"
        do {
            return isJSON ? try Schema.parse(json: text, file: file) : try Schema.parse(cedarschema: text, file: file)
        } catch let e as DiagnosticError {
            throw CommandFailure(status: ExitCode.dataError, message: e.diagnostics.map { $0.rendered(source: text) }.joined(separator: "\n"))
        }
    }

    static func requests(_ text: String, file: String, schema: Schema?) throws -> [Request] {
        let root = try parseJSON(text, file: file)
        let items: [(JSONNode, String)]
        if case .array(let xs) = root {
            items = xs.enumerated().map { ($0.element, "request \($0.offset)") }
        } else {
            items = [(root, "request")]
        }
        return try items.map { node, path in
            guard case .object = node else { throw fail(file, "\(path): expected a JSON object, found \(node.kindName)") }
            let action = try uid(node["action"], file: file, path: "\(path).action")
            var context: [String: Value] = [:]
            do {
                // With a schema, a missing context is the empty record, which must conform too.
                if let schema {
                    context = try schema.parseContext(json: node["context"] ?? .object([]), action: action)
                } else if let c = node["context"] {
                    context = try Request.context(json: c, action: action)
                }
            } catch { throw fail(file, "\(path): \(error)") }
            let request = Request(principal: try uid(node["principal"], file: file, path: "\(path).principal"),
                                  action: action,
                                  resource: try uid(node["resource"], file: file, path: "\(path).resource"),
                                  context: context)
            do { try schema?.validateRequest(request) } catch { throw fail(file, "\(path): \(error)") }
            return request
        }
    }

    /// Template links in the Cedar CLI's format.
    static func links(_ text: String, file: String, policies: PolicySet) throws -> [TemplateLink] {
        guard case .array(let items) = try parseJSON(text, file: file) else {
            throw fail(file, "template links must be a JSON array")
        }
        let templates = Dictionary(policies.templates.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var ids = Set(policies.policies.map(\.id) + policies.templates.map(\.id))
        return try items.enumerated().map { k, link in
            let path = "link \(k)"
            guard case .string(let templateID)? = link["template_id"] else { throw fail(file, "\(path): missing string \"template_id\"") }
            guard case .string(let linkID)? = link["link_id"] else { throw fail(file, "\(path): missing string \"link_id\"") }
            guard let template = templates[templateID] else { throw fail(file, "\(path): no template has the id `\(templateID)`") }
            guard ids.insert(linkID).inserted else { throw fail(file, "\(path): the id `\(linkID)` is already used") }
            var values: [SlotID: EntityUID] = [:]
            if case .object(let kv)? = link["args"] {
                for (slot, v) in kv {
                    guard let s = SlotID(rawValue: slot) else { throw fail(file, "\(path): `\(slot)` is not a slot; use ?principal or ?resource") }
                    values[s] = try uid(v, file: file, path: "\(path).args.\(slot)")
                }
            }
            let missing = template.slots.filter { values[$0] == nil }
            guard missing.isEmpty else {
                throw fail(file, "\(path): template `\(templateID)` needs a value for \(missing.map(\.rawValue).joined(separator: " and "))")
            }
            let extra = values.keys.filter { !template.slots.contains($0) }
            guard extra.isEmpty else {
                throw fail(file, "\(path): template `\(templateID)` has no slot \(extra.map(\.rawValue).sorted().joined(separator: " or "))")
            }
            return TemplateLink(templateID: templateID, newID: linkID, values: values)
        }
    }

    static func render(_ r: Response) -> String {
        JSONNode.object([
            ("decision", .string(r.decision.rawValue)),
            ("reasons", .array(r.reasons.map { .string($0) })),
            ("errors", .array(r.errors.map { .object([("policy", .string($0.policyID)), ("message", .string($0.message))]) })),
        ]).serialized
    }
}
