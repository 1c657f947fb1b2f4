// IP addresses and CIDR ranges as the compiler and the simulator see them: family plus
// big-endian bytes. Text forms follow what Cedar's `ip()` accepts (dotted quad without
// leading zeros, RFC 4291 IPv6 with `::` and an optional IPv4 tail, optional `/prefix`),
// and `canonicalText` is the one spelling leash puts into `Host::"…"` ids for an address
// (dotted quad, RFC 5952 IPv6). Like Cedar, IPv4-embedded IPv6 text is refused., so `Host::"10.0.0.1"` can be lowered to an address match.

public struct IPNet: Hashable, Sendable, Codable, CustomStringConvertible {
    public var isV6: Bool
    public var bytes: [UInt8]
    public var prefix: Int

    public init(isV6: Bool, bytes: [UInt8], prefix: Int) {
        self.isV6 = isV6; self.bytes = bytes; self.prefix = prefix
    }

    public var width: Int { isV6 ? 128 : 32 }
    public var isHost: Bool { prefix == width }

    /// Parses `10.0.0.1`, `10.0.0.0/8`, `::1`, `2001:db8::/32`, `::ffff:1.2.3.4`.
    public init?(parsing text: String) {
        var addr = Substring(text)
        var prefix: Int? = nil
        if let slash = text.firstIndex(of: "/") {
            addr = text[..<slash]
            let p = text[text.index(after: slash)...]
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(p.count > 1 && p.first == "0"), let n = Int(p) else { return nil }
            prefix = n
        }
        if let v4 = IPNet.parseV4(addr) {
            guard (prefix ?? 32) <= 32 else { return nil }
            self.init(isV6: false, bytes: v4, prefix: prefix ?? 32)
        } else if let v6 = IPNet.parseV6(addr) {
            guard (prefix ?? 128) <= 128 else { return nil }
            self.init(isV6: true, bytes: v6, prefix: prefix ?? 128)
        } else {
            return nil
        }
    }

    static func parseV4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(p.count > 1 && p.first == "0"), let n = Int(p), n <= 255 else { return nil }
            out.append(UInt8(n))
        }
        return out
    }

    static func parseV6(_ s: Substring) -> [UInt8]? {
        guard s.contains(":") else { return nil }
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawGap = false
        var halves: [String] = []
        if let r = s.firstRange(of: "::") {
            halves = [String(s[..<r.lowerBound]), String(s[r.upperBound...])]
            if halves[1].contains("::") { return nil }
        } else {
            halves = [String(s)]
        }
        guard halves.count <= 2 else { return nil }
        sawGap = halves.count == 2
        func groups(_ part: String, allowV4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, f) in fields.enumerated() {
                if i == fields.count - 1, allowV4Tail, f.contains(".") {
                    guard let v4 = parseV4(f) else { return nil }
                    out.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    out.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard !f.isEmpty, f.count <= 4, let n = UInt16(f, radix: 16) else { return nil }
                out.append(n)
            }
            return out
        }
        if sawGap {
            guard let h = groups(halves[0], allowV4Tail: false),
                  let t = groups(halves[1], allowV4Tail: false) else { return nil }
            head = h; tail = t
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard let h = groups(halves[0], allowV4Tail: false), h.count == 8 else { return nil }
            head = h
        }
        let all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    /// The network with host bits cleared, as range tests use it.
    public var network: IPNet {
        var b = bytes
        for i in 0..<b.count {
            let bitsHere = max(0, min(8, prefix - i * 8))
            b[i] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
        }
        return IPNet(isV6: isV6, bytes: b, prefix: prefix)
    }

    /// Whether `self` (an address or range) lies inside `range`; families never mix.
    public func isIn(_ range: IPNet) -> Bool {
        guard isV6 == range.isV6, prefix >= range.prefix else { return false }
        return IPNet(isV6: isV6, bytes: bytes, prefix: range.prefix).network.bytes == range.network.bytes
    }

    public var canonicalText: String {
        let addr: String
        if !isV6 {
            addr = bytes.map(String.init).joined(separator: ".")
        } else {
            let g = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
            // RFC 5952: the longest run (>= 2) of zero groups becomes "::", first one on ties.
            var best = (start: -1, len: 0), i = 0
            while i < 8 {
                if g[i] == 0 {
                    var j = i
                    while j < 8 && g[j] == 0 { j += 1 }
                    if j - i > best.len { best = (i, j - i) }
                    i = j
                } else { i += 1 }
            }
            func hex(_ r: ArraySlice<UInt16>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
            if best.len >= 2 {
                addr = hex(g[0..<best.start]) + "::" + hex(g[(best.start + best.len)...])
            } else {
                addr = hex(g[0...])
            }
        }
        return isHost ? addr : addr + "/\(prefix)"
    }
    public var description: String { canonicalText }

    public static let loopbackV4 = IPNet(parsing: "127.0.0.0/8")!
    public static let loopbackV6 = IPNet(parsing: "::1")!
    public static let multicastV4 = IPNet(parsing: "224.0.0.0/4")!
    public static let multicastV6 = IPNet(parsing: "ff00::/8")!
}
