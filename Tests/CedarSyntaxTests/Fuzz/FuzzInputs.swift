// Random and mutated Cedar inputs for parser fuzzing, reproducible from a seed.
// Shared by the fixed-seed test (FuzzTests) and the long-running `scripts/fuzz-parser`,
// so it imports nothing but the standard library.

/// SplitMix64: small, fast, and the same sequence on every platform.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

struct FuzzInputs {
    var rng: SplitMix64
    /// Upper bound for the size of the deliberately deep inputs.
    var maxDeep: Int

    init(seed: UInt64, maxDeep: Int = 20_000) {
        rng = SplitMix64(seed: seed)
        self.maxDeep = maxDeep
    }

    /// Valid policies using every construct; mutations start from these.
    static let seeds: [String] = [
        "permit(principal, action, resource);",
        #"@id("a") @b permit(principal == User::"alice", action == Action::"read", resource in Folder::"f") when { resource.owner == principal };"#,
        #"forbid(principal is User in Group::"g", action in [Action::"a", Action::"b"], resource is File) unless { context.mfa };"#,
        #"permit(principal == ?principal, action, resource in ?resource) when { principal has a.b && principal.a.b like "x*\*y" };"#,
        #"permit(principal, action, resource) when { if context.x > -9223372036854775808 then [1, "two", {a: 3, "b c": false}].contains(4) else !!true };"#,
        #"permit(principal, action, resource) when { ip("10.0.0.1").isInRange(ip("10.0.0.0/8")) && decimal("1.5").lessThan(decimal("2.0")) };"#,
        #"permit(principal, action, resource) when { datetime("2024-01-01").offset(duration("1h")).toDate() == datetime("2024-01-01") };"#,
        #"permit(principal, action, resource) when { principal.hasTag("k") && principal.getTag("k") == "v" && [1].containsAll([]) && ![2].isEmpty() };"#,
        #"permit(principal, action, resource) when { (1 + 2) * -3 - 4 <= 5 || context["key"] is A::B in resource || "\u{1F600}\n\t\0" != "" };"#,
        "permit(principal, action, resource)\nwhen { // a comment\n  context.a.b.c in [User::\"x\"]\n}\nunless { resource has \"weird key\" };",
    ]

    /// Fragments that are meaningful to the lexer and parser.
    static let tokens: [String] = [
        "permit", "forbid", "when", "unless", "principal", "action", "resource", "context", "if", "then", "else",
        "true", "false", "in", "has", "like", "is", "__cedar", "?principal", "?resource", "?x", "@", "@id(\"x\")",
        "(", ")", "[", "]", "{", "}", ",", ";", ":", "::", ".", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
        "!", "-", "+", "*", "=", "&", "|", "/", "//", "\n", " ", "\"", "\"abc\"", "\"\\", "\\*", "\\u{", "\\x7",
        "0", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "User::\"a\"", "Action::\"x\"",
        "A::B", "ip(", "decimal(", ".contains(", ".isEmpty()", ".lessThan(", ".getTag(", "é", "😀", "\u{0}", "\u{a0}",
    ]

    mutating func next() -> String {
        switch rng.below(100) {
        case 0..<22: return byteMutation()
        case 22..<50: return tokenMutation()
        case 50..<58: return truncation()
        case 58..<66: return splice()
        case 66..<76: return deepNesting()
        case 76..<90: return tokenSoup()
        default: return randomText()
        }
    }

    mutating func byteMutation() -> String {
        var b = Array(rng.pick(Self.seeds).utf8)
        let interesting: [UInt8] = Array("(){}[];,.:\"\\*!-+<>=&|?@ \n09azAZ_".utf8) + [0, 0x7f, 0xc3, 0xa9, 0xff, 0xe2]
        for _ in 0...rng.below(8) {
            guard !b.isEmpty else { break }
            let i = rng.below(b.count)
            switch rng.below(4) {
            case 0: b[i] = rng.pick(interesting)
            case 1: b[i] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
            case 2: b.remove(at: i)
            default: b.insert(rng.pick(interesting), at: i)
            }
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// Splits text into rough tokens: identifier runs, quoted strings, single others.
    static func roughTokens(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var inString = false
        var escaped = false
        for ch in s {
            if inString {
                cur.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" {
                    out.append(cur); cur = ""; inString = false
                }
                continue
            }
            if ch == "\"" {
                if !cur.isEmpty { out.append(cur) }
                cur = "\""; inString = true
            } else if ch.isLetter || ch.isNumber || ch == "_" {
                cur.append(ch)
            } else {
                if !cur.isEmpty { out.append(cur); cur = "" }
                out.append(String(ch))
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    mutating func tokenMutation() -> String {
        var t = Self.roughTokens(rng.pick(Self.seeds))
        for _ in 0...rng.below(5) {
            guard !t.isEmpty else { break }
            let i = rng.below(t.count)
            switch rng.below(5) {
            case 0: t.remove(at: i)
            case 1: t.insert(rng.pick(Self.tokens), at: i)
            case 2: t[i] = rng.pick(Self.tokens)
            case 3: t.insert(t[i], at: i)
            default:
                let j = rng.below(t.count)
                t.swapAt(i, j)
            }
        }
        return t.joined()
    }

    mutating func truncation() -> String {
        let s = Array(rng.pick(Self.seeds).utf8)
        return String(decoding: s.prefix(rng.below(s.count + 1)), as: UTF8.self)
    }

    mutating func splice() -> String {
        let a = Array(rng.pick(Self.seeds).utf8), b = Array(rng.pick(Self.seeds).utf8)
        return String(decoding: a.prefix(rng.below(a.count + 1)) + b.suffix(rng.below(b.count + 1)), as: UTF8.self)
    }

    /// Inputs built to be deep: nested brackets, long operator chains, unary runs.
    mutating func deepNesting() -> String {
        let n = rng.chance(20) ? 1 + rng.below(maxDeep) : 1 + rng.below(min(700, maxDeep))
        let body: String
        switch rng.below(10) {
        case 0: body = String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)
        case 1: body = String(repeating: "[", count: n) + String(repeating: "]", count: n)
        case 2: body = String(repeating: "{a:", count: n) + "1" + String(repeating: "}", count: n)
        case 3: body = Array(repeating: "1", count: n).joined(separator: rng.pick([" + ", " * ", " && ", " || ", " - "]))
        case 4: body = "principal" + String(repeating: ".a", count: n)
        case 5: body = "principal has " + Array(repeating: "a", count: n).joined(separator: ".")
        case 6: body = String(repeating: "if true then ", count: n) + "1" + String(repeating: " else 2", count: n)
        case 7: body = String(repeating: rng.pick(["!", "-", "!(", "-("]), count: n) + "1"
        case 8: body = String(repeating: "ip(", count: n) + "\"x\"" + String(repeating: ")", count: n)
        default: body = "[" + Array(repeating: "1", count: n).joined(separator: ",") + "]"
        }
        // Sometimes leave the nesting unbalanced by cutting it short.
        let text = rng.chance(20) ? String(body.prefix(rng.below(body.count + 1))) : body
        return "permit(principal, action, resource) when { \(text) };"
    }

    mutating func tokenSoup() -> String {
        var out = ""
        for _ in 0..<(1 + rng.below(60)) {
            out += rng.pick(Self.tokens)
            if rng.chance(50) { out += " " }
        }
        return out
    }

    mutating func randomText() -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<rng.below(200) {
            let v: UInt32
            switch rng.below(10) {
            case 0..<7: v = UInt32(0x20 + rng.below(0x5F))
            case 7: v = UInt32(rng.below(0x20))
            case 8: v = UInt32(0x80 + rng.below(0x780))
            default: v = UInt32(0x1F600 + rng.below(0x50))
            }
            if let u = Unicode.Scalar(v) { s.append(u) }
        }
        return String(s)
    }
}
