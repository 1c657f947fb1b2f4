// Reading values with a known type (what a schema gives): the shorter spellings the Rust
// engine accepts then, and conformance errors. Checked against cedarpy with a schema.

import CedarEval
import CedarSyntax
import Foundation
import Testing

@Suite struct TypedValueJSONTests {
    static let user = ExpectedType.record([
        "ip": ExpectedAttribute(.ext("ipaddr")), "d": ExpectedAttribute(.ext("decimal")),
        "dt": ExpectedAttribute(.ext("datetime")), "du": ExpectedAttribute(.ext("duration")),
        "boss": ExpectedAttribute(.entity(Name(qualified: "User")), required: false),
        "s": ExpectedAttribute(.set(.entity(Name(qualified: "User")))),
        "r": ExpectedAttribute(.record(["a": ExpectedAttribute(.entity(Name(qualified: "User"))),
                                        "b": ExpectedAttribute(.ext("ipaddr"))])),
    ])
    static let base = #""ip": "10.0.0.1", "d": "1.5", "dt": "2024-01-01", "du": "1h", "s": [], "r": {"a": {"type": "User", "id": "b"}, "b": "1.2.3.4"}"#

    func read(_ attrs: String) throws -> [String: Value] {
        guard case .record(let r) = try ValueJSON.value(try JSONNode(parsing: "{\(attrs)}"), expected: Self.user, path: "attrs") else {
            throw ValueJSONError(path: "", message: "not a record")
        }
        return r
    }

    @Test func implicitSpellings() throws {
        let r = try read(Self.base)
        #expect(r["ip"] == .ipaddr(try IPAddr(parsing: "10.0.0.1")))
        #expect(r["d"] == .decimal(try CedarDecimal(parsing: "1.5")))
        #expect(r["dt"] == .datetime(try Datetime(parsing: "2024-01-01")))
        #expect(r["du"] == .duration(try Duration(parsing: "1h")))
        #expect(r["r"] == .record(["a": .entity(EntityUID("User", "b")), "b": .ipaddr(try IPAddr(parsing: "1.2.3.4"))]))
        let fnArg = try read(Self.base.replacingOccurrences(of: #""ip": "10.0.0.1""#, with: #""ip": {"fn": "ip", "arg": "10.0.0.1"}"#))
        #expect(fnArg["ip"] == r["ip"])
        let escaped = try read(Self.base.replacingOccurrences(of: #""ip": "10.0.0.1""#, with: #""ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}"#))
        #expect(escaped["ip"] == r["ip"])
        let withBoss = try read(Self.base + #", "boss": {"__entity": {"type": "User", "id": "c"}}"#)
        #expect(withBoss["boss"] == .entity(EntityUID("User", "c")))
    }

    @Test(arguments: [
        #", "boss": "User::\"c\"""#,                        // entity as a string
        #", "boss": {"type": "Photo", "id": "c"}"#,         // wrong entity type
        #", "extra": 1"#,                                   // undeclared attribute
        #", "s": [{"type": "User", "id": "b"}, "User::\"c\""]"#,
    ])
    func nonConformingValuesAreRejected(_ extra: String) throws {
        // A repeated key would be a JSON error of its own: replace `s` rather than add it.
        let attrs = extra.contains("\"s\"") ? Self.base.replacingOccurrences(of: #""s": [], "#, with: "") + extra : Self.base + extra
        #expect(throws: ValueJSONError.self) { try read(attrs) }
    }

    @Test(arguments: [
        (#""d": "1.5""#, #""d": "1.55555""#), (#""d": "1.5""#, #""d": 1"#), (#""d": "1.5", "#, ""),
    ])
    func badExtensionValuesAndMissingAttributesAreRejected(_ from: String, _ to: String) throws {
        #expect(throws: ValueJSONError.self) { try read(Self.base.replacingOccurrences(of: from, with: to)) }
    }

    @Test func decoderHookReadsEntitiesAndContext() throws {
        let decoder = ValueDecoder(expectedType: { site in
            switch site {
            case .attributes(let uid): return uid.type.qualified == "User" ? Self.user : nil
            case .tags: return .long
            case .context: return .record(["x": ExpectedAttribute(.ext("ipaddr"))])
            }
        })
        let store = try Entities(json: """
            [{"uid": {"type": "User", "id": "a"}, "attrs": {\(Self.base)}, "parents": [], "tags": {"t": 3}},
             {"uid": {"type": "Other", "id": "o"}, "attrs": {"free": "10.0.0.1"}, "parents": []}]
            """, decoder: decoder)
        #expect(store[EntityUID("User", "a")]?.attrs["ip"] == .ipaddr(try IPAddr(parsing: "10.0.0.1")))
        #expect(store[EntityUID("User", "a")]?.tags["t"] == .long(3))
        #expect(store[EntityUID("Other", "o")]?.attrs["free"] == .string("10.0.0.1"))
        #expect(throws: (any Error).self) {
            try Entities(json: #"[{"uid": {"type": "User", "id": "a"}, "attrs": {\#(Self.base)}, "parents": [], "tags": {"t": "x"}}]"#,
                         decoder: decoder)
        }
        let context = try Request.context(json: try JSONNode(parsing: #"{"x": "1.1.1.1"}"#), action: view, decoder: decoder)
        #expect(context["x"] == .ipaddr(try IPAddr(parsing: "1.1.1.1")))
        #expect(throws: (any Error).self) {
            try Request.context(json: try JSONNode(parsing: #"{"x": "1.1.1.1", "y": 1}"#), action: view, decoder: decoder)
        }
        #expect(throws: (any Error).self) { try Request.context(json: try JSONNode(parsing: "{}"), action: view, decoder: decoder) }
    }
}
