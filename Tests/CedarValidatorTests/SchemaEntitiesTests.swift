// Entities and contexts read with a schema. Which inputs conform and which do not was
// first checked with cedarpy's is_authorized(..., schema=...) on the same schema.

import CedarEval
import CedarSyntax
import CedarValidator
import Testing

@Suite struct SchemaEntitiesTests {
    static let schema = try! Schema.parse(cedarschema: """
        entity Group;
        entity User in [Group] { name: String, age?: Long, ip: ipaddr, boss?: User } tags Long;
        entity Doc;
        entity Color enum ["red"];
        action read appliesTo { principal: [User], resource: [Doc], context: { n: Long, when?: datetime } };
        action all; action view in [all] appliesTo { principal: User, resource: Doc };
        action c; action b in [c]; action a in [b];
        """, file: "s.cedarschema")

    static func user(_ attrs: String, parents: String = "[]", tags: String? = nil) -> String {
        #"[{"uid": {"type": "User", "id": "a"}, "attrs": \#(attrs), "parents": \#(parents)\#(tags.map { #", "tags": \#($0)"# } ?? "")}]"#
    }

    func conforms(_ json: String) -> Bool {
        (try? Self.schema.parseEntities(json: json)) != nil
    }

    @Test func valuesAreReadByTheirDeclaredTypes() throws {
        let es = try Self.schema.parseEntities(json: Self.user(#"{"name": "x", "ip": "10.0.0.1", "boss": {"type": "User", "id": "b"}}"#))
        let u = try #require(es[EntityUID("User", "a")])
        #expect(u.attrs["ip"] == (try ExtensionFunctions.call("ip", [.string("10.0.0.1")])))
        #expect(u.attrs["boss"] == .entity(EntityUID("User", "b")))
        #expect(u.attrs["name"] == .string("x"))
    }

    @Test func theExtensionEscapeStillWorks() {
        #expect(conforms(Self.user(#"{"name": "x", "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}}"#)))
    }

    @Test func schemaActionsJoinTheStoreWithTheirHierarchy() throws {
        let es = try Self.schema.parseEntities(json: "[]")
        #expect(es.isDescendant(EntityUID("Action", "a"), of: EntityUID("Action", "c")))
        #expect(es.isDescendant(EntityUID("Action", "view"), of: EntityUID("Action", "all")))
        #expect(!es.isDescendant(EntityUID("Action", "read"), of: EntityUID("Action", "all")))
    }

    @Test(arguments: [
        ("required attribute missing", user(#"{"name": "x"}"#)),
        ("undeclared attribute", user(#"{"name": "x", "ip": "10.0.0.1", "zz": 1}"#)),
        ("attribute of the wrong type", user(#"{"name": 1, "ip": "10.0.0.1"}"#)),
        ("entity reference of the wrong type", user(#"{"name": "x", "ip": "10.0.0.1", "boss": {"type": "Doc", "id": "b"}}"#)),
        ("bad extension literal", user(#"{"name": "x", "ip": "10.0.0.999"}"#)),
        ("parent type not allowed", user(#"{"name": "x", "ip": "10.0.0.1"}"#, parents: #"[{"type": "Doc", "id": "g"}]"#)),
        ("tag of the wrong type", user(#"{"name": "x", "ip": "10.0.0.1"}"#, tags: #"{"k": "s"}"#)),
        ("undeclared entity type", #"[{"uid": {"type": "Nope", "id": "x"}, "attrs": {}, "parents": []}]"#),
        ("tags on an entity type without tags", #"[{"uid": {"type": "Doc", "id": "x"}, "attrs": {}, "parents": [], "tags": {"k": 1}}]"#),
        ("undeclared enum id", #"[{"uid": {"type": "Color", "id": "blue"}, "attrs": {}, "parents": []}]"#),
        ("action entity with other parents", #"[{"uid": {"type": "Action", "id": "view"}, "attrs": {}, "parents": []}]"#),
        ("action entity with only direct parents", #"[{"uid": {"type": "Action", "id": "a"}, "attrs": {}, "parents": [{"type": "Action", "id": "b"}]}]"#),
        ("undeclared action entity", #"[{"uid": {"type": "Action", "id": "zzz"}, "attrs": {}, "parents": []}]"#),
        ("attributes on an entity type without any", #"[{"uid": {"type": "Doc", "id": "x"}, "attrs": {"a": 1}, "parents": []}]"#),
    ])
    func nonConformingEntitiesAreRejected(_ c: (String, String)) {
        #expect(!conforms(c.1), "\(c.0)")
    }

    @Test(arguments: [
        ("allowed parent type", user(#"{"name": "x", "ip": "10.0.0.1"}"#, parents: #"[{"type": "Group", "id": "g"}]"#)),
        ("tag of the declared type", user(#"{"name": "x", "ip": "10.0.0.1"}"#, tags: #"{"k": 1}"#)),
        ("action entity matching the schema", #"[{"uid": {"type": "Action", "id": "a"}, "attrs": {}, "parents": [{"type": "Action", "id": "b"}, {"type": "Action", "id": "c"}]}]"#),
        ("declared enum id", #"[{"uid": {"type": "Color", "id": "red"}, "attrs": {}, "parents": []}]"#),
    ])
    func conformingEntitiesAreAccepted(_ c: (String, String)) {
        #expect(conforms(c.1), "\(c.0)")
    }

    @Test func contextIsReadByTheActionsContextType() throws {
        let read = EntityUID("Action", "read")
        let ctx = try Self.schema.parseContext(json: #"{"n": 1, "when": "2024-01-01"}"#, action: read)
        #expect(ctx["n"] == .long(1))
        #expect(ctx["when"] == (try ExtensionFunctions.call("datetime", [.string("2024-01-01")])))
        #expect((try? Self.schema.parseContext(json: "{}", action: read)) == nil)
        #expect((try? Self.schema.parseContext(json: #"{"n": 1, "z": 2}"#, action: read)) == nil)
        #expect((try? Self.schema.parseContext(json: #"{"n": "x"}"#, action: read)) == nil)
        #expect((try? Self.schema.parseContext(json: "{}", action: EntityUID("Action", "zzz"))) == nil)
    }

    @Test func requestsAreCheckedAgainstAppliesTo() {
        let r = Request(principal: EntityUID("User", "a"), action: EntityUID("Action", "read"), resource: EntityUID("Doc", "d"))
        #expect((try? Self.schema.validateRequest(r)) != nil)
        var bad = r
        bad.principal = EntityUID("Doc", "a")
        #expect((try? Self.schema.validateRequest(bad)) == nil)
        bad = r
        bad.action = EntityUID("Action", "all")
        #expect((try? Self.schema.validateRequest(bad)) == nil)
    }
}
