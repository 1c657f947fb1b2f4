// Cedar's entity JSON: required fields, escapes, duplicates, cycles, bad input.
// Accept/reject decisions were checked against cedarpy 4.12 first.

import CedarEval
import CedarSyntax
import Testing

@Suite struct EntitiesJSONTests {
    static let store = """
    [
      {"uid": {"type": "User", "id": "a"},
       "attrs": {"e": {"__entity": {"type": "User", "id": "b"}}, "r": {"type": "User", "id": "b"},
                 "x": {"__extn": {"fn": "ip", "arg": "1.2.3.4"}},
                 "x1": {"__extn": {"fn": "ip", "args": ["1.2.3.4"]}},
                 "o": {"__extn": {"fn": "offset", "args": [{"__extn": {"fn": "datetime", "arg": "2024-01-01"}},
                                                          {"__extn": {"fn": "duration", "arg": "1h"}}]}},
                 "lt": {"__extn": {"fn": "lessThan", "args": [{"__extn": {"fn": "decimal", "arg": "1.0"}},
                                                              {"__extn": {"fn": "decimal", "arg": "2.0"}}]}},
                 "rec": {"__extn": {"fn": "datetime", "arg": "2024-01-01"}, "y": 1},
                 "noarg": {"__extn": {"fn": "ip"}},
                 "big": 9223372036854775807, "set": [1, 1, 2], "s": "\\u00e9"},
       "parents": [{"type": "G", "id": "g"}], "tags": {"t": 1, "u": {"__entity": {"type": "User", "id": "b"}}}},
      {"uid": {"__entity": {"type": "G", "id": "g"}}, "attrs": {}, "parents": [{"__entity": {"type": "G", "id": "h"}}]},
      {"uid": {"type": "A::B", "id": "n", "ignored": 1}, "attrs": {}, "parents": [], "extra": true},
      {"uid": {"__entity": {"type": "U", "id": "a"}, "type": "V", "id": "b"}, "attrs": {"k": 1},
       "parents": [{"__entity": {"type": "G", "id": "g"}, "x": 1}]},
      {"uid": {"__entity": {"type": "U"}, "type": "V", "id": "b"}, "attrs": {"k": 2}, "parents": []}
    ]
    """

    @Test(arguments: [
        ("User::\"a\".e == User::\"b\"", T), ("User::\"a\".r == User::\"b\"", F), ("User::\"a\".r has id", T),
        ("User::\"a\".x == ip(\"1.2.3.4\")", T), ("User::\"a\".x1 == ip(\"1.2.3.4\")", T),
        ("User::\"a\".o == datetime(\"2024-01-01T01:00:00Z\")", T), ("User::\"a\".lt", T),
        ("User::\"a\".rec has y", T), ("User::\"a\".noarg has __extn", T),
        ("User::\"a\".big == 9223372036854775807", T), ("User::\"a\".set == [2, 1]", T), ("User::\"a\".s == \"é\"", T),
        ("User::\"a\" in G::\"h\"", T), ("User::\"a\" in G::\"g\"", T), ("G::\"g\" in User::\"a\"", F),
        ("G::\"h\" in G::\"h\"", T), ("G::\"g\" has foo", F), ("A::B::\"n\" has x", F),
        ("User::\"a\".getTag(\"t\") == 1", T), ("User::\"a\".getTag(\"u\") == User::\"b\"", T),
        ("User::\"a\".hasTag(\"v\")", F),
        ("U::\"a\".k == 1 && U::\"a\" in G::\"h\"", T), ("V::\"b\".k == 2", T), ("User::\"a\".getTag(\"v\") == 1", E), ("User::\"a\".missing", E),
    ])
    func readsCedarsFormat(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source, entities(Self.store)) == expected, "\(source)")
    }

    @Test func identicalDuplicatesAreAcceptedDifferentOnesAreNot() throws {
        let one = #"{"uid": {"type": "U", "id": "a"}, "attrs": {"x": 1}, "parents": []}"#
        let other = #"{"uid": {"type": "U", "id": "a"}, "attrs": {"x": 2}, "parents": []}"#
        #expect(try Entities(json: "[\(one), \(one)]").count == 1)
        #expect(throws: EntitiesError.duplicate(EntityUID("U", "a"))) { try Entities(json: "[\(one), \(other)]") }
    }

    @Test func cyclesAreRejected() throws {
        let json = """
        [{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": [{"type": "U", "id": "b"}]},
         {"uid": {"type": "U", "id": "b"}, "attrs": {}, "parents": [{"type": "U", "id": "a"}]}]
        """
        #expect(throws: EntitiesError.self) { try Entities(json: json) }
        let selfLoop = #"[{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": [{"type": "U", "id": "a"}]}]"#
        #expect(throws: EntitiesError.cycle(EntityUID("U", "a"))) { try Entities(json: selfLoop) }
    }

    @Test func deepHierarchiesAreClosedTransitively() throws {
        var items: [String] = []
        for i in 0..<200 {
            items.append(#"{"uid": {"type": "G", "id": "\#(i)"}, "attrs": {}, "parents": [{"type": "G", "id": "\#(i + 1)"}]}"#)
        }
        let store = try Entities(json: "[" + items.joined(separator: ",") + "]")
        #expect(store.isDescendant(EntityUID("G", "0"), of: EntityUID("G", "200")))
        #expect(!store.isDescendant(EntityUID("G", "200"), of: EntityUID("G", "0")))
        #expect(store.ancestors(of: EntityUID("G", "0")).count == 200)
    }

    @Test(arguments: [
        #"[{"uid": {"type": "U", "id": "a"}}]"#,                                         // attrs and parents missing
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {}}]"#,                            // parents missing
        #"[{"uid": {"type": "U", "id": "a"}, "parents": []}]"#,                          // attrs missing
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": 1.5}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": null}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": 9223372036854775808}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": {"__extn": {"fn": "ip", "arg": "1.2.3"}}}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": {"__extn": {"fn": "nope", "arg": "1"}}}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": {"__extn": {"fn": "ip", "arg": 1}}}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": {"__expr": "1"}}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": [], "tags": null}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": {}}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": ["U::\"b\""]}]"#,
        #"[{"uid": "U::\"a\"", "attrs": {}, "parents": []}]"#,
        #"[{"uid": {"type": "U::", "id": "a"}, "attrs": {}, "parents": []}]"#,
        #"[{"uid": {"type": " U", "id": "a"}, "attrs": {}, "parents": []}]"#,
        #"[{"uid": {"type": "if", "id": "a"}, "attrs": {}, "parents": []}]"#,
        #"[{"uid": {"type": "A::is", "id": "a"}, "attrs": {}, "parents": []}]"#,
        #"[{"uid": {"type": "__cedar", "id": "a"}, "attrs": {}, "parents": []}]"#,
        #"{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": []}"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": 1, "x": 2}, "parents": []}]"#,
        #"[{"uid": {"type": "U", "id": "a"}, "attrs": {}, "parents": []},]"#,
        "[",
    ])
    func malformedInputIsAnError(_ json: String) {
        #expect(throws: (any Error).self) { try Entities(json: json) }
    }

    /// The Rust engine's JSON reader stops at 127 levels of arrays and objects.
    @Test func nestingLimitMatchesCedar() throws {
        func store(_ depth: Int) -> String {
            let v = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            return #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": \#(v)}, "parents": []}]"#
        }
        #expect(try Entities(json: store(124)).count == 1)
        #expect(throws: (any Error).self) { try Entities(json: store(125)) }
    }

    @Test func errorsSayWhere() {
        do {
            _ = try Entities(json: "[\n  {\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"attrs\": {\"x\": nul}, \"parents\": []}]")
            Issue.record("accepted bad JSON")
        } catch {
            #expect(String(describing: error).hasPrefix("2:"), "\(error)")
        }
        do {
            _ = try Entities(json: #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": {"y": [null]}}, "parents": []}]"#)
            Issue.record("accepted null")
        } catch {
            #expect(String(describing: error).contains("attrs.x.y[0]"), "\(error)")
        }
    }

    @Test func contextUsesTheSameEncoding() throws {
        let json = try JSONNode(parsing: #"{"ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}, "n": 3, "who": {"__entity": {"type": "User", "id": "b"}}}"#)
        let context = try Request.context(json: json, action: view)
        #expect(context["ip"] == .ipaddr(try IPAddr(parsing: "10.0.0.1")))
        #expect(context["n"] == .long(3))
        #expect(context["who"] == .entity(EntityUID("User", "b")))
        #expect(throws: (any Error).self) { try Request.context(json: .array([]), action: view) }
    }
}
