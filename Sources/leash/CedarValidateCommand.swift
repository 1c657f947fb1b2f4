// `leash cedar validate`: checks policies against a schema with Cedar's strict
// validator and prints every error with file:line:column and a caret excerpt.

import Cedar
import Foundation

func cedarValidateCommand() -> Command {
    Command(
        name: "validate", abstract: "Validate policies against a schema (Cedar's strict type checker).",
        usage: "--policies FILE --schema FILE [--json]",
        discussion: """
            The schema is read as JSON when its file name ends in `.json` (or its text starts
            with `{`), otherwise as the human-readable `.cedarschema` syntax. A policy that is
            false for every request the schema allows is reported as a warning; warnings do
            not fail validation.

            EXIT STATUS:
              0   the policies are valid for the schema
              1   validation failed: the errors are printed
              64  bad command line
              65  the policies or the schema do not parse
              74  a file cannot be read
            """,
        options: [
            Option(name: "policies", value: "FILE", help: "The Cedar policy file."),
            Option(name: "schema", value: "FILE", help: "The schema (.cedarschema or .json)."),
            Option(name: "json", value: nil, help: "Print the result as one JSON object."),
            Option(name: "jsonl", value: nil, help: "(for tests) Read {\"policies\",\"schema\",\"schemaFormat\"} lines on stdin; answer one result line each."),
        ]
    ) { args in
        if args.flag("jsonl") { return validateJSONLines() }
        guard let policiesPath = args.value("policies") else { throw UsageError(message: "missing --policies FILE") }
        guard let schemaPath = args.value("schema") else { throw UsageError(message: "missing --schema FILE") }
        let json = args.flag("json")
        let policyText = try readTextFile(policiesPath, what: "policy file")
        let schemaText = try readTextFile(schemaPath, what: "schema file")

        func parseFailure(_ e: DiagnosticError, _ source: String) -> CommandFailure {
            if json {
                print(ValidateReport(valid: false, parsed: false, diagnostics: e.diagnostics).json)
                return CommandFailure(status: ExitCode.dataError, message: "")
            }
            return CommandFailure(status: ExitCode.dataError, message: e.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))
        }

        let schema: Schema
        do {
            schema = try schemaIsJSON(path: schemaPath, text: schemaText)
                ? Schema.parse(json: schemaText, file: schemaPath)
                : Schema.parse(cedarschema: schemaText, file: schemaPath)
        } catch let e as DiagnosticError {
            throw parseFailure(e, schemaText)
        }
        let policies: PolicySet
        do {
            policies = try CedarParser.parsePolicySet(policyText, file: policiesPath)
        } catch let e as DiagnosticError {
            throw parseFailure(e, policyText)
        }
        let diagnostics = Validator.validate(policies, schema: schema, warnings: true)
        let valid = !diagnostics.contains { $0.severity == .error }
        if json {
            print(ValidateReport(valid: valid, parsed: true, diagnostics: diagnostics).json)
        } else if !diagnostics.isEmpty {
            printError(diagnostics.map { $0.rendered(source: policyText) }.joined(separator: "\n"))
        }
        return valid ? ExitCode.success : ExitCode.negative
    }
}

/// JSON schema by extension, else by sniffing the first non-space character.
func schemaIsJSON(path: String, text: String) -> Bool {
    if path.hasSuffix(".json") { return true }
    if path.hasSuffix(".cedarschema") { return false }
    // No declaration in the human-readable syntax starts with `{`.
    return text.first(where: { !$0.isWhitespace }) == "{"
}

/// `{"valid": BOOL, "errors": [{"file", "line", "column", "message"}...]}`
struct ValidateReport {
    var valid: Bool
    var parsed: Bool
    var diagnostics: [Diagnostic]

    var json: String {
        func q(_ s: String) -> String {
            var out = ""
            JSONNode.writeString(s, to: &out)
            return out
        }
        func items(_ severity: Diagnostic.Severity) -> String {
            diagnostics.filter { $0.severity == severity }.map { d in
                "{\"file\":\(q(d.range.file)),\"line\":\(d.range.start.line),\"column\":\(d.range.start.column),\"message\":\(q(d.message))}"
            }.joined(separator: ",")
        }
        return "{\"valid\":\(valid),\"parsed\":\(parsed),\"errors\":[\(items(.error))],\"warnings\":[\(items(.warning))]}"
    }
}

/// `--jsonl`: one validation question per input line, for the differential test.
func validateJSONLines() -> Int32 {
    while let line = readLine(strippingNewline: true) {
        if line.allSatisfy(\.isWhitespace) { continue }
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
              let policyText = obj["policies"] as? String, let schemaText = obj["schema"] as? String else {
            print("{\"error\":\"bad input line\"}")
            continue
        }
        let isJSON = (obj["schemaFormat"] as? String) == "json"
        do {
            let schema = try isJSON ? Schema.parse(json: schemaText, file: "schema") : Schema.parse(cedarschema: schemaText, file: "schema")
            let policies = try CedarParser.parsePolicySet(policyText, file: "policies")
            print(ValidateReport(valid: false, parsed: true, diagnostics: Validator.validate(policies, schema: schema)).jsonWithVerdict)
        } catch let e as DiagnosticError {
            print(ValidateReport(valid: false, parsed: false, diagnostics: e.diagnostics).json)
        } catch {
            print("{\"error\":\"\(error)\"}")
        }
    }
    return ExitCode.success
}

extension ValidateReport {
    var jsonWithVerdict: String { ValidateReport(valid: diagnostics.isEmpty, parsed: parsed, diagnostics: diagnostics).json }
}
