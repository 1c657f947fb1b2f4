// The JSON policy format: the exact shapes Cedar uses, and strict reading.

import Testing
@testable import CedarSyntax

@Suite struct PolicyJSONTests {
    @Test func exportsCedarsShapes() throws {
        let set = try CedarParser.parsePolicySet("""
            @a @b("x") permit(principal == User::"a", action in [Action::"r"], resource is F in ?resource)
            when { context.x like "a*" && principal is User } unless { ip("1.2.3.4").isLoopback() };
            """)
        let json = PolicyJSON.export(set)
        #expect(json == #"{"templates":{"policy0":{"effect":"permit","principal":{"op":"==","entity":{"type":"User","id":"a"}},"action":{"op":"in","entity":{"type":"Action","id":"r"}},"resource":{"op":"is","entity_type":"F","in":{"slot":"?resource"}},"conditions":[{"kind":"when","body":{"&&":{"left":{"like":{"left":{".":{"left":{"Var":"context"},"attr":"x"}},"pattern":[{"Literal":"a"},"Wildcard"]}},"right":{"is":{"left":{"Var":"principal"},"entity_type":"User"}}}}},{"kind":"unless","body":{"isLoopback":[{"ip":[{"Value":"1.2.3.4"}]}]}}],"annotations":{"a":null,"b":"x"}}},"staticPolicies":{},"templateLinks":[]}"#)
    }

    @Test func recordsAreWrittenWithSortedKeysAndStringsEscaped() throws {
        let e = try CedarParser.parseExpression(#"{b: "\n\u{1}é", a: -9223372036854775808, "": [User::"x"]}"#)
        #expect(PolicyJSON.export(e) == #"{"Record":{"":{"Set":[{"Value":{"__entity":{"type":"User","id":"x"}}}]},"a":{"Value":-9223372036854775808},"b":{"Value":"\n\u0001é"}}}"#)
    }

    @Test func linksRoundTrip() throws {
        var set = try CedarParser.parsePolicySet("permit(principal == ?principal, action, resource);")
        set.links = [TemplateLink(templateID: "policy0", newID: "alice",
                                  values: [.principal: EntityUID("User", "alice")])]
        let json = PolicyJSON.export(set)
        #expect(json.contains(#""templateLinks":[{"templateId":"policy0","newId":"alice","values":{"?principal":{"type":"User","id":"alice"}}}]"#))
        #expect(try PolicyJSON.importPolicies(json: json) == set)
    }

    @Test func readsValueForms() throws {
        func body(_ b: String) throws -> Expr {
            let json = #"{"effect":"permit","principal":{"op":"All"},"action":{"op":"All"},"resource":{"op":"All"},"conditions":[{"kind":"when","body":"# + b + "}]}"
            return try PolicyJSON.importPolicies(json: json).policies[0].conditions[0].body
        }
        #expect(try body(#"{"Value":{"a":[1,true]}}"#)
                == Expr(.record([("a", Expr(.set([Expr(.long(1)), Expr(.bool(true))])))])))
        #expect(try body(#"{"Value":{"__extn":{"fn":"ip","arg":"1.2.3.4"}}}"#) == Expr(.call("ip", [Expr(.string("1.2.3.4"))])))
        #expect(try body(#"{"Value":{"__entity":{"type":"A::B","id":"x"}}}"#)
                == Expr(.entity(EntityUID(type: Name(path: ["A"], basename: "B"), id: "x"))))
        #expect(try body(#"{"like":{"left":{"Var":"principal"},"pattern":[{"Literal":"ab*"},"Wildcard"]}}"#)
                == Expr(.like(Expr(.variable(.principal)), Pattern([.char("a"), .char("b"), .char("*"), .wildcard]))))
        #expect(try body(#"{"lessThan":[{"Value":1}]}"#) == Expr(.call("lessThan", [Expr(.long(1))])))
    }

    @Test func rejectsWhatCedarRejects() {
        let bodies = [#"{"foo":[]}"#, #"{"Slot":"?principal"}"#, #"{"Var":"foo"}"#, #"{"Value":1.5}"#, #"{"Value":null}"#,
                      #"{"+":{"left":{"Value":1},"right":{"Value":2}},"x":1}"#,
                      #"{"==":{"left":{"Value":1},"right":{"Value":2},"extra":1}}"#,
                      #"{"Value":{"__entity":{"type":"if","id":"b"}}}"#, #"{"is":{"left":{"Var":"principal"},"entity_type":"if"}}"#,
                      #"{"contains":[{"Value":1}]}"#, #"[]"#]
        for b in bodies {
            let json = #"{"staticPolicies":{"p":{"effect":"permit","principal":{"op":"All"},"action":{"op":"All"},"resource":{"op":"All"},"conditions":[{"kind":"when","body":"# + b + "}]}},\"templates\":{},\"templateLinks\":[]}"
            #expect(throws: DiagnosticError.self, "\(b)") { try PolicyJSON.importPolicies(json: json) }
        }
        let policies = [#"{"effect":"permit","principal":{"op":"All"},"action":{"op":"is","entity_type":"Action"},"resource":{"op":"All"},"conditions":[]}"#,
                        #"{"effect":"permit","principal":{"op":"All"},"action":{"op":"All"},"resource":{"op":"All"}}"#,
                        #"{"effect":"allow","principal":{"op":"All"},"action":{"op":"All"},"resource":{"op":"All"},"conditions":[]}"#,
                        #"{"effect":"permit","principal":{"op":"==","slot":"?resource"},"action":{"op":"All"},"resource":{"op":"All"},"conditions":[]}"#,
                        "{", "[1,", #"{"effect":"permit""#]
        for p in policies {
            #expect(throws: DiagnosticError.self, "\(p)") { try PolicyJSON.importPolicies(json: p) }
        }
    }

    @Test func errorsNameTheJSONPath() {
        let json = #"{"staticPolicies":{"p1":{"effect":"permit","principal":{"op":"All"},"action":{"op":"All"},"resource":{"op":"All"},"conditions":[{"kind":"when","body":{"&&":{"left":{"Value":true},"right":{"Var":"me"}}}}]}},"templates":{},"templateLinks":[]}"#
        do { _ = try PolicyJSON.importPolicies(json: json); Issue.record("accepted") } catch let e as DiagnosticError {
            #expect(e.diagnostics.first?.message.hasPrefix("staticPolicies.p1.conditions[0].body.&&.right:") == true,
                    "\(e.diagnostics)")
        } catch { Issue.record("\(error)") }
        do { _ = try PolicyJSON.importPolicies(json: "{\n  \"templates\": ]"); Issue.record("accepted") } catch let e as DiagnosticError {
            #expect(e.diagnostics.first.map { "\($0.range.start)" } == "2:16")
        } catch { Issue.record("\(error)") }
    }
}
