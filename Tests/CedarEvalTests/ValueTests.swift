// Values: set and record equality, and their Cedar text, which must read back as the
// same value (error messages and tools print values this way).

import CedarEval
import CedarSyntax
import Testing

@Suite struct ValueTests {
    @Test func setsIgnoreOrderAndDuplicates() {
        #expect(Value.set([1, 2, 2]) == Value.set([2, 1]))
        #expect(Value.set([1]) != Value.set([1, 2]))
        #expect(Value.record(["a": 1, "b": .set(["x"])]) == Value.record(["b": .set(["x", "x"]), "a": 1]))
        #expect(Value.long(1) != Value.bool(true))
        #expect(Value.entity(EntityUID("A", "x")) != Value.record(["type": "A", "id": "x"]))
    }

    @Test func textReadsBackAsTheSameValue() throws {
        let values: [Value] = [
            true, -9_223_372_036_854_775_808, "quote \" backslash \\ nul \0 tab \t é",
            .entity(EntityUID(type: Name(path: ["Ns", "Inner"], basename: "T"), id: "id \"1\"")),
            .set([1, "a", .set([])]), .record(["a b": 1, "": .record([:])]),
            .ipaddr(try IPAddr(parsing: "10.1.2.3/8")), .ipaddr(try IPAddr(parsing: "2001:db8::1/64")),
            .decimal(try CedarDecimal(parsing: "-922337203685477.5808")), .decimal(try CedarDecimal(parsing: "0.0001")),
            .datetime(try Datetime(parsing: "1969-12-31T23:59:59.999Z")), .datetime(Datetime(millisecondsSinceEpoch: .min)),
            .datetime(Datetime(millisecondsSinceEpoch: .max)),
            .duration(Duration(milliseconds: .min)), .duration(Duration(milliseconds: 93_784_005)), .duration(Duration(milliseconds: 0)),
        ]
        for v in values {
            let back = try evaluator().evaluate(CedarParser.parseExpression(v.description))
            #expect(back == v, "\(v)")
        }
    }
}
