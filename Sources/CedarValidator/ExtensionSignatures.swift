// The extension functions' signatures, and the checks the validator applies to the
// string literal given to a constructor (`ip("…")`, `decimal("…")`, `datetime("…")`,
// `duration("…")`): strict validation rejects a constructor whose literal would fail
// at run time.

struct ExtensionSignature {
    var arguments: [VType]
    var result: VType
    /// Constructors: their argument must be a literal, and a valid one.
    var literalCheck: ((String) -> String?)?
}

enum ExtensionSignatures {
    static let ipaddr = VType.ext("ipaddr"), decimal = VType.ext("decimal")
    static let datetime = VType.ext("datetime"), duration = VType.ext("duration")

    static let all: [String: ExtensionSignature] = {
        var m: [String: ExtensionSignature] = [
            "ip": .init(arguments: [.string], result: ipaddr, literalCheck: { isValidIP($0) ? nil : "failed to parse as IP address: `\(cedarQuotedLiteral($0))`" }),
            "decimal": .init(arguments: [.string], result: decimal, literalCheck: { isValidDecimal($0) ? nil : "failed to parse as a decimal value: `\(cedarQuotedLiteral($0))`" }),
            "datetime": .init(arguments: [.string], result: datetime, literalCheck: { isValidDatetime($0) ? nil : "failed to parse as a datetime value: `\(cedarQuotedLiteral($0))`" }),
            "duration": .init(arguments: [.string], result: duration, literalCheck: { isValidDuration($0) ? nil : "failed to parse as a duration value: `\(cedarQuotedLiteral($0))`" }),
            "isInRange": .init(arguments: [ipaddr, ipaddr], result: .bool, literalCheck: nil),
            "offset": .init(arguments: [datetime, duration], result: datetime, literalCheck: nil),
            "durationSince": .init(arguments: [datetime, datetime], result: duration, literalCheck: nil),
            "toDate": .init(arguments: [datetime], result: datetime, literalCheck: nil),
            "toTime": .init(arguments: [datetime], result: duration, literalCheck: nil),
        ]
        for f in ["isIpv4", "isIpv6", "isLoopback", "isMulticast"] { m[f] = .init(arguments: [ipaddr], result: .bool, literalCheck: nil) }
        for f in ["lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"] { m[f] = .init(arguments: [decimal, decimal], result: .bool, literalCheck: nil) }
        for f in ["toDays", "toHours", "toMinutes", "toSeconds", "toMilliseconds"] { m[f] = .init(arguments: [duration], result: .long, literalCheck: nil) }
        return m
    }()

    /// Types `<`, `<=`, `>`, `>=` accept besides Long.
    static let comparable: Set<VType> = [datetime, duration]

    static func cedarQuotedLiteral(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    // MARK: literal syntax

    static func digits(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }

    static func isValidDecimal(_ s: String) -> Bool {
        var body = Substring(s)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, digits(parts[0]), digits(parts[1]), parts[1].count <= 4 else { return false }
        let frac = String(parts[1]) + String(repeating: "0", count: 4 - parts[1].count)
        // The value is stored as a 64-bit count of ten-thousandths.
        guard let whole = Int64(parts[0]) else { return false }
        let (scaled, o1) = whole.multipliedReportingOverflow(by: 10_000)
        if o1 { return false }
        let f = Int64(frac)!
        if negative {
            let (v, o) = (0 - scaled).subtractingReportingOverflow(f)
            return !o && !(scaled == Int64.min) && v <= 0
        }
        let (_, o2) = scaled.addingReportingOverflow(f)
        return !o2
    }

    static func isValidIP(_ s: String) -> Bool {
        let pieces = s.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return false }
        let addr = pieces[0]
        let isV4 = !addr.contains(":")
        if pieces.count == 2 {
            guard digits(pieces[1]), let p = Int(pieces[1]), p <= (isV4 ? 32 : 128) else { return false }
        }
        return isV4 ? isIPv4(addr) : isIPv6(addr)
    }

    static func isIPv4(_ s: Substring) -> Bool {
        let octets = s.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        return octets.allSatisfy { o in
            digits(o) && o.count <= 3 && (o.count == 1 || o.first != "0") && Int(o)! <= 255
        }
    }

    static func isIPv6(_ s: Substring) -> Bool {
        func groups(_ part: Substring) -> Int? {
            if part.isEmpty { return 0 }
            var n = 0
            let gs = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, g) in gs.enumerated() {
                if i == gs.count - 1 && g.contains(".") {
                    guard isIPv4(g) else { return nil }
                    n += 2
                    continue
                }
                guard !g.isEmpty, g.count <= 4, g.allSatisfy({ $0.isHexDigit }) else { return nil }
                n += 1
            }
            return n
        }
        let halves = s.split(separator: "::", omittingEmptySubsequences: false)
        if halves.count == 1 { return groups(s) == 8 }
        guard halves.count == 2, let a = groups(halves[0]), let b = groups(halves[1]) else { return false }
        // An embedded IPv4 tail is only allowed at the end.
        if halves[0].contains(".") { return false }
        return a + b <= 7
    }

    static func isValidDatetime(_ s: String) -> Bool {
        let c = Array(s.unicodeScalars)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= c.count else { return nil }
            var v = 0
            for k in from..<(from + len) {
                guard ("0"..."9").contains(c[k]) else { return nil }
                v = v * 10 + Int(c[k].value - 48)
            }
            return v
        }
        guard c.count >= 10, let y = num(0, 4), c[4] == "-", let mo = num(5, 2), c[7] == "-", let d = num(8, 2) else { return false }
        guard (1...12).contains(mo), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
        guard d <= days else { return false }
        if c.count == 10 { return true }
        guard c.count >= 20, c[10] == "T", let h = num(11, 2), c[13] == ":", let mi = num(14, 2), c[16] == ":", let se = num(17, 2) else { return false }
        guard h < 24, mi < 60, se < 60 else { return false }
        var k = 19
        if c[k] == "." {
            guard num(k + 1, 3) != nil else { return false }
            k += 4
        }
        guard k < c.count else { return false }
        if c[k] == "Z" { return k + 1 == c.count }
        guard c[k] == "+" || c[k] == "-", k + 5 == c.count, let oh = num(k + 1, 2), let om = num(k + 3, 2) else { return false }
        return oh < 24 && om < 60
    }

    static func isValidDuration(_ s: String) -> Bool {
        var rest = Substring(s)
        let negative = rest.hasPrefix("-")
        if negative { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return false }
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        var next = 0
        var total: Int64 = 0
        while !rest.isEmpty {
            let numText = rest.prefix { $0.isASCII && $0.isNumber }
            guard !numText.isEmpty else { return false }
            rest = rest.dropFirst(numText.count)
            let unitText = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unitText.count)
            guard let idx = units.firstIndex(where: { $0.0 == unitText }), idx >= next else { return false }
            next = idx + 1
            guard let n = Int64(numText) else { return false }
            let (v, o1) = n.multipliedReportingOverflow(by: units[idx].1)
            let (t, o2) = total.addingReportingOverflow(v)
            guard !o1, !o2 else {
                // -9223372036854775808ms is representable although its magnitude is not.
                if negative, !o1, t == Int64.min { total = Int64.min; continue }
                return false
            }
            total = t
        }
        return true
    }
}

import CedarSyntax
