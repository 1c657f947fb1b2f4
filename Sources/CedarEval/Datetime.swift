// The `datetime` extension type: milliseconds since the Unix epoch, UTC.
// Accepted text: `YYYY-MM-DD`, optionally followed by `Thh:mm:ss`, an optional `.SSS`
// and then `Z` or a `+hhmm`/`-hhmm` offset. Dates and times must exist (no leap
// seconds, no 24:00); offsets stay below 24 hours.

public struct Datetime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64
    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    public static func < (a: Datetime, b: Datetime) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    static let day: Int64 = 86_400_000

    public init(parsing text: String) throws(ExtensionValueError) {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for k in from..<from + count {
                guard (0x30...0x39).contains(b[k]) else { return nil }
                v = v * 10 + Int64(b[k] - 0x30)
            }
            return v
        }
        guard b.count >= 10, let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              b[7] == UInt8(ascii: "-"), let dayOfMonth = digits(8, 2) else {
            throw ExtensionValueError("invalid date pattern: `\(text)`")
        }
        guard (1...12).contains(month), dayOfMonth >= 1,
              dayOfMonth <= Datetime.daysIn(month: month, year: year) else {
            throw ExtensionValueError("invalid date: `\(text)`")
        }
        var ms = Datetime.daysFromCivil(year: year, month: month, day: dayOfMonth) * Datetime.day
        if b.count > 10 {
            guard b.count >= 19, b[10] == UInt8(ascii: "T"), let h = digits(11, 2), b[13] == UInt8(ascii: ":"),
                  let m = digits(14, 2), b[16] == UInt8(ascii: ":"), let s = digits(17, 2) else {
                throw ExtensionValueError("invalid hour/minute/second pattern: `\(text)`")
            }
            guard h < 24, m < 60, s < 60 else { throw ExtensionValueError("invalid hour/minute/second: `\(text)`") }
            ms += ((h * 60 + m) * 60 + s) * 1000
            var i = 19
            let suffix = ExtensionValueError("invalid millisecond and/or offset pattern: `\(text)`")
            if i < b.count, b[i] == UInt8(ascii: ".") {
                guard let frac = digits(i + 1, 3) else { throw suffix }
                ms += frac
                i += 4
            }
            guard i < b.count else { throw suffix }
            if b[i] == UInt8(ascii: "Z"), i + 1 == b.count {
                // UTC.
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b.count == i + 5,
                      let oh = digits(i + 1, 2), let om = digits(i + 3, 2) {
                guard oh < 24, om < 60 else { throw ExtensionValueError("invalid offset range: `\(text)`") }
                // Local time = UTC + offset, so UTC = local - offset.
                let offset = (oh * 60 + om) * 60_000
                ms += b[i] == UInt8(ascii: "+") ? -offset : offset
            } else {
                throw suffix
            }
        }
        millisecondsSinceEpoch = ms
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of `daysFromCivil`.
    static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `offset(d)`: this instant moved by a duration; nil on overflow.
    public func offset(by d: Duration) -> Datetime? {
        let (v, o) = millisecondsSinceEpoch.addingReportingOverflow(d.milliseconds)
        return o ? nil : Datetime(millisecondsSinceEpoch: v)
    }

    /// `durationSince(other)`; nil on overflow.
    public func durationSince(_ other: Datetime) -> Duration? {
        let (v, o) = millisecondsSinceEpoch.subtractingReportingOverflow(other.millisecondsSinceEpoch)
        return o ? nil : Duration(milliseconds: v)
    }

    /// `toDate()`: midnight UTC of this instant's day; nil when that midnight is not
    /// representable.
    public var date: Datetime? {
        let ms = millisecondsSinceEpoch
        if ms >= 0 { return Datetime(millisecondsSinceEpoch: ms / Datetime.day * Datetime.day) }
        if ms % Datetime.day == 0 { return self }
        let (v, o) = (ms / Datetime.day - 1).multipliedReportingOverflow(by: Datetime.day)
        return o ? nil : Datetime(millisecondsSinceEpoch: v)
    }

    /// `toTime()`: the time elapsed since this instant's midnight UTC.
    public var time: Duration {
        let r = millisecondsSinceEpoch % Datetime.day
        return Duration(milliseconds: r < 0 ? r + Datetime.day : r)
    }

    /// Cedar syntax denoting this value: `datetime("…")` when the year has four digits,
    /// otherwise an offset from the epoch.
    public var cedarExpression: String {
        if let iso = iso8601 { return "datetime(\"\(iso)\")" }
        return "datetime(\"1970-01-01\").offset(duration(\"\(millisecondsSinceEpoch)ms\"))"
    }

    public var description: String { iso8601 ?? "\(millisecondsSinceEpoch) ms since 1970-01-01" }

    /// ISO 8601 text with milliseconds, for years 0000 to 9999.
    public var iso8601: String? {
        var days = millisecondsSinceEpoch / Datetime.day
        if millisecondsSinceEpoch % Datetime.day < 0 { days -= 1 }
        let (y, m, d) = Datetime.civil(fromDays: days)
        guard (0...9999).contains(y) else { return nil }
        let t = time.milliseconds
        func pad(_ v: Int64, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(t / 3_600_000, 2)):\(pad(t / 60_000 % 60, 2)):\(pad(t / 1000 % 60, 2)).\(pad(t % 1000, 3))Z"
    }
}
