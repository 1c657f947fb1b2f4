// Helpers shared by the evaluator tests: parse with the real parser, evaluate against a
// fixed request, and report either the value or that evaluation failed.

import CedarEval
import CedarSyntax

enum Outcome: Equatable, CustomStringConvertible {
    case value(Value)
    case error

    var description: String {
        switch self {
        case .value(let v): return v.description
        case .error: return "error"
        }
    }
}

let alice = EntityUID("User", "alice")
let view = EntityUID("Action", "view")
let photo = EntityUID("Photo", "p")

func evaluator(_ entities: Entities = Entities(), context: [String: Value] = [:]) -> Evaluator {
    Evaluator(request: Request(principal: alice, action: view, resource: photo, context: context), entities: entities)
}

func eval(_ source: String, _ entities: Entities = Entities(), context: [String: Value] = [:]) throws -> Outcome {
    let expr = try CedarParser.parseExpression(source)
    do { return .value(try evaluator(entities, context: context).evaluate(expr)) } catch { return .error }
}

/// Shorthand for expectations on boolean results.
let T = Outcome.value(.bool(true))
let F = Outcome.value(.bool(false))
let E = Outcome.error

func entities(_ json: String) throws -> Entities { try Entities(json: json) }
