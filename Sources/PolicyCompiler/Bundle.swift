// The file the loader reads: a fixed header, then the compiled policy as JSON.
//
//   offset  size  field
//   0       8     magic "LEASHPOL"
//   8       4     format version, little-endian (CompiledPolicy.formatVersion)
//   12      4     reserved, zero
//   16      8     payload length in bytes, little-endian
//   24      4     CRC-32 (IEEE 802.3, as zlib computes it) of the payload
//   28      4     reserved, zero
//   32      n     payload: CompiledPolicy encoded as JSON (UTF-8)
//
// The loader checks magic, version and checksum before touching a map, so a truncated or
// stale bundle is refused rather than half-loaded.

import Foundation

public enum BundleError: Error, CustomStringConvertible, Equatable {
    case tooShort, badMagic, unsupportedVersion(UInt32), lengthMismatch, badChecksum, badPayload(String)
    public var description: String {
        switch self {
        case .tooShort: return "policy bundle is truncated"
        case .badMagic: return "not a leash policy bundle (bad magic)"
        case .unsupportedVersion(let v): return "policy bundle format \(v) is not supported (this leash reads \(CompiledPolicy.formatVersion))"
        case .lengthMismatch: return "policy bundle length does not match its header"
        case .badChecksum: return "policy bundle checksum mismatch"
        case .badPayload(let s): return "policy bundle payload is invalid: \(s)"
        }
    }
}

public enum PolicyBundle {
    public static let magic: [UInt8] = Array("LEASHPOL".utf8)

    public static func encode(_ p: CompiledPolicy) throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let payload = [UInt8](try enc.encode(p))
        var out = magic
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        le(UInt32(CompiledPolicy.formatVersion)); le(UInt32(0))
        le(UInt64(payload.count)); le(crc32(payload)); le(UInt32(0))
        return out + payload
    }

    public static func decode(_ bytes: [UInt8]) throws -> CompiledPolicy {
        guard bytes.count >= 32 else { throw BundleError.tooShort }
        guard Array(bytes[0..<8]) == magic else { throw BundleError.badMagic }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }
        let version = u32(8)
        guard version == CompiledPolicy.formatVersion else { throw BundleError.unsupportedVersion(version) }
        guard u64(16) == UInt64(bytes.count - 32) else { throw BundleError.lengthMismatch }
        let payload = Array(bytes[32...])
        guard crc32(payload) == u32(24) else { throw BundleError.badChecksum }
        do {
            return try JSONDecoder().decode(CompiledPolicy.self, from: Data(payload))
        } catch {
            throw BundleError.badPayload("\(error)")
        }
    }

    static let crcTable: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = crcTable[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
