// Decisions over whole policy sets: default deny, forbid over permit, errors, scopes,
// templates and links.

import CedarEval
import CedarSyntax
import Testing

@Suite struct AuthorizerTests {
    static let store = """
    [
      {"uid": {"type": "User", "id": "alice"}, "attrs": {"age": 30}, "parents": [{"type": "Team", "id": "eng"}]},
      {"uid": {"type": "Team", "id": "eng"}, "attrs": {}, "parents": [{"type": "Org", "id": "acme"}]},
      {"uid": {"type": "Action", "id": "view"}, "attrs": {}, "parents": [{"type": "Action", "id": "read"}]},
      {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []},
      {"uid": {"type": "Photo", "id": "p"}, "attrs": {"owner": {"__entity": {"type": "User", "id": "alice"}}},
       "parents": [{"type": "Album", "id": "trip"}]}
    ]
    """

    func decide(_ policies: String, links: [TemplateLink] = [], principal: EntityUID = alice,
                context: [String: Value] = [:]) throws -> Response {
        var set = try CedarParser.parsePolicySet(policies)
        set.links = links
        let request = Request(principal: principal, action: view, resource: photo, context: context)
        return isAuthorized(request, policies: set, entities: try entities(Self.store))
    }

    @Test func defaultDeny() throws {
        let r = try decide("")
        #expect(r.decision == .deny && r.reasons.isEmpty && r.errors.isEmpty)
        let r2 = try decide("permit(principal == User::\"bob\", action, resource);")
        #expect(r2.decision == .deny && r2.reasons.isEmpty)
    }

    @Test func satisfiedPermitsAreTheReasons() throws {
        let r = try decide("""
            permit(principal, action, resource);
            permit(principal in Org::"acme", action in Action::"read", resource in Album::"trip");
            permit(principal, action, resource) when { false };
            """)
        #expect(r.decision == .allow)
        #expect(r.reasons == ["policy0", "policy1"])
    }

    @Test func forbidOverridesPermit() throws {
        let r = try decide("""
            permit(principal, action, resource);
            forbid(principal, action, resource) when { principal.age > 18 };
            forbid(principal, action, resource) unless { resource.owner == principal };
            """)
        #expect(r.decision == .deny)
        #expect(r.reasons == ["policy1"])
    }

    @Test func anErroringPolicyDoesNotApplyAndIsReported() throws {
        let r = try decide("""
            permit(principal, action, resource);
            forbid(principal, action, resource) when { principal.nope };
            permit(principal, action, resource) when { 1 + "a" == 2 };
            """)
        #expect(r.decision == .allow)
        #expect(r.reasons == ["policy0"])
        #expect(r.errors.map(\.policyID) == ["policy1", "policy2"])
        let denied = try decide("permit(principal, action, resource) when { context.missing };")
        #expect(denied.decision == .deny && denied.errors.map(\.policyID) == ["policy0"])
    }

    @Test func conditionsShortCircuitLeftToRight() throws {
        let r = try decide("""
            permit(principal == User::"bob", action, resource) when { 1 + "a" };
            permit(principal, action, resource) when { false } when { 1 + "a" };
            permit(principal, action, resource) unless { true } when { 1 + "a" };
            permit(principal, action, resource) when { 1 };
            """)
        #expect(r.decision == .deny)
        #expect(r.errors.map(\.policyID) == ["policy3"])
    }

    @Test func scopes() throws {
        let cases: [(String, Decision)] = [
            ("permit(principal is User, action, resource);", .allow),
            ("permit(principal is Team, action, resource);", .deny),
            ("permit(principal is User in Org::\"acme\", action, resource);", .allow),
            ("permit(principal is User in Org::\"other\", action, resource);", .deny),
            ("permit(principal, action in [Action::\"edit\", Action::\"read\"], resource);", .allow),
            ("permit(principal, action == Action::\"read\", resource);", .deny),
            ("permit(principal, action, resource is Photo in Album::\"trip\");", .allow),
            ("permit(principal, action, resource == Photo::\"q\");", .deny),
        ]
        for (policy, expected) in cases {
            #expect(try decide(policy).decision == expected, "\(policy)")
        }
    }

    @Test func templatesApplyOnlyThroughLinks() throws {
        let text = """
            permit(principal == ?principal, action, resource in ?resource);
            forbid(principal in ?principal, action, resource);
            """
        #expect(try decide(text).decision == .deny)
        let link = TemplateLink(templateID: "policy0", newID: "alice-trip",
                                values: [.principal: alice, .resource: EntityUID("Album", "trip")])
        let r = try decide(text, links: [link])
        #expect(r.decision == .allow && r.reasons == ["alice-trip"])
        let other = TemplateLink(templateID: "policy0", newID: "bob-trip",
                                 values: [.principal: EntityUID("User", "bob"), .resource: EntityUID("Album", "trip")])
        #expect(try decide(text, links: [other]).decision == .deny)
        let ban = TemplateLink(templateID: "policy1", newID: "ban-eng", values: [.principal: EntityUID("Team", "eng")])
        let banned = try decide(text, links: [link, ban])
        #expect(banned.decision == .deny && banned.reasons == ["ban-eng"])
    }

    @Test func aTemplateEvaluatedWithoutItsSlotIsAnError() throws {
        let template = try CedarParser.parsePolicySet("permit(principal == ?principal, action, resource);").templates[0]
        let e = Evaluator(request: Request(principal: alice, action: view, resource: photo), entities: Entities())
        #expect(throws: EvaluationError.unlinkedSlot(.principal)) { try e.satisfies(template) }
    }

    @Test func partialKnowledgeIsReportedAsUnknown() throws {
        let e = Evaluator(entities: Entities(), principal: alice)
        #expect(try e.evaluate(CedarParser.parseExpression("principal == User::\"alice\"")) == .bool(true))
        #expect(throws: EvaluationError.unknownVariable(.resource)) {
            try e.evaluate(CedarParser.parseExpression("resource == Photo::\"p\""))
        }
    }
}
