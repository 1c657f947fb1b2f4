// One accepted or rejected case per strict-validation rule. Every expected verdict
// was first obtained from cedarpy (Rust cedar-policy) on the same schema and policy.

import CedarSyntax
import CedarValidator
import Testing

let ruleSchema = """
type Addr = { street: String, zip?: Long };
entity Group in [Group] { name: String };
entity User in [Group] { name: String, age?: Long, addr: Addr, roles: Set<String>, boss?: User, ip: ipaddr, since: datetime } tags String;
entity Doc { owner: User, size: Long, level: decimal, ttl: duration };
entity Color enum ["red", "green"];
action read appliesTo { principal: [User], resource: [Doc], context: { mfa: Bool, src?: ipaddr } };
action write in [read] appliesTo { principal: [User, Group], resource: [Doc] };
action audit;
"""

struct RuleCase: CustomStringConvertible, Sendable {
    var rule: String
    var policy: String
    var valid: Bool
    var description: String { rule }
}

let ruleCases: [RuleCase] = [
    RuleCase(rule: "required attribute", policy: "permit(principal, action == Action::\"read\", resource) when { principal.name == \"a\" };", valid: true),
    RuleCase(rule: "unknown attribute", policy: "permit(principal, action == Action::\"read\", resource) when { principal.nick == \"a\" };", valid: false),
    RuleCase(rule: "optional attribute without has", policy: "permit(principal, action == Action::\"read\", resource) when { principal.age > 1 };", valid: false),
    RuleCase(rule: "optional attribute after has", policy: "permit(principal, action == Action::\"read\", resource) when { principal has age && principal.age > 1 };", valid: true),
    RuleCase(rule: "has guard does not cross ||", policy: "permit(principal, action == Action::\"read\", resource) when { principal has age || principal.age > 1 };", valid: false),
    RuleCase(rule: "has guard in if", policy: "permit(principal, action == Action::\"read\", resource) when { if principal has age then principal.age > 1 else true };", valid: true),
    RuleCase(rule: "nested optional record attribute", policy: "permit(principal, action == Action::\"read\", resource) when { principal.addr.zip == 1 };", valid: false),
    RuleCase(rule: "nested has", policy: "permit(principal, action == Action::\"read\", resource) when { principal.addr has zip && principal.addr.zip == 1 };", valid: true),
    RuleCase(rule: "optional context attribute", policy: "permit(principal, action == Action::\"read\", resource) when { context.src.isLoopback() };", valid: false),
    RuleCase(rule: "context attribute of another action", policy: "permit(principal, action, resource) when { context.mfa };", valid: false),
    RuleCase(rule: "lub of entity types in if", policy: "permit(principal, action == Action::\"read\", resource) when { (if context.mfa then principal else resource) == principal };", valid: false),
    RuleCase(rule: "lub of records with different shapes", policy: "permit(principal, action, resource) when { (if principal.name == \"\" then {a: 1} else {b: 1}) == {a: 1} };", valid: false),
    RuleCase(rule: "mixed set", policy: "permit(principal, action, resource) when { [1, \"a\"].contains(1) };", valid: false),
    RuleCase(rule: "empty set literal", policy: "permit(principal, action, resource) when { [].isEmpty() };", valid: false),
    RuleCase(rule: "== on unrelated primitive types", policy: "permit(principal, action == Action::\"read\", resource) when { resource.size == \"a\" };", valid: false),
    RuleCase(rule: "== on two literals of different types", policy: "permit(principal, action, resource) when { 1 == \"a\" };", valid: true),
    RuleCase(rule: "== on disjoint entity types", policy: "permit(principal, action == Action::\"read\", resource) when { principal == resource };", valid: true),
    RuleCase(rule: "in where impossible short-circuits", policy: "permit(principal, action == Action::\"read\", resource) when { resource in Group::\"g\" && resource.nope };", valid: true),
    RuleCase(rule: "in where possible", policy: "permit(principal, action == Action::\"read\", resource) when { principal in Group::\"g\" && principal.nope };", valid: false),
    RuleCase(rule: "contains with wrong element type", policy: "permit(principal, action == Action::\"read\", resource) when { principal.roles.contains(1) };", valid: false),
    RuleCase(rule: "containsAll of sets of different types", policy: "permit(principal, action == Action::\"read\", resource) when { principal.roles.containsAll([1]) };", valid: false),
    RuleCase(rule: "extension method", policy: "permit(principal, action == Action::\"read\", resource) when { principal.ip.isInRange(ip(\"10.0.0.0/8\")) };", valid: true),
    RuleCase(rule: "extension wrong arity", policy: "permit(principal, action == Action::\"read\", resource) when { principal.ip.isInRange() };", valid: false),
    RuleCase(rule: "extension wrong argument type", policy: "permit(principal, action == Action::\"read\", resource) when { principal.ip.isInRange(resource.level) };", valid: false),
    RuleCase(rule: "invalid constructor literal", policy: "permit(principal, action, resource) when { ip(\"10.0.0.300\") == ip(\"10.0.0.1\") };", valid: false),
    RuleCase(rule: "non-literal constructor argument", policy: "permit(principal, action == Action::\"read\", resource) when { decimal(principal.name) == resource.level };", valid: false),
    RuleCase(rule: "decimal comparison method", policy: "permit(principal, action == Action::\"read\", resource) when { resource.level.lessThan(decimal(\"1.5\")) };", valid: true),
    RuleCase(rule: "< on decimal", policy: "permit(principal, action == Action::\"read\", resource) when { resource.level < decimal(\"1.5\") };", valid: false),
    RuleCase(rule: "< on datetime and duration", policy: "permit(principal, action == Action::\"read\", resource) when { principal.since < datetime(\"2024-01-01\") && resource.ttl >= duration(\"1h\") };", valid: true),
    RuleCase(rule: "datetime arithmetic", policy: "permit(principal, action == Action::\"read\", resource) when { principal.since.offset(resource.ttl).durationSince(principal.since).toHours() > 1 };", valid: true),
    RuleCase(rule: "arithmetic on strings", policy: "permit(principal, action, resource) when { \"a\" + 1 > 1 };", valid: false),
    RuleCase(rule: "non-boolean condition", policy: "permit(principal, action, resource) when { 1 };", valid: false),
    RuleCase(rule: "non-boolean && operand", policy: "permit(principal, action, resource) when { true && 1 };", valid: false),
    RuleCase(rule: "short-circuit skips bad right operand", policy: "permit(principal, action, resource) when { false && 1 };", valid: true),
    RuleCase(rule: "like on entity", policy: "permit(principal, action == Action::\"read\", resource) when { principal like \"a\" };", valid: false),
    RuleCase(rule: "is always false short-circuits", policy: "permit(principal, action == Action::\"read\", resource) when { principal is Doc && principal.nope };", valid: true),
    RuleCase(rule: "unknown entity type in scope", policy: "permit(principal is Nope, action, resource);", valid: false),
    RuleCase(rule: "unknown entity type literal", policy: "permit(principal, action, resource) when { principal == Nope::\"x\" };", valid: false),
    RuleCase(rule: "unknown action", policy: "permit(principal, action == Action::\"nope\", resource);", valid: false),
    RuleCase(rule: "no applicable action", policy: "permit(principal is Group, action == Action::\"read\", resource);", valid: false),
    RuleCase(rule: "action group applies through members", policy: "permit(principal is Group, action in Action::\"read\", resource);", valid: true),
    RuleCase(rule: "action without appliesTo", policy: "permit(principal, action == Action::\"audit\", resource);", valid: false),
    RuleCase(rule: "action in action literals is decided", policy: "permit(principal, action == Action::\"write\", resource) when { action in Action::\"read\" };", valid: true),
    RuleCase(rule: "enum entity with declared id", policy: "permit(principal, action, resource) when { Color::\"red\" == Color::\"green\" };", valid: true),
    RuleCase(rule: "enum entity with undeclared id", policy: "permit(principal, action, resource) when { Color::\"blue\" == Color::\"red\" };", valid: false),
    RuleCase(rule: "tag access without hasTag", policy: "permit(principal, action == Action::\"read\", resource) when { principal.getTag(\"k\") == \"v\" };", valid: false),
    RuleCase(rule: "tag access after hasTag", policy: "permit(principal, action == Action::\"read\", resource) when { principal.hasTag(\"k\") && principal.getTag(\"k\") == \"v\" };", valid: true),
    RuleCase(rule: "tag on entity without tags", policy: "permit(principal, action == Action::\"read\", resource) when { resource.hasTag(\"k\") && resource.getTag(\"k\") == \"v\" };", valid: true),
    RuleCase(rule: "record literal attribute access", policy: "permit(principal, action, resource) when { {a: 1, b: \"x\"}.a == 1 };", valid: true),
    RuleCase(rule: "template slot", policy: "permit(principal in ?principal, action == Action::\"read\", resource) when { principal.name == \"x\" };", valid: true),
    RuleCase(rule: "unless negates", policy: "permit(principal, action == Action::\"read\", resource) unless { principal.age > 1 };", valid: false),
]

@Suite struct ValidationRuleTests {
    static let schema = try! Schema.parse(cedarschema: ruleSchema, file: "rules.cedarschema")

    @Test(arguments: ruleCases)
    func rule(_ c: RuleCase) throws {
        let policies = try CedarParser.parsePolicySet(c.policy, file: "policy.cedar")
        let errors = Validator.validate(policies, schema: Self.schema)
        #expect(errors.isEmpty == c.valid, "\(c.rule): \(errors.map(\.description))")
        // Every error names its policy.
        for e in errors { #expect(e.message.contains("`policy0`")) }
    }
}
