// The `decimal` extension type: a fixed-point number with four fractional digits,
// stored as a 64-bit count of ten-thousandths. `decimal("1.0") == decimal("1.0000")`.

public struct CedarDecimal: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The value times 10,000.
    public var scaled: Int64
    public init(scaled: Int64) { self.scaled = scaled }

    public static func < (a: CedarDecimal, b: CedarDecimal) -> Bool { a.scaled < b.scaled }

    /// Accepts exactly `-?[0-9]+\.[0-9]{1,4}`; leading zeros in the integer part are fine.
    public init(parsing text: String) throws(ExtensionValueError) {
        let bytes = Array(text.utf8)
        let negative = bytes.first == UInt8(ascii: "-")
        let body = negative ? bytes.dropFirst() : bytes[...]
        func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
        guard let dot = body.firstIndex(of: UInt8(ascii: ".")),
              dot > body.startIndex, dot < body.endIndex - 1,
              body[..<dot].allSatisfy(isDigit), body[(dot + 1)...].allSatisfy(isDigit) else {
            throw ExtensionValueError("`\(text)` is not a well-formed decimal value")
        }
        let fraction = body[(dot + 1)...]
        guard fraction.count <= 4 else { throw ExtensionValueError("too many digits after the decimal point in `\(text)`") }
        // Accumulate as a negative number so that the most negative value fits.
        var v: Int64 = 0
        func step(_ digit: UInt8) throws(ExtensionValueError) {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(digit - 0x30))
            guard !o1, !o2 else { throw ExtensionValueError("overflow when converting `\(text)` to decimal") }
            v = s
        }
        for d in body[..<dot] { try step(d) }
        for d in fraction { try step(d) }
        for _ in fraction.count..<4 { try step(0x30) }
        if !negative {
            guard v != .min else { throw ExtensionValueError("overflow when converting `\(text)` to decimal") }
            v = -v
        }
        scaled = v
    }

    public var description: String {
        let sign = scaled < 0 ? "-" : ""
        let magnitude = scaled.magnitude
        var fraction = String(magnitude % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        return "\(sign)\(magnitude / 10_000).\(fraction)"
    }
}
