// Core expression semantics. Every expected outcome below was checked against cedarpy
// 4.12 (the Rust engine) before being written down.

import CedarEval
import CedarSyntax
import Testing

@Suite struct ExpressionTests {
    @Test(arguments: [
        ("1 == 1", T), ("1 == true", F), ("\"a\" == \"a\"", T),
        ("[1,2] == [2,1,1]", T), ("{a:1} == {a:1}", T), ("{a:1} == {a:1, b:2}", F),
        ("User::\"a\" == {a:1}", F), ("User::\"a\" == User::\"a\"", T), ("User::\"a\" != Group::\"a\"", T),
        ("ip(\"1.2.3.4\") == \"1.2.3.4\"", F), ("true == !false", T),
    ])
    func equality(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("true || (1 + \"a\")", T), ("false && (1 + \"a\")", F),
        ("1 || true", E), ("true && 1", E), ("false || 1", E), ("true || 1", T), ("false && 1", F),
        ("if 1 then true else false", E), ("if true then true else 1 + \"a\"", T),
        ("if false then 1 + \"a\" else 2 == 2", T), ("!1", E), ("!true", F),
    ])
    func booleanLogic(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("9223372036854775807 + 1 == 0", E), ("-9223372036854775807 - 2 == 0", E),
        ("-(-9223372036854775807 - 1) == 0", E), ("9223372036854775807 * 2 == 0", E),
        ("-9223372036854775808 == -9223372036854775807 - 1", T),
        ("2 * 3 - 10 == -4", T), ("1 + \"a\" == 1", E), ("1 < 2", T), ("2 <= 2", T), ("3 > 4", F), ("3 >= 4", F),
        ("\"a\" < \"b\"", E), ("[1] < [2]", E), ("1 < \"a\"", E),
    ])
    func arithmeticAndComparison(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("\"ab\" like \"a*\"", T), ("\"a*b\" like \"a\\*b\"", T), ("\"ab\" like \"a\\*b\"", F),
        ("\"\" like \"*\"", T), ("\"abc\" like \"*b*\"", T), ("\"abc\" like \"a*c*d\"", F),
        ("\"aaab\" like \"*a*ab\"", T), ("1 like \"*\"", E),
        ("[1, \"a\"].contains(\"a\")", T), ("[1].containsAll(1)", E), ("[1,2].containsAny([3])", F),
        ("[1,2,3].containsAll([3,1])", T), ("[1,2].containsAny([2, 5])", T), ("[].isEmpty()", T),
        ("\"a\".isEmpty()", E), ("[1, 1 + \"x\"].isEmpty()", E), ("{a: 1 + \"x\", b: 2} has b", E),
        ("{a:1} has a", T), ("{a:1}.b == 1", E), ("1 has a", E), ("{a:{b:2}}.a.b == 2", T),
    ])
    func stringsSetsRecords(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("User::\"nobody\" has foo", F), ("User::\"nobody\".foo == 1", E),
        ("User::\"nobody\" in User::\"nobody\"", T), ("User::\"nobody\" in [User::\"x\", User::\"nobody\"]", T),
        ("User::\"nobody\" in [User::\"nobody\", 1]", E), ("User::\"nobody\" in 1", E), ("1 in [1]", E),
        ("User::\"nobody\".hasTag(\"a\")", F), ("User::\"nobody\".getTag(\"a\") == 1", E),
        ("User::\"nobody\" is User", T), ("User::\"nobody\" is Group", F), ("1 is User", E),
        ("principal == User::\"alice\"", T), ("context == {}", T), ("resource is Photo", T),
    ])
    func entitiesOutsideTheStore(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }
}

@Suite struct DeepExpressionTests {
    /// The parser accepts trees up to 512 levels deep; evaluating the deepest must not
    /// exhaust a test thread's stack.
    @Test func deepestParsableTreesEvaluate() throws {
        let sum = Array(repeating: "1", count: 500).joined(separator: " + ")
        #expect(try eval("\(sum) == 500") == T)
        let conj = Array(repeating: "true", count: 500).joined(separator: " && ")
        #expect(try eval(conj) == T)
        let ifs = String(repeating: "if true then ", count: 60) + "1" + String(repeating: " else 0", count: 60)
        #expect(try eval("(\(ifs)) == 1") == T)
    }
}
