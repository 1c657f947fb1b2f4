import Testing
@testable import CedarSyntax

@Suite struct JSONReaderTests {
    func syntaxError(_ text: String, maxNesting: Int = JSONNode.maxNesting) -> JSONSyntaxError? {
        do { _ = try LocatedJSON(parsing: text, file: "t.json", maxNesting: maxNesting); return nil } catch { return error }
    }

    @Test func keepsIntegersBooleansAndKeyOrder() throws {
        let n = try JSONNode(parsing: #"{"b": 9007199254740993, "a": true, "c": 1, "d": 1.5e3}"#)
        #expect(n == .object([("b", .integer(9007199254740993)), ("a", .bool(true)), ("c", .integer(1)), ("d", .number("1.5e3"))]))
        #expect(n.serialized == #"{"b":9007199254740993,"a":true,"c":1,"d":1.5e3}"#)
    }

    @Test func rangesCountUnicodeScalarsAcrossLines() throws {
        let doc = try LocatedJSON(parsing: "{\n  \"é→\": [1,\n   \"x\"]}", file: "t.json")
        let array = try #require(doc["é→"]?.array)
        #expect(doc["é→"]?.range.start.line == 2)
        #expect(doc["é→"]?.range.start.column == 9)
        #expect(array[1].range.start.line == 3)
        #expect(array[1].range.start.column == 4)
        #expect(array[1].string == "x")
    }

    @Test func errorsPointAtTheProblem() throws {
        let dup = try #require(syntaxError("{\"a\": 1,\n \"a\": 2}"))
        #expect(dup.message.contains("duplicate key"))
        #expect(dup.line == 2 && dup.column == 2)
        #expect(syntaxError("[01]")?.message.contains("leading zero") == true)
        #expect(syntaxError("[1.]")?.message == "invalid number")
        #expect(syntaxError(#"["\udc00"]"#)?.message.contains("surrogate") == true)
        #expect(syntaxError("[\"a\nb\"]")?.message == "control character in string")
        #expect(syntaxError("[1] x")?.message == "unexpected text after the JSON value")
        let unterminated = try #require(syntaxError("[\"é abc"))
        #expect(unterminated.message == "unterminated string" && unterminated.column == 2)
        #expect(unterminated.diagnostic.range.file == "t.json")
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(syntaxError(deep, maxNesting: 10) == nil)
        #expect(syntaxError(deep, maxNesting: 9)?.message.contains("nested too deeply") == true)
    }

    @Test func stringsRoundTripThroughTheWriter() throws {
        for s in ["plain", "quote \" backslash \\ tab \t nl \n", "\u{01}\u{1F}", "😀 é", "\u{08}\u{0C}"] {
            let text = JSONNode.string(s).serialized
            #expect(try JSONNode(parsing: text) == .string(s))
        }
    }
}
