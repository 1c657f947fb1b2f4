// Expression grammar, one construct at a time, checked against the tree it must give.

import Testing
@testable import CedarSyntax

func parse(_ s: String) throws -> Expr { try CedarParser.parseExpression(s) }

// Tree builders, to keep expectations readable.
func lit(_ n: Int64) -> Expr { Expr(.long(n)) }
func str(_ s: String) -> Expr { Expr(.string(s)) }
func bool(_ b: Bool) -> Expr { Expr(.bool(b)) }
func v(_ x: Variable) -> Expr { Expr(.variable(x)) }
func bin(_ op: BinaryOp, _ a: Expr, _ b: Expr) -> Expr { Expr(.binary(op, a, b)) }
func un(_ op: UnaryOp, _ a: Expr) -> Expr { Expr(.unary(op, a)) }
func attr(_ e: Expr, _ a: String) -> Expr { Expr(.getAttr(e, a)) }
func has(_ e: Expr, _ a: String) -> Expr { Expr(.hasAttr(e, a)) }
func and(_ a: Expr, _ b: Expr) -> Expr { Expr(.and(a, b)) }
func or(_ a: Expr, _ b: Expr) -> Expr { Expr(.or(a, b)) }
func ent(_ t: String, _ id: String) -> Expr { Expr(.entity(EntityUID(t, id))) }

func rejects(_ s: String) -> Bool {
    do { _ = try CedarParser.parseExpression(s); return false } catch let e as DiagnosticError {
        return !e.diagnostics.isEmpty
    } catch { return false }
}

@Suite struct ExpressionTests {
    @Test func literals() throws {
        #expect(try parse("true") == bool(true))
        #expect(try parse("false") == bool(false))
        #expect(try parse("007") == lit(7))
        #expect(try parse("9223372036854775807") == lit(.max))
        #expect(rejects("9223372036854775808"))
        #expect(try parse("\"a b\"") == str("a b"))
        #expect(try parse("User::\"alice\"") == ent("User", "alice"))
        #expect(try parse("A::B::C::\"x\"") == Expr(.entity(EntityUID(type: Name(path: ["A", "B"], basename: "C"), id: "x"))))
    }

    @Test func negativeLiteralsFoldTheFirstMinusOnly() throws {
        #expect(try parse("-5") == lit(-5))
        #expect(try parse("-9223372036854775808") == lit(.min))
        #expect(rejects("-9223372036854775809"))
        #expect(try parse("--5") == un(.neg, lit(-5)))
        #expect(try parse("----5") == un(.neg, un(.neg, un(.neg, lit(-5)))))
        #expect(rejects("-----5"))
        #expect(try parse("-(5)") == un(.neg, lit(5)))
        // A minus before a member access negates the access, not the literal.
        #expect(try parse("-5.x") == un(.neg, attr(lit(5), "x")))
    }

    @Test func unaryRunsAreLimitedToFourOfOneKind() throws {
        #expect(try parse("!!!!true") == un(.not, un(.not, un(.not, un(.not, bool(true))))))
        #expect(rejects("!!!!!true"))
        #expect(rejects("!-1"))
        #expect(rejects("-!1"))
        #expect(try parse("!(-1)") == un(.not, lit(-1)))
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""\n\r\t\\\0\'\"""#) == str("\n\r\t\\\0'\""))
        #expect(try parse(#""\x41\x7f""#) == str("A\u{7f}"))
        #expect(try parse(#""\u{41}\u{000041}\u{1F600}\u{4_1}""#) == str("AA😀A"))
        for bad in [#""\x80""#, #""\x4""#, #""\u{}""#, #""\u{0000041}""#, #""\u{D800}""#, #""\u{110000}""#,
                    #""\u{_41}""#, #""\a""#, #""\*""#, #""\u41""#] {
            #expect(rejects(bad), "\(bad)")
        }
        // Raw control characters and newlines inside the quotes are taken as they are.
        #expect(try parse("\"a\nb\u{1}\"") == str("a\nb\u{1}"))
        #expect(rejects("\"a\\\nb\""))
    }

    @Test func precedence() throws {
        let (a, b, c) = (v(.principal), v(.action), v(.resource))
        #expect(try parse("principal || action && resource") == or(a, and(b, c)))
        #expect(try parse("1 + 2 * 3") == bin(.add, lit(1), bin(.mul, lit(2), lit(3))))
        #expect(try parse("1 - 2 - 3") == bin(.sub, bin(.sub, lit(1), lit(2)), lit(3)))
        #expect(try parse("1 + 2 < 3 * 4") == bin(.lt, bin(.add, lit(1), lit(2)), bin(.mul, lit(3), lit(4))))
        #expect(try parse("!principal.x") == un(.not, attr(a, "x")))
        #expect(try parse("principal == action && true") == and(bin(.eq, a, b), bool(true)))
        #expect(try parse("if principal then 1 else 2 + 3")
                == Expr(.ifThenElse(a, lit(1), bin(.add, lit(2), lit(3)))))
    }

    @Test func relationsDoNotChain() throws {
        for bad in ["1 < 2 < 3", "1 == 2 < 3", "1 in 2 in 3", "principal has a == true", "principal is User == true",
                    "principal like \"*\" like \"*\""] {
            #expect(rejects(bad), "\(bad)")
        }
        #expect(try parse("(1 < 2) == true") == bin(.eq, bin(.lt, lit(1), lit(2)), bool(true)))
        for (src, op) in [("==", BinaryOp.eq), ("!=", .neq), ("<", .lt), ("<=", .le), (">", .gt), (">=", .ge), ("in", .in)] {
            #expect(try parse("1 \(src) 2") == bin(op, lit(1), lit(2)))
        }
    }

    @Test func ifThenElseOnlyAtExpressionLevel() throws {
        #expect(rejects("true && if true then 1 else 2"))
        #expect(rejects("if true then 1"))
        #expect(try parse("true && (if true then 1 else 2)") == and(bool(true), Expr(.ifThenElse(bool(true), lit(1), lit(2)))))
        #expect(try parse("[if true then 1 else 2]") == Expr(.set([Expr(.ifThenElse(bool(true), lit(1), lit(2)))])))
    }

    @Test func hasWithIdentifierStringAndPath() throws {
        let p = v(.principal)
        #expect(try parse("principal has a") == has(p, "a"))
        #expect(try parse("principal has \"a b\"") == has(p, "a b"))
        #expect(try parse("principal has a.b") == and(has(p, "a"), has(attr(p, "a"), "b")))
        #expect(try parse("principal has a.b.c")
                == and(and(has(p, "a"), has(attr(p, "a"), "b")), has(attr(attr(p, "a"), "b"), "c")))
        #expect(rejects("principal has if"))
        #expect(rejects("principal has a.if"))
        #expect(rejects("principal has \"a\".b"))
        #expect(rejects("principal has 1"))
    }

    @Test func likePatterns() throws {
        let e = try parse(#"principal like "a*\*b\n""#)
        #expect(e == Expr(.like(v(.principal), Pattern([.char("a"), .wildcard, .char("*"), .char("b"), .char("\n")]))))
        #expect(rejects("principal like principal"))
        #expect(rejects(#"principal like "\q""#))
    }

    @Test func isWithOptionalIn() throws {
        let p = v(.principal)
        #expect(try parse("principal is User") == Expr(.isType(p, Name(basename: "User"), in: nil)))
        #expect(try parse("principal is A::B in Group::\"g\"")
                == Expr(.isType(p, Name(path: ["A"], basename: "B"), in: ent("Group", "g"))))
        #expect(rejects("principal is if"))
        #expect(rejects("principal is \"User\""))
        #expect(rejects("principal is __cedar::X"))
    }

    @Test func memberAccessAndMethods() throws {
        let c = v(.context)
        #expect(try parse("context.a[\"b c\"].d") == attr(attr(attr(c, "a"), "b c"), "d"))
        #expect(try parse("context.contains") == attr(c, "contains"))
        #expect(try parse("context.contains(1)") == bin(.contains, c, lit(1)))
        #expect(try parse("context.containsAll([])") == bin(.containsAll, c, Expr(.set([]))))
        #expect(try parse("context.containsAny([])") == bin(.containsAny, c, Expr(.set([]))))
        #expect(try parse("context.getTag(\"k\")") == bin(.getTag, c, str("k")))
        #expect(try parse("context.hasTag(\"k\")") == bin(.hasTag, c, str("k")))
        #expect(try parse("context.isEmpty()") == un(.isEmpty, c))
        #expect(try parse("context.lessThan(1)") == Expr(.call("lessThan", [c, lit(1)])))
        #expect(try parse("context.toDate()") == Expr(.call("toDate", [c])))
        #expect(try parse("context.isInRange(1, 2)") == Expr(.call("isInRange", [c, lit(1), lit(2)])))
        for bad in ["context.contains()", "context.contains(1, 2)", "context.isEmpty(1)", "context.foo()",
                    "context.ip(\"x\")", "context.if", "context.__cedar", "context[1]", "context['a']"] {
            #expect(rejects(bad), "\(bad)")
        }
    }

    @Test func extensionFunctions() throws {
        #expect(try parse("ip(\"10.0.0.1\")") == Expr(.call("ip", [str("10.0.0.1")])))
        #expect(try parse("decimal(\"1.5\")") == Expr(.call("decimal", [str("1.5")])))
        #expect(try parse("datetime(\"2024-01-01\")") == Expr(.call("datetime", [str("2024-01-01")])))
        #expect(try parse("duration(\"1h\")") == Expr(.call("duration", [str("1h")])))
        // Arity is the evaluator's business, as in Cedar.
        #expect(try parse("ip()") == Expr(.call("ip", [])))
        for bad in ["foo(1)", "A::ip(\"x\")", "lessThan(1, 2)", "ip", "decimal"] {
            #expect(rejects(bad), "\(bad)")
        }
    }

    @Test func setsAndRecords() throws {
        #expect(try parse("[]") == Expr(.set([])))
        #expect(try parse("[1, [2],]") == Expr(.set([lit(1), Expr(.set([lit(2)]))])))
        #expect(try parse("{}") == Expr(.record([])))
        #expect(try parse("{b: 1, \"a b\": 2,}") == Expr(.record([("b", lit(1)), ("a b", lit(2))])))
        // Field order is kept as written.
        #expect(try parse("{b: 1, a: 2}") != Expr(.record([("a", lit(2)), ("b", lit(1))])))
        for bad in ["[1,,2]", "[,]", "{,}", "{a: 1, a: 2}", "{\"a\": 1, a: 2}", "{if: 1}", "{1: 2}", "{a 1}"] {
            #expect(rejects(bad), "\(bad)")
        }
        #expect(try parse("{permit: 1, principal: 2}") == Expr(.record([("permit", lit(1)), ("principal", lit(2))])))
    }

    @Test func variablesNamesAndReservedWords() throws {
        for x in Variable.allCases { #expect(try parse(x.rawValue) == v(x)) }
        // A variable's name is an ordinary identifier in an entity type.
        #expect(try parse("principal::\"x\"") == ent("principal", "x"))
        for bad in ["x", "if::\"a\"", "A::if::\"x\"", "__cedar::\"x\"", "A::__cedar::\"x\"", "true::\"x\"",
                    "A::B", "?principal", "?foo"] {
            #expect(rejects(bad), "\(bad)")
        }
    }

    @Test func whitespaceAndComments() throws {
        #expect(try parse("1 // one\n == // two\n 1") == bin(.eq, lit(1), lit(1)))
        #expect(try parse("\u{a0}1\u{3000}==\t1\r\n") == bin(.eq, lit(1), lit(1)))
        #expect(rejects("1 /* no */ == 1"))
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        for input in [String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000),
                      String(repeating: "[", count: 100_000),
                      Array(repeating: "1", count: 100_000).joined(separator: " + "),
                      "principal" + String(repeating: ".a", count: 100_000),
                      "principal has " + Array(repeating: "a", count: 100_000).joined(separator: ".")] {
            #expect(rejects(input))
        }
        // Within the limits, deep input is fine.
        #expect(throws: Never.self) {
            try parse(String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60))
            try parse(Array(repeating: "1", count: 500).joined(separator: " + "))
        }
    }
}
