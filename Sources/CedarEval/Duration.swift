// The `duration` extension type: a signed count of milliseconds.
// Text form: an optional `-`, then at least one of `Nd`, `Nh`, `Nm`, `Ns`, `Nms` in
// that order, each at most once, with no spaces; the total must fit in 64 bits.

public struct Duration: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func < (a: Duration, b: Duration) -> Bool { a.milliseconds < b.milliseconds }

    public var seconds: Int64 { milliseconds / 1000 }
    public var minutes: Int64 { milliseconds / 60_000 }
    public var hours: Int64 { milliseconds / 3_600_000 }
    public var days: Int64 { milliseconds / 86_400_000 }

    public init(parsing text: String) throws(ExtensionValueError) {
        let bytes = Array(text.utf8)
        let pattern = ExtensionValueError("invalid duration pattern: `\(text)`")
        let overflow = ExtensionValueError("duration `\(text)` overflows 64 bits of milliseconds")
        var i = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { i = 1 }
        // Units in the only order allowed, with their length in milliseconds.
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        var nextUnit = 0
        var total: Int64 = 0
        var components = 0
        while i < bytes.count {
            // Digits, accumulated with the sign applied so that Int64.min is reachable.
            var n: Int64 = 0
            let start = i
            var tooBig = false
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) {
                let d = Int64(bytes[i] - 0x30)
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
                if o1 || o2 { tooBig = true }
                n = s
                i += 1
            }
            guard i > start else { throw pattern }
            var unit = ""
            while i < bytes.count, [UInt8(ascii: "d"), UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s")].contains(bytes[i]) {
                unit.unicodeScalars.append(Unicode.Scalar(bytes[i]))
                i += 1
                if unit != "m" { break }
            }
            guard let u = units[nextUnit...].firstIndex(where: { $0.0 == unit }) else { throw pattern }
            nextUnit = u + 1
            components += 1
            if tooBig { throw overflow }
            let (part, o1) = n.multipliedReportingOverflow(by: units[u].1)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 { throw overflow }
            total = sum
        }
        guard components > 0 else { throw pattern }
        milliseconds = total
    }

    public var description: String {
        var rest = milliseconds.magnitude
        var out = milliseconds < 0 ? "-" : ""
        for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] as [(String, UInt64)] {
            if rest >= size { out += "\(rest / size)\(unit)"; rest %= size }
        }
        if rest > 0 || milliseconds == 0 { out += "\(rest)ms" }
        return out
    }
}
