// Extension-value parsing and methods, compared with cedarpy (the Rust engine) on a
// fixed-seed sample of mutated spellings: whether each constructor accepts its text,
// and what every method answers, must be the same on both sides.

import CedarEval
import CedarSyntax
import Foundation
import Testing

/// True when python3 with cedarpy is installed (the oracle).
let cedarpyAvailable: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import cedarpy"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}()

/// Asks cedarpy for the outcome (T, F or E) of each expression used as a `when` condition.
func cedarpyOutcomes(_ expressions: [String]) throws -> [String] {
    let script = """
    import cedarpy, json, sys
    exprs = json.load(sys.stdin)
    text = "".join("permit(principal, action, resource) when { %s };\\n" % e for e in exprs)
    r = cedarpy.is_authorized({"principal": 'U::"a"', "action": 'A::"v"', "resource": 'R::"r"', "context": {}}, text, [])
    if any("parse" in e for e in r.diagnostics.errors) and not r.diagnostics.reasons:
        sys.exit("cedarpy could not parse: " + "; ".join(r.diagnostics.errors)[:500])
    reasons = set(r.diagnostics.reasons)
    errors = set(e.split("`")[1] for e in r.diagnostics.errors)
    print(json.dumps(["T" if "policy%d" % i in reasons else "E" if "policy%d" % i in errors else "F" for i in range(len(exprs))]))
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: expressions))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
    return try JSONDecoder().decode([String].self, from: data)
}

/// SplitMix64: a small deterministic generator, so the sample is the same on every run.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

struct ExtensionSample {
    var rng: SplitMix
    static let seeds: [String: [String]] = [
        "ip": ["10.0.0.1", "10.0.0.1/8", "::1", "::", "fe80::1/64", "1:2:3:4:5:6:7:8", "255.255.255.255/32", "127.0.0.1",
               "224.1.2.3/4", "ff02::1", "0.0.0.0/0", "::/0", "2001:db8::/32", "1::2:3", "10.1.2.0/24"],
        "decimal": ["1.0", "-1.5", "0.0001", "922337203685477.5807", "-922337203685477.5808", "12.34", "007.1"],
        "datetime": ["2024-01-01", "2024-02-29T12:34:56Z", "2024-02-29T12:34:56.789Z", "1969-12-31T23:59:59+2359",
                     "0000-01-01T00:00:00-0001", "9999-12-31T23:59:59.999+0000", "2023-06-30T00:00:00.000-1200"],
        "duration": ["1d", "-2h30m", "1d2h3m4s5ms", "0ms", "9223372036854775807ms", "-9223372036854775808ms",
                     "106751991167d", "59m59s999ms", "-1s"],
    ]
    static let alphabet: [String: [Character]] = [
        "ip": Array("0123456789abcdefABCDEF:./%"), "decimal": Array("0123456789.-"),
        "datetime": Array("0123456789-:TZ+."), "duration": Array("0123456789-dhms"),
    ]

    mutating func spelling(_ kind: String) -> String {
        var s = Array(rng.pick(Self.seeds[kind]!))
        for _ in 0..<rng.pick([0, 0, 1, 1, 2, 3]) {
            let i = rng.below(s.count + 1)
            let c = rng.pick(Self.alphabet[kind]!)
            switch rng.below(3) {
            case 0: s.insert(c, at: i)
            case 1: if i < s.count { s.remove(at: i) }
            default: if i < s.count { s[i] = c }
            }
        }
        return "\(kind)(\"\(String(s))\")"
    }

    mutating func expression() -> String {
        let kind = rng.pick(["ip", "decimal", "datetime", "duration"])
        let a = spelling(kind), b = spelling(kind)
        switch kind {
        case "ip":
            return rng.pick(["\(a).isIpv4()", "\(a).isIpv6()", "\(a).isLoopback()", "\(a).isMulticast()",
                             "\(a).isInRange(\(b))", "\(a) == \(b)"])
        case "decimal":
            return rng.pick(["\(a).lessThan(\(b))", "\(a).lessThanOrEqual(\(b))", "\(a).greaterThan(\(b))",
                             "\(a).greaterThanOrEqual(\(b))", "\(a) == \(b)"])
        case "datetime":
            let d = spelling("duration")
            return rng.pick(["\(a) < \(b)", "\(a) == \(b)", "\(a).toDate() <= \(b)", "\(a).toTime() < \(d)",
                             "\(a).offset(\(d)) > \(b)", "\(a).durationSince(\(b)) >= \(d)", "\(a).toDate() == \(b).toDate()"])
        default:
            return rng.pick(["\(a) < \(b)", "\(a) == \(b)", "\(a).toDays() > \(b).toHours()",
                             "\(a).toMinutes() <= \(b).toSeconds()", "\(a).toMilliseconds() == \(b).toMilliseconds()"])
        }
    }
}

@Suite(.enabled(if: cedarpyAvailable, "needs python3 with cedarpy"))
struct ExtensionOracleTests {
    @Test func mutatedSpellingsAgreeWithCedarpy() throws {
        var sample = ExtensionSample(rng: SplitMix(state: 20_261_203))
        let exprs = (0..<600).map { _ in sample.expression() }
        let expected = try cedarpyOutcomes(exprs)
        #expect(expected.count == exprs.count)
        let e = evaluator()
        var counts: [String: Int] = [:]
        for (source, want) in zip(exprs, expected) {
            counts[want, default: 0] += 1
            let got: String
            do {
                got = try e.evaluate(CedarParser.parseExpression(source)) == .bool(true) ? "T" : "F"
            } catch is EvaluationError {
                got = "E"
            }
            #expect(got == want, "\(source)")
        }
        // The sample must exercise all three outcomes to mean anything.
        #expect(counts["T", default: 0] > 50 && counts["F", default: 0] > 50 && counts["E", default: 0] > 50, "\(counts)")
    }
}
