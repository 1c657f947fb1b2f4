// Both schema syntaxes, name resolution, and schema errors with their positions.
// Expected acceptances and rejections were checked against cedarpy first.

import CedarSyntax
@testable import CedarValidator
import Testing

/// The meaning of an entity type, without source positions.
struct EntityShape: Equatable {
    var memberOf: Set<Name>
    var attributes: SchemaRecord
    var tags: SchemaType?
    var enumChoices: [String]?
    init(_ d: EntityTypeDefinition) {
        memberOf = Set(d.memberOf); attributes = d.attributes; tags = d.tags; enumChoices = d.enumChoices
    }
}

struct ActionShape: Equatable {
    var memberOf: Set<EntityUID>
    var appliesTo: ActionDefinition.AppliesTo?
    init(_ d: ActionDefinition) { memberOf = Set(d.memberOf); appliesTo = d.appliesTo }
}

func shapes(_ s: Schema) -> ([Name: EntityShape], [EntityUID: ActionShape]) {
    (s.entityTypes.mapValues(EntityShape.init), s.actions.mapValues(ActionShape.init))
}

func schemaErrors(_ body: () throws -> Schema) -> [Diagnostic] {
    do { _ = try body(); return [] } catch let e as DiagnosticError { return e.diagnostics } catch { return [] }
}

@Suite struct SchemaParsingTests {
    static let human = """
        namespace App {
          type Addr = { street: String, "zip code"?: Long };
          entity Group in [Group];
          entity User in [Group] { name: String, addr: Addr, boss?: User, seen: Set<datetime> } tags Set<String>;
          entity Color enum ["red", "green"];
          action read appliesTo { principal: [User], resource: [User, Group], context: { ip: ipaddr } };
          action "write", delete in [read] appliesTo { principal: User, resource: Group };
        }
        """

    static let json = """
        {"App": {
          "commonTypes": {"Addr": {"type": "Record", "attributes": {
            "street": {"type": "String"}, "zip code": {"type": "Long", "required": false}}}},
          "entityTypes": {
            "Group": {"memberOfTypes": ["Group"]},
            "User": {"memberOfTypes": ["Group"], "shape": {"type": "Record", "attributes": {
              "name": {"type": "String"}, "addr": {"type": "Addr"},
              "boss": {"type": "Entity", "name": "User", "required": false},
              "seen": {"type": "Set", "element": {"type": "Extension", "name": "datetime"}}}},
              "tags": {"type": "Set", "element": {"type": "String"}}},
            "Color": {"enum": ["red", "green"]}},
          "actions": {
            "read": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": ["User", "Group"],
              "context": {"type": "Record", "attributes": {"ip": {"type": "Extension", "name": "ipaddr"}}}}},
            "write": {"memberOf": [{"id": "read"}], "appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Group"]}},
            "delete": {"memberOf": [{"id": "read", "type": "App::Action"}], "appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Group"]}}}
        }}
        """

    @Test func bothSyntaxesMeanTheSame() throws {
        let a = try Schema.parse(cedarschema: Self.human, file: "s.cedarschema")
        let b = try Schema.parse(json: Self.json, file: "s.json")
        #expect(shapes(a).0 == shapes(b).0)
        #expect(shapes(a).1 == shapes(b).1)
    }

    @Test func namesAreQualifiedAndCommonTypesInlined() throws {
        let s = try Schema.parse(cedarschema: Self.human, file: "s.cedarschema")
        let user = try #require(s.entityTypes[Name(qualified: "App::User")])
        #expect(user.memberOf == [Name(qualified: "App::Group")])
        #expect(user.attributes.attributes["boss"] == SchemaAttribute(type: .entity(Name(qualified: "App::User")), required: false))
        #expect(user.attributes.attributes["addr"]?.type == .record(SchemaRecord([
            "street": SchemaAttribute(type: .string), "zip code": SchemaAttribute(type: .long, required: false),
        ])))
        #expect(user.tags == .set(.string))
        #expect(s.entityTypes[Name(qualified: "App::Color")]?.enumChoices == ["red", "green"])
        let write = try #require(s.actions[EntityUID("App::Action", "write")])
        #expect(write.memberOf == [EntityUID("App::Action", "read")])
        #expect(write.appliesTo?.principals == [Name(qualified: "App::User")])
    }

    @Test func hierarchiesAreTransitivelyClosed() throws {
        let s = try Schema.parse(cedarschema: """
            entity A; entity B in [A]; entity C in [B];
            action all; action some in [all]; action one in [some];
            """, file: "s")
        #expect(s.entityTypesIn(Name(qualified: "A")) == [Name(qualified: "A"), Name(qualified: "B"), Name(qualified: "C")])
        #expect(s.entityTypesIn(Name(qualified: "C")) == [Name(qualified: "C")])
        #expect(s.actionsIn([EntityUID("Action", "all")]) == [EntityUID("Action", "all"), EntityUID("Action", "some"), EntityUID("Action", "one")])
        #expect(s.actionsIn([EntityUID("Action", "nope")]) == nil)
    }

    @Test func aCommonTypeInTheNamespaceWinsOverTheEmptyNamespace() throws {
        // Inside `N`, `T` means `N::T`; outside it means the empty namespace's `T`.
        let s = try Schema.parse(cedarschema: """
            type T = Long;
            entity E { t: T };
            namespace N { type U = String; entity F { t: T, u: U, e: E }; }
            """, file: "s")
        #expect(s.entityTypes[Name(qualified: "E")]?.attributes.attributes["t"]?.type == .long)
        let f = try #require(s.entityTypes[Name(qualified: "N::F")])
        #expect(f.attributes.attributes["t"]?.type == .long)
        #expect(f.attributes.attributes["u"]?.type == .string)
        #expect(f.attributes.attributes["e"]?.type == .entity(Name(qualified: "E")))
    }

    @Test func commentsAndTrailingCommasAreAccepted() throws {
        let s = try Schema.parse(cedarschema: """
            // users
            @doc("a person")
            entity User { "a b": Long, };  // trailing comma
            action "read", write appliesTo { principal: User, resource: User, context: {}, };
            """, file: "s")
        #expect(s.entityTypes[Name(qualified: "User")]?.attributes.attributes["a b"]?.type == .long)
        #expect(s.actions.count == 2)
    }

    // Rejections cedarpy also rejects, each with the position of the offending text.

    @Test func missingResourceIsAnError() {
        let d = schemaErrors { try Schema.parse(cedarschema: "entity User;\naction read appliesTo { principal: [User] };", file: "s.cedarschema") }
        #expect(d.count == 1)
        #expect(d.first?.message.contains("missing `resource`") == true)
        #expect(d.first?.range.start.line == 2)
        #expect(d.first?.range.start.column == 13)
    }

    @Test func emptyPrincipalListIsAnError() {
        let d = schemaErrors { try Schema.parse(cedarschema: "entity User; action read appliesTo { principal: [], resource: User };", file: "s") }
        #expect(d.first?.message.contains("`principal` is `[]`") == true)
    }

    @Test func shadowingTheEmptyNamespaceIsAnError() {
        let d = schemaErrors { try Schema.parse(cedarschema: "entity User;\nnamespace A { entity User; }", file: "s") }
        #expect(d.first?.message == "definition of `A::User` illegally shadows the existing definition of `User`")
        #expect(d.first?.range.start.line == 2)
    }

    @Test func reservedTypeNameIsAnError() {
        let d = schemaErrors { try Schema.parse(cedarschema: "type Long = String;", file: "s") }
        #expect(d.first?.message.contains("reserved") == true)
    }

    @Test(arguments: ["entity in;", "entity U { if: Long };", "action true;", "namespace like { entity U; }", "type has = Long;",
                      "entity __cedar;", "namespace __cedar { entity U; }", "entity Action;",
                      #"{"": {"entityTypes": {"is": {}}, "actions": {}}}"#])
    func reservedNamesAreErrors(_ text: String) {
        let d = schemaErrors { text.hasPrefix("{") ? try Schema.parse(json: text, file: "s") : try Schema.parse(cedarschema: text, file: "s") }
        #expect(d.count == 1, "\(text)")
    }

    @Test func reservedWordsMayBeQuotedAttributeNamesAndKeywordsAreOrdinaryNames() throws {
        let s = try Schema.parse(cedarschema: #"entity namespace { "in": Long, entity: Long, action: Long }; action type;"#, file: "s")
        #expect(s.entityTypes[Name(qualified: "namespace")]?.attributes.attributes.keys.sorted() == ["action", "entity", "in"])
        #expect(s.actions[EntityUID("Action", "type")] != nil)
    }

    @Test(arguments: ["entity U in [U,];", #"entity C enum ["a",];"#, "entity U; action r in [];", "action s; action r in [s,];",
                      "entity U; action r appliesTo { principal: [U,], resource: U };"])
    func bracketListsTakeNoTrailingComma(_ text: String) {
        #expect(schemaErrors { try Schema.parse(cedarschema: text, file: "s") }.count == 1, "\(text)")
    }

    @Test func anEmptyParentListIsAllowed() throws {
        #expect(try Schema.parse(cedarschema: "entity U in [];", file: "s").entityTypes.count == 1)
    }

    @Test func anUnusedCommonTypeMustStillResolve() {
        let d = schemaErrors { try Schema.parse(cedarschema: "type A = {street: Strng};\nentity U;", file: "s") }
        #expect(d.first?.message == "failed to resolve type `Strng`")
        #expect(d.first?.range.start.column == 19)
    }

    @Test func aNamespacedActionMayNotShadowOneInTheEmptyNamespace() {
        let d = schemaErrors { try Schema.parse(cedarschema: "action read;\nnamespace N { action read; }", file: "s") }
        #expect(d.first?.message.contains("illegally shadows the existing definition of `Action::\"read\"`") == true)
        #expect(d.first?.range.start.line == 2)
    }

    @Test func aRepeatedAttributeKeepsItsLastType() throws {
        let s = try Schema.parse(cedarschema: "entity U { a: Long, a: String };", file: "s")
        #expect(s.entityTypes[Name(qualified: "U")]?.attributes.attributes["a"]?.type == .string)
    }

    @Test func blockCommentsAreNotSchemaSyntax() {
        let d = schemaErrors { try Schema.parse(cedarschema: "entity User /* x */;", file: "s") }
        #expect(d.first?.range.start.column == 13)
    }

    @Test func undeclaredTypesAreReportedWhereTheyAreUsed() {
        let d = schemaErrors { try Schema.parse(cedarschema: "entity User in [Team];\nentity Doc { owner: Person };", file: "s") }
        #expect(d.count == 2)
        #expect(d.map(\.range.start.line).sorted() == [1, 2])
        #expect(d.contains { $0.message.contains("`Team`") && $0.range.start.column == 17 })
        #expect(d.contains { $0.message.contains("`Person`") && $0.range.start.column == 21 })
    }

    @Test func undeclaredParentActionIsAnError() {
        let d = schemaErrors { try Schema.parse(cedarschema: "action read in [all];", file: "s") }
        #expect(d.first?.message.contains("undeclared action") == true)
    }

    @Test func actionCyclesAreErrors() {
        let d = schemaErrors { try Schema.parse(cedarschema: "action a in [b]; action b in [a];", file: "s") }
        #expect(d.first?.message.contains("cycle") == true)
    }

    @Test func contextMustBeARecord() {
        let d = schemaErrors { try Schema.parse(cedarschema: "entity U; action a appliesTo { principal: U, resource: U, context: Long };", file: "s") }
        #expect(d.first?.message.contains("must be a record") == true)
    }

    @Test func commonTypeCyclesAreErrors() {
        let d = schemaErrors { try Schema.parse(cedarschema: "type A = B; type B = { a: A }; entity E { a: A };", file: "s") }
        #expect(d.first?.message.contains("refers to itself") == true)
    }

    @Test func jsonErrorsCarryPositions() {
        let d = schemaErrors { try Schema.parse(json: "{\"\": {\"entityTypes\": {},\n \"actions\": {\"a\": {\"appliesTo\": {\"principalTypes\": [\"Nope\"], \"resourceTypes\": []}}}}}", file: "s.json") }
        #expect(d.first?.message == "undeclared entity type `Nope`")
        #expect(d.first?.range.start.line == 2)
        #expect(d.first?.range.start.column == 53)
    }

    @Test func jsonSyntaxErrorsArePositioned() {
        let d = schemaErrors { try Schema.parse(json: "{\"\": {\"entityTypes\": {}\n, \"actions\": {,}}}", file: "s.json") }
        #expect(d.first?.range.start.line == 2)
        #expect(d.first?.range.file == "s.json")
    }

    @Test func aBareJSONTypeNameIsACommonTypeNotAnEntityType() {
        let entityRef = #"{"": {"entityTypes": {"U": {"shape": {"type": "Record", "attributes": {"x": {"type": "U"}}}}}, "actions": {}}}"#
        #expect(schemaErrors { try Schema.parse(json: entityRef, file: "s.json") }.first?.message == "failed to resolve type `U`")
        let either = #"{"": {"entityTypes": {"U": {"shape": {"type": "Record", "attributes": {"x": {"type": "EntityOrCommon", "name": "U"}, "b": {"type": "Bool"}}}}}, "actions": {}}}"#
        #expect(schemaErrors { try Schema.parse(json: either, file: "s.json") }.isEmpty)
    }

    @Test func aJSONRecordTypeNeedsAttributes() {
        let text = #"{"": {"entityTypes": {"U": {"shape": {"type": "Record"}}}, "actions": {}}}"#
        #expect(schemaErrors { try Schema.parse(json: text, file: "s.json") }.first?.message.contains("`attributes`") == true)
    }

    @Test func jsonAcceptsWhatCedarsReaderAccepts() throws {
        // An empty array for a definition (every field absent) and null for optional fields.
        let s = try Schema.parse(json: #"{"": {"entityTypes": {"U": []}, "actions": {"a": [], "b": {"appliesTo": null, "memberOf": null}}}}"#, file: "s.json")
        #expect(s.entityTypes.count == 1)
        #expect(s.actions[EntityUID("Action", "b")]?.appliesTo == nil)
    }

    @Test func jsonNeedsEntityTypesAndActions() {
        let d = schemaErrors { try Schema.parse(json: "{\"\": {\"entityTypes\": {}}}", file: "s.json") }
        #expect(d.first?.message.contains("`actions`") == true)
    }
}
