import Testing
@testable import CedarSyntax

@Suite struct SmokeTests {
    @Test func parsesAPolicy() throws {
        let set = try CedarParser.parsePolicySet("""
        @id("x") permit(principal == User::"alice", action in [Action::"read"], resource is File in Folder::"f")
        when { context.a.b > -5 && resource has x.y } unless { ip("1.2.3.4").isInRange(ip("1.2.3.0/24")) };
        forbid(principal, action, resource == ?resource);
        """)
        #expect(set.policies.count == 1)
        #expect(set.templates.count == 1)
        #expect(set.templates[0].id == "policy1")
        #expect(set.policies[0].principal == .eq(.entity(EntityUID("User", "alice"))))
    }

    @Test func reportsSeveralErrors() {
        do {
            _ = try CedarParser.parsePolicySet("permit(principal, action, resource) when { 1 < 2 < 3 };\nforbid(principal, actoin, resource);\npermit(principal,action,resource) when { \"\\q\" };")
            Issue.record("expected errors")
        } catch let e as DiagnosticError {
            #expect(e.diagnostics.count == 3)
        } catch { Issue.record("\(error)") }
    }
}
