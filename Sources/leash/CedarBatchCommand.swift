// `leash cedar batch`: many Cedar questions in one process, one JSON line in and one
// JSON line out per question. It exists so that the differential test against the
// reference implementation (Tests/differential) can ask 100,000 questions without
// 100,000 process starts; it is documented because anyone may script leash with it.

import Cedar

func cedarBatchCommand() -> Command {
    Command(
        name: "batch", abstract: "Answer many Cedar questions, one JSON line each (for scripts and tests).",
        usage: "< questions.jsonl",
        discussion: """
            Reads JSON lines on standard input and writes one JSON line per input line, in order.

            Authorize:  {"policies": TEXT, "links": [LINK...], "entities": [...], "requests": [REQ...],
                         "schema": TEXT (optional), "schemaFormat": "cedarschema"|"json"}
                    ->  {"results": [{"decision": "allow"|"deny", "reasons": [ID...], "errors": [ID...]}...]}
              "policiesJSON": TEXT (Cedar's JSON policy form) may stand in for "policies".
              A request that cannot be read, or with a schema does not conform to it, is answered
              {"error": MESSAGE} in its place in "results".
              LINK is {"template_id": ID, "new_id": ID, "values": {"?principal": UID, "?resource": UID}};
              REQ is {"principal": UID, "action": UID, "resource": UID, "context": {...}};
              UID is {"type": T, "id": S} or the string T::"S".
            Validate:   {"policies": TEXT, "schema": TEXT, "schemaFormat": "cedarschema"|"json", "validate": true}
                    ->  {"valid": true|false, "errors": [MESSAGE...]}
            Format:     {"format": TEXT}
                    ->  {"formatted": TEXT, "roundTrip": BOOL, "idempotent": BOOL, "json": TEXT, "jsonRoundTrip": BOOL}
              roundTrip: the formatted text parses to the same policies; idempotent: formatting
              it again changes nothing; json: the policies in Cedar's JSON form; jsonRoundTrip:
              reading that JSON back and writing it again gives the same JSON. (Not the same
              AST: like Cedar's, the JSON form writes `action in [A]` as `action in A`.)

            Input leash cannot read (bad JSON, a policy syntax error, a bad entity) is answered
            {"error": MESSAGE} on that line; the batch goes on. Exit status 0 when standard
            input ends.
            """
    ) { _ in
        while let line = readLine(strippingNewline: true) {
            if line.allSatisfy(\.isWhitespace) { continue }
            print(BatchQuestion.answer(line).serialized)
        }
        return ExitCode.success
    }
}

/// One input line and its answer.
enum BatchQuestion {
    static func answer(_ line: String) -> JSONNode {
        do {
            let q = try JSONNode(parsing: line)
            if let text = q["format"] { return try format(string(text, "format")) }
            if q["validate"] == .bool(true) { return try validate(q) }
            return try authorize(q)
        } catch let e as BatchError {
            return .object([("error", .string(e.message))])
        } catch {
            return .object([("error", .string(String(describing: error)))])
        }
    }

    struct BatchError: Error { var message: String }

    static func string(_ node: JSONNode?, _ what: String) throws -> String {
        guard case .string(let s)? = node else { throw BatchError(message: "\(what): expected a string") }
        return s
    }

    static func array(_ node: JSONNode?, _ what: String) throws -> [JSONNode] {
        guard let node else { return [] }
        guard case .array(let xs) = node else { throw BatchError(message: "\(what): expected an array") }
        return xs
    }

    static func uid(_ node: JSONNode?, _ path: String) throws -> EntityUID {
        guard let node else { throw BatchError(message: "\(path): missing") }
        if case .string(let s) = node { return try CedarParser.parseEntityUID(s) }
        return try ValueJSON.entityUID(node, path: path)
    }

    static func parsePolicies(_ q: JSONNode) throws -> PolicySet {
        var set = try q["policiesJSON"].map { try PolicyJSON.importPolicies(json: string($0, "policiesJSON"), file: "policiesJSON") }
            ?? CedarParser.parsePolicySet(string(q["policies"], "policies"), file: "policies")
        for (i, link) in try array(q["links"], "links").enumerated() {
            var values: [SlotID: EntityUID] = [:]
            if case .object(let kv)? = link["values"] {
                for (slot, v) in kv {
                    guard let s = SlotID(rawValue: slot) else { throw BatchError(message: "links[\(i)]: unknown slot \(slot)") }
                    values[s] = try uid(v, "links[\(i)].values.\(slot)")
                }
            }
            set.links.append(TemplateLink(templateID: try string(link["template_id"], "links[\(i)].template_id"),
                                          newID: try string(link["new_id"], "links[\(i)].new_id"), values: values))
        }
        return set
    }

    static func authorize(_ q: JSONNode) throws -> JSONNode {
        let policies = try parsePolicies(q)
        let schema = try q["schema"].map { try cachedSchema(string($0, "schema"), format: q["schemaFormat"]) }
        let entityJSON = q["entities"] ?? .array([])
        let entities = try schema?.parseEntities(json: entityJSON.serialized) ?? Entities(json: entityJSON)
        let (active, linkErrors) = Authorizer.activePolicies(policies)
        let authorizer = Authorizer()
        var results: [JSONNode] = []
        for (i, r) in try array(q["requests"], "requests").enumerated() {
            let request: Request
            do {
                request = try makeRequest(r, path: "requests[\(i)]", schema: schema)
            } catch {
                // A request that cannot be read (or, with a schema, does not conform) is
                // refused on its own; the other requests are still answered.
                results.append(.object([("error", .string(String(describing: error)))]))
                continue
            }
            let response = authorizer.isAuthorized(request, active: active, entities: entities, extraErrors: linkErrors)
            results.append(.object([
                ("decision", .string(response.decision.rawValue)),
                ("reasons", .array(response.reasons.map { .string($0) })),
                ("errors", .array(response.errors.map { .string($0.policyID) })),
            ]))
        }
        return .object([("results", .array(results))])
    }

    static func makeRequest(_ r: JSONNode, path: String, schema: Schema?) throws -> Request {
        let action = try uid(r["action"], "\(path).action")
        let contextJSON = r["context"] ?? .object([])
        let context = try schema.map { try $0.parseContext(json: contextJSON, action: action) }
            ?? Request.context(json: contextJSON, action: action, path: "\(path).context")
        let request = Request(principal: try uid(r["principal"], "\(path).principal"), action: action,
                              resource: try uid(r["resource"], "\(path).resource"), context: context)
        try schema?.validateRequest(request)
        return request
    }

    /// The differential test sends the same schema with every case: parse it once.
    nonisolated(unsafe) static var schemaCache: (text: String, format: JSONNode?, schema: Schema)?

    static func cachedSchema(_ text: String, format: JSONNode?) throws -> Schema {
        if let c = schemaCache, c.text == text, c.format == format { return c.schema }
        let schema = try parseSchema(text, format: format)
        schemaCache = (text, format, schema)
        return schema
    }

    static func parseSchema(_ source: String, format: JSONNode?) throws -> Schema {
        switch format {
        case nil, .string("cedarschema")?: return try Schema.parse(cedarschema: source, file: "schema")
        case .string("json")?: return try Schema.parse(json: source, file: "schema")
        default: throw BatchError(message: "schemaFormat: expected \"cedarschema\" or \"json\"")
        }
    }

    static func validate(_ q: JSONNode) throws -> JSONNode {
        let policies = try parsePolicies(q)
        let schema = try cachedSchema(string(q["schema"], "schema"), format: q["schemaFormat"])
        let errors = Validator.validate(policies, schema: schema).filter { $0.severity == .error }
        return .object([("valid", .bool(errors.isEmpty)), ("errors", .array(errors.map { .string($0.description) }))])
    }

    static func format(_ text: String) throws -> JSONNode {
        let parsed = try CedarParser.parsePolicySet(text, file: "policies")
        let formatted = CedarFormatter.format(parsed)
        let reparsed = try? CedarParser.parsePolicySet(formatted, file: "formatted")
        let again = reparsed.map(CedarFormatter.format)
        let est = PolicyJSON.export(parsed)
        let imported = try? PolicyJSON.importPolicies(json: est)
        return .object([("formatted", .string(formatted)), ("roundTrip", .bool(reparsed == parsed)),
                        ("idempotent", .bool(again == formatted)),
                        ("json", .string(est)), ("jsonRoundTrip", .bool(imported.map(PolicyJSON.export) == est))])
    }
}
