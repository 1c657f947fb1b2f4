// Templates are checked once for every type their slots could be linked to; links are
// checked for the entity types they put in the slots and for whether any action can
// then apply. (cedarpy's validate_policies takes no links, so the link rules follow
// the reference validator's code: unknown slot types and impossible scopes.)

import CedarSyntax
import CedarValidator
import Testing

@Suite struct TemplateLinkTests {
    static let schema = try! Schema.parse(cedarschema: """
        entity Group in [Group] { g: Long };
        entity User in [Group] { name: String };
        entity Doc { owner: User };
        action read appliesTo { principal: [User], resource: [Doc] };
        """, file: "s.cedarschema")

    func errors(_ text: String, links: [TemplateLink] = []) throws -> [Diagnostic] {
        var set = try CedarParser.parsePolicySet(text, file: "p.cedar")
        set.links = links
        return Validator.validate(set, schema: Self.schema)
    }

    @Test func aTemplateIsCheckedForEachPossibleSlotType() throws {
        #expect(try errors("permit(principal in ?principal, action, resource) when { principal.name == \"a\" };").isEmpty)
        #expect(try !errors("permit(principal in ?principal, action, resource) when { principal.g == 1 };").isEmpty)
    }

    @Test func aLinkWithAnUnknownTypeIsReported() throws {
        let t = "permit(principal in ?principal, action, resource);"
        let good = TemplateLink(templateID: "policy0", newID: "link0", values: [.principal: EntityUID("Group", "g")])
        #expect(try errors(t, links: [good]).isEmpty)
        let unknown = TemplateLink(templateID: "policy0", newID: "link1", values: [.principal: EntityUID("Nope", "x")])
        let es = try errors(t, links: [unknown])
        #expect(es.contains { $0.message.contains("`link1`") && $0.message.contains("unrecognized entity type `Nope`") })
    }

    @Test func aLinkThatNoActionCanApplyToIsReported() throws {
        let t = "permit(principal == ?principal, action, resource);"
        let doc = TemplateLink(templateID: "policy0", newID: "link0", values: [.principal: EntityUID("Doc", "d")])
        let es = try errors(t, links: [doc])
        #expect(es.contains { $0.message.contains("`link0`") && $0.message.contains("unable to find an applicable action") })
    }
}
