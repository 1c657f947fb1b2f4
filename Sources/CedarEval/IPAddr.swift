// The `ipaddr` extension type: an IPv4 or IPv6 address with a prefix length.
//
// Acceptance follows the Rust engine exactly: dotted quads without leading zeros,
// RFC 4291 hex groups with at most one `::`, no IPv4-embedded IPv6 forms, no zone ids,
// no brackets or spaces, and a decimal prefix without leading zeros. The address keeps
// its host bits, so `ip("10.0.0.1/24") != ip("10.0.0.0/24")`, while a missing prefix
// means a single host: `ip("10.0.0.1") == ip("10.0.0.1/32")`.

public struct IPAddr: Hashable, Sendable, CustomStringConvertible {
    public var isIPv4: Bool
    /// The address, right-aligned: an IPv4 address occupies the low 32 bits of `low`.
    public var high: UInt64
    public var low: UInt64
    public var prefixLength: UInt8

    public init(isIPv4: Bool, high: UInt64, low: UInt64, prefixLength: UInt8) {
        self.isIPv4 = isIPv4; self.high = high; self.low = low; self.prefixLength = prefixLength
    }

    public var isIPv6: Bool { !isIPv4 }
    var width: UInt8 { isIPv4 ? 32 : 128 }

    /// The 128-bit address with the host bits past `prefix` cleared (IPv4 uses the low 32).
    func network(_ prefix: UInt8) -> (UInt64, UInt64) {
        if isIPv4 {
            let mask: UInt64 = prefix == 0 ? 0 : (UInt64(0xFFFF_FFFF) << (32 - UInt64(prefix))) & 0xFFFF_FFFF
            return (0, low & mask)
        }
        let p = Int(prefix)
        let highMask: UInt64 = p >= 64 ? ~0 : (p == 0 ? 0 : ~0 << (64 - p))
        let lowMask: UInt64 = p <= 64 ? 0 : (p == 128 ? ~0 : ~0 << (128 - p))
        return (high & highMask, low & lowMask)
    }

    /// True when every address of this range lies in `other`'s range.
    public func isInRange(_ other: IPAddr) -> Bool {
        guard isIPv4 == other.isIPv4, prefixLength >= other.prefixLength else { return false }
        return network(other.prefixLength) == other.network(other.prefixLength)
    }

    public var isLoopback: Bool {
        isInRange(isIPv4 ? IPAddr(isIPv4: true, high: 0, low: 0x7F00_0000, prefixLength: 8)
                         : IPAddr(isIPv4: false, high: 0, low: 1, prefixLength: 128))
    }

    public var isMulticast: Bool {
        isInRange(isIPv4 ? IPAddr(isIPv4: true, high: 0, low: 0xE000_0000, prefixLength: 4)
                         : IPAddr(isIPv4: false, high: 0xFF00_0000_0000_0000, low: 0, prefixLength: 8))
    }

    public var description: String {
        if isIPv4 {
            let octets = (0..<4).map { String((low >> (24 - 8 * UInt64($0))) & 0xFF) }
            return octets.joined(separator: ".") + "/\(prefixLength)"
        }
        let groups = (0..<8).map { i -> String in
            let word = i < 4 ? high >> (48 - 16 * UInt64(i)) : low >> (48 - 16 * UInt64(i - 4))
            return String(word & 0xFFFF, radix: 16)
        }
        return groups.joined(separator: ":") + "/\(prefixLength)"
    }

    /// Parses `ip("…")`'s argument.
    public init(parsing text: String) throws(ExtensionValueError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = parts[0]
        if addressText.contains(":") && addressText.contains(".") {
            throw ExtensionValueError("IPv4 embedded in IPv6 is not accepted: `\(text)`")
        }
        if addressText.contains(":") {
            guard let (h, l) = IPAddr.parseIPv6(addressText) else {
                throw ExtensionValueError("invalid IP address: \(text)")
            }
            self.init(isIPv4: false, high: h, low: l, prefixLength: 128)
        } else {
            guard let a = IPAddr.parseIPv4(addressText) else {
                throw ExtensionValueError("invalid IP address: \(text)")
            }
            self.init(isIPv4: true, high: 0, low: UInt64(a), prefixLength: 32)
        }
        if parts.count == 2 {
            prefixLength = try IPAddr.parsePrefix(parts[1], limit: width)
        }
    }

    static func parsePrefix(_ s: Substring, limit: UInt8) throws(ExtensionValueError) -> UInt8 {
        guard !s.isEmpty else { throw ExtensionValueError("empty prefix length") }
        guard s.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw ExtensionValueError("prefix length `\(s)` is not a decimal number")
        }
        guard s.count <= (limit == 32 ? 2 : 3) else { throw ExtensionValueError("prefix length `\(s)` is too long") }
        guard s == "0" || s.first != "0" else { throw ExtensionValueError("prefix length `\(s)` has leading zeros") }
        let v = Int(s)!
        guard v <= Int(limit) else { throw ExtensionValueError("prefix length \(v) is larger than \(limit)") }
        return UInt8(v)
    }

    static func parseIPv4(_ s: Substring) -> UInt32? {
        let octets = s.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var v: UInt32 = 0
        for o in octets {
            guard (1...3).contains(o.utf8.count), o.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  o == "0" || o.first != "0", let n = UInt32(o), n <= 255 else { return nil }
            v = v << 8 | n
        }
        return v
    }

    static func parseIPv6(_ s: Substring) -> (UInt64, UInt64)? {
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.utf8.count), g.utf8.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }),
                      let n = UInt16(g, radix: 16) else { return nil }
                out.append(n)
            }
            return out
        }
        var words: [UInt16]
        if let r = s.firstRange(of: "::") {
            guard let head = groups(s[..<r.lowerBound]), let tail = groups(s[r.upperBound...]),
                  head.count + tail.count <= 7 else { return nil }
            words = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = groups(s), all.count == 8 else { return nil }
            words = all
        }
        var h: UInt64 = 0, l: UInt64 = 0
        for w in words[0..<4] { h = h << 16 | UInt64(w) }
        for w in words[4..<8] { l = l << 16 | UInt64(w) }
        return (h, l)
    }
}

/// Why an extension constructor rejected its argument, or an extension method failed.
public struct ExtensionValueError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
