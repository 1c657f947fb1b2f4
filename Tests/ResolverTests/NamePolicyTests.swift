import PolicyCompiler
import Testing
@testable import Resolver

@Suite struct NamePolicyTests {
    let policy = NamePolicy(compiledTestPolicy())

    @Test func allowedAndForbiddenNames() {
        #expect(policy.decide(name: "api.anthropic.test", address: ip("127.0.0.10")).allow)
        #expect(policy.decide(name: "x.y.anthropic.test", address: ip("2001:db8::1")).allow)
        let evil = policy.decide(name: "evil.test", address: ip("127.0.0.20"))
        #expect(!evil.allow)
        #expect(policy.describe(rule: evil.rule).contains("@id(\"no-evil\")"))
        let unknown = policy.decide(name: "unknown.test", address: ip("127.0.0.30"))
        #expect(!unknown.allow && unknown.rule == nil)
        #expect(policy.describe(rule: nil).contains("default deny"))
    }

    @Test func anAllowedNameOnAForbiddenAddressIsDenied() {
        #expect(!policy.decide(name: "api.anthropic.test", address: ip("127.0.0.66")).allow)
    }

    @Test func aNameIsAllowedWhenSomePortIsAllowed() {
        // lab-net only allows port 8080, by address: any name on that network may be bound.
        #expect(policy.decide(name: "printer.lab.test", address: ip("10.9.3.4")).allow)
        #expect(!policy.decide(name: "printer.lab.test", address: ip("10.8.3.4")).allow)
    }

    @Test func couldAllowCountsOnlyPermitsThatDependOnTheName() {
        #expect(policy.couldAllow(name: "api.anthropic.test").allow)
        #expect(!policy.couldAllow(name: "evil.test").allow)
        // lab-net opens 10.9.0.0/16 by address, whatever the name: that makes no name worth
        // forwarding (it would let any query name leave the machine). Direct connects to
        // 10.9.x.y are still decided by lab-net.
        #expect(!policy.couldAllow(name: "printer.lab.test").allow)
        #expect(!policy.couldAllow(name: "unknown.test").allow)
        #expect(policy.decide(name: "printer.lab.test", address: ip("10.9.3.4")).allow)
        let closed = NamePolicy(compiledTestPolicy("""
        permit (principal, action == Action::"NetworkConnect", resource) when { resource in Host::"api.anthropic.test" };
        """))
        #expect(!closed.couldAllow(name: "unknown.test").allow)
        #expect(closed.couldAllow(name: "api.anthropic.test").allow)
    }

    @Test func couldAllowMatchesAnExhaustiveSearchOverAddresses() {
        // The candidate addresses must cover every class: compare with brute force over
        // every IPv4 /24 boundary around the ranges and a sample of other addresses.
        let p = NamePolicy(compiledTestPolicy("""
        permit (principal, action == Action::"NetworkConnect", resource)
        when { resource in Host::"*.test" && resource has ip && resource.ip.isInRange(ip("10.9.0.0/16")) && !resource.ip.isInRange(ip("10.9.0.0/24")) };
        """))
        #expect(p.couldAllow(name: "any.test").allow)
        #expect(!p.couldAllow(name: "any.example").allow)
        #expect(p.decide(name: "any.test", address: ip("10.9.1.0")).allow)
        #expect(!p.decide(name: "any.test", address: ip("10.9.0.200")).allow)
        #expect(NamePolicy.addressAfter(ip("10.9.0.0/24")) == ip("10.9.1.0"))
        #expect(NamePolicy.addressAfter(ip("255.255.255.255/32")) == nil)
        #expect(NamePolicy.addressAfter(ip("2001:db8::/32")) == ip("2001:db9::"))
    }

    @Test func aPort53RuleDoesNotAllowEveryName() {
        // Port 53 always goes to leash's resolver, so "permit port 53" lets the sandbox ask
        // questions; it must not bind every answered name.
        let p = NamePolicy(compiledTestPolicy("""
        permit (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource) when { resource.port == 53 };
        permit (principal, action == Action::"NetworkConnect", resource) when { resource.port == 443 && resource in Host::"api.anthropic.test" };
        """))
        #expect(!p.decide(name: "exfil.test", address: ip("192.0.2.7")).allow)
        #expect(p.decide(name: "api.anthropic.test", address: ip("192.0.2.8")).allow)
        #expect(NamePolicy.representativePorts(starts: [0, 53, 54]) == [0, 54, 443])
        #expect(NamePolicy.representativePorts(starts: [0, 53, 60]) == [0, 54, 60, 443])
    }
}
