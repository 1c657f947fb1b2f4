// The authorization decision: default deny, forbid overrides permit, and a policy whose
// condition fails to evaluate does not apply but is reported.

import CedarSyntax

public struct Request: Hashable, Sendable {
    public var principal: EntityUID
    public var action: EntityUID
    public var resource: EntityUID
    public var context: [String: Value]
    public init(principal: EntityUID, action: EntityUID, resource: EntityUID, context: [String: Value] = [:]) {
        self.principal = principal; self.action = action; self.resource = resource; self.context = context
    }
}

public enum Decision: String, Hashable, Sendable { case allow, deny }

/// A policy that could not be evaluated, and why.
public struct EvaluationErrorReport: Hashable, Sendable, CustomStringConvertible {
    public var policyID: String
    public var message: String
    public init(policyID: String, message: String) { self.policyID = policyID; self.message = message }
    public var description: String { "error while evaluating policy `\(policyID)`: \(message)" }
}

public struct Response: Hashable, Sendable {
    public var decision: Decision
    /// Ids of the policies that decided: the satisfied forbids on a deny by forbid,
    /// the satisfied permits on an allow, none on a default deny. Sorted.
    public var reasons: [String]
    /// Policies whose evaluation failed, sorted by id.
    public var errors: [EvaluationErrorReport]
    public init(decision: Decision, reasons: [String], errors: [EvaluationErrorReport]) {
        self.decision = decision; self.reasons = reasons; self.errors = errors
    }
}

/// One policy ready to evaluate: a static policy, or a template with its link's values.
/// A class, so that answering a request walks references instead of copying policies.
public final class ActivePolicy: Sendable {
    public let id: String
    public let policy: Policy
    public let slots: [SlotID: EntityUID]
    public init(id: String, policy: Policy, slots: [SlotID: EntityUID]) {
        self.id = id; self.policy = policy; self.slots = slots
    }
}

public struct Authorizer: Sendable {
    public init() {}

    /// The static policies plus every linked template under its link's id; templates
    /// without links never apply. A link to a missing template is reported as an error.
    public static func activePolicies(_ set: PolicySet) -> (policies: [ActivePolicy], errors: [EvaluationErrorReport]) {
        var out = set.policies.map { ActivePolicy(id: $0.id, policy: $0, slots: [:]) }
        var errors: [EvaluationErrorReport] = []
        let templates = Dictionary(set.templates.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for link in set.links {
            guard let t = templates[link.templateID] else {
                errors.append(EvaluationErrorReport(policyID: link.newID, message: "template `\(link.templateID)` does not exist"))
                continue
            }
            out.append(ActivePolicy(id: link.newID, policy: t, slots: link.values))
        }
        return (out, errors)
    }

    public func isAuthorized(_ request: Request, policies: PolicySet, entities: Entities) -> Response {
        let (active, linkErrors) = Authorizer.activePolicies(policies)
        return isAuthorized(request, active: active, entities: entities, extraErrors: linkErrors)
    }

    /// For callers answering many requests against one policy set.
    public func isAuthorized(_ request: Request, active: [ActivePolicy], entities: Entities,
                             extraErrors: [EvaluationErrorReport] = []) -> Response {
        var evaluator = Evaluator(request: request, entities: entities)
        var permits: [String] = [], forbids: [String] = []
        var errors = extraErrors
        for p in active {
            if !p.slots.isEmpty || !evaluator.slots.isEmpty { evaluator.slots = p.slots }
            do {
                if try evaluator.satisfies(p) {
                    if p.policy.effect == .permit { permits.append(p.id) } else { forbids.append(p.id) }
                }
            } catch {
                errors.append(EvaluationErrorReport(policyID: p.id, message: error.description))
            }
        }
        errors.sort { $0.policyID < $1.policyID }
        if !forbids.isEmpty { return Response(decision: .deny, reasons: forbids.sorted(), errors: errors) }
        if !permits.isEmpty { return Response(decision: .allow, reasons: permits.sorted(), errors: errors) }
        return Response(decision: .deny, reasons: [], errors: errors)
    }
}

/// Answers one request against a policy set and an entity store.
public func isAuthorized(_ request: Request, policies: PolicySet, entities: Entities) -> Response {
    Authorizer().isAuthorized(request, policies: policies, entities: entities)
}
