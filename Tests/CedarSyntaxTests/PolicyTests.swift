// Policy heads, templates, annotations, conditions and ids.

import Testing
@testable import CedarSyntax

func policies(_ s: String) throws -> PolicySet { try CedarParser.parsePolicySet(s) }

func rejectsPolicies(_ s: String) -> Bool {
    do { _ = try CedarParser.parsePolicySet(s); return false } catch let e as DiagnosticError {
        return !e.diagnostics.isEmpty
    } catch { return false }
}

@Suite struct PolicyTests {
    let any = "permit(principal, action, resource);"

    @Test func unconstrainedPolicy() throws {
        let set = try policies(any)
        #expect(set.policies == [Policy(id: "policy0", effect: .permit)])
        #expect(set.templates.isEmpty)
        #expect(try policies("forbid ( principal , action , resource ) ;").policies[0].effect == .forbid)
        #expect(try policies("").policies.isEmpty)
        #expect(try policies("// nothing\n").policies.isEmpty)
    }

    @Test func principalAndResourceConstraints() throws {
        let u = EntityUID("User", "a"), g = EntityUID("Group", "g")
        let user = Name(basename: "User")
        let cases: [(String, ScopeConstraint)] = [
            ("principal", .any),
            ("principal == User::\"a\"", .eq(.entity(u))),
            ("principal in Group::\"g\"", .in(.entity(g))),
            ("principal is User", .is(user)),
            ("principal is User in Group::\"g\"", .isIn(user, .entity(g))),
            ("principal == ?principal", .eq(.slot(.principal))),
            ("principal in ?principal", .in(.slot(.principal))),
            ("principal is User in ?principal", .isIn(user, .slot(.principal))),
        ]
        for (src, expected) in cases {
            let p = try policies("permit(\(src), action, resource);")
            #expect((p.policies + p.templates).first?.principal == expected, "\(src)")
            let r = try policies("permit(principal, action, \(src.replacingOccurrences(of: "principal", with: "resource")));")
            let rexpected: ScopeConstraint
            switch expected {
            case .eq(.slot): rexpected = .eq(.slot(.resource))
            case .in(.slot): rexpected = .in(.slot(.resource))
            case .isIn(let n, .slot): rexpected = .isIn(n, .slot(.resource))
            default: rexpected = expected
            }
            #expect((r.policies + r.templates).first?.resource == rexpected, "\(src)")
        }
    }

    @Test func actionConstraints() throws {
        let a = EntityUID("Action", "a"), b = EntityUID("NS::Action", "b")
        #expect(try policies("permit(principal, action == Action::\"a\", resource);").policies[0].action == .eq(a))
        #expect(try policies("permit(principal, action in Action::\"a\", resource);").policies[0].action == .in(a))
        #expect(try policies("permit(principal, action in [Action::\"a\", NS::Action::\"b\",], resource);").policies[0].action
                == .inSet([a, b]))
        #expect(try policies("permit(principal, action in [], resource);").policies[0].action == .inSet([]))
        for bad in ["action == User::\"a\"", "action in [User::\"a\"]", "action is Action", "action == ?principal",
                    "action in [,]"] {
            #expect(rejectsPolicies("permit(principal, \(bad), resource);"), "\(bad)")
        }
    }

    @Test func scopeErrors() {
        for bad in ["permit(action, principal, resource);", "permit(principal, action);",
                    "permit(principal, action, resource, context);", "permit(principal is User == User::\"x\", action, resource);",
                    "permit(principal in [User::\"a\"], action, resource);", "permit(principal in ?resource, action, resource);",
                    "permit(principal, action, resource == ?principal);", "permit(principal == ?foo, action, resource);",
                    "permit(principal == User, action, resource);", "Permit(principal, action, resource);",
                    "permit(principal, action, resource)", "permit(principal, action, resource);;"] {
            #expect(rejectsPolicies(bad), "\(bad)")
        }
    }

    @Test func templatesAndIdsCountTogetherInFileOrder() throws {
        let set = try policies("""
            permit(principal, action, resource);
            permit(principal == ?principal, action, resource);
            forbid(principal, action, resource in ?resource);
            forbid(principal, action, resource) when { true };
            """)
        #expect(set.policies.map(\.id) == ["policy0", "policy3"])
        #expect(set.templates.map(\.id) == ["policy1", "policy2"])
        #expect(set.templates[0].slots == [.principal])
        #expect(set.templates[1].slots == [.resource])
    }

    @Test func annotations() throws {
        let p = try policies("@id(\"x\") @a @if(\"\\u{1F600}\") permit(principal, action, resource);").policies[0]
        #expect(p.annotations == [Annotation(key: "id", value: "x"), Annotation(key: "a", value: nil),
                                  Annotation(key: "if", value: "😀")])
        #expect(p.annotation("a") == "")
        // An @id annotation does not change the policy id, as in Cedar.
        #expect(p.id == "policy0")
        for bad in ["@a(\"1\") @a(\"2\")", "@a()", "@a(1)", "@", "@a::b(\"x\")", "@a(\"\\q\")"] {
            #expect(rejectsPolicies("\(bad) permit(principal, action, resource);"), "\(bad)")
        }
    }

    @Test func conditions() throws {
        let p = try policies("permit(principal, action, resource) when { true } unless { false } when { 1 == 1 };").policies[0]
        #expect(p.conditions.map(\.kind) == [.when, .unless, .when])
        #expect(p.conditions[1].body == Expr(.bool(false)))
        for bad in ["when {}", "when true", "foo { true }", "when { true ", "when { ?principal == principal }"] {
            #expect(rejectsPolicies("permit(principal, action, resource) \(bad);"), "\(bad)")
        }
    }

    @Test func entityUIDsAndNames() throws {
        #expect(try CedarParser.parseEntityUID("User::\"alice\"") == EntityUID("User", "alice"))
        #expect(try CedarParser.parseEntityUID(" A::B::\"x\\ny\" ") == EntityUID(type: Name(path: ["A"], basename: "B"), id: "x\ny"))
        #expect(try CedarParser.parseName("MCP::Server") == Name(path: ["MCP"], basename: "Server"))
        #expect(try CedarParser.parseName("User") == Name(basename: "User"))
        for bad in ["User", "User::alice", "\"x\"", "User::\"a\" x", "if::\"a\"", ""] {
            #expect(throws: DiagnosticError.self, "\(bad)") { try CedarParser.parseEntityUID(bad) }
        }
        for bad in ["", "A::", "A::\"x\"", "if", "A::__cedar", "1A", "A B"] {
            #expect(throws: DiagnosticError.self, "\(bad)") { try CedarParser.parseName(bad) }
        }
    }

    @Test func rangesPointIntoTheSource() throws {
        let src = "permit(\n  principal == User::\"a\",\n  action,\n  resource\n) when { context.x };"
        let p = try policies(src).policies[0]
        #expect(p.principalRange.start.line == 2 && p.principalRange.start.column == 3)
        #expect(p.conditions[0].body.range.start.line == 5 && p.conditions[0].body.range.start.column == 10)
        #expect(p.range.start.line == 1 && p.range.end.line == 5)
    }
}
