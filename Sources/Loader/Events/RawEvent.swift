// One ring buffer record decoded: the fixed header and the one or two strings after it.

/// A record as the kernel sent it, before userspace adds names (exe, action, rule).
public struct RawEvent: Sendable {
    public var header: EventHeader
    /// The path, or the domain when `flags` has `.domain`; raw bytes, as the kernel saw them.
    public var path: [UInt8]
    /// The second path: a rename's or link's new name... see leash_events.h.
    public var path2: [UInt8]

    public var flags: EventFlags { EventFlags(rawValue: header.mode_flags) }
    public var comm: String {
        withUnsafeBytes(of: header.comm) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    public init(header: EventHeader, path: [UInt8] = [], path2: [UInt8] = []) {
        self.header = header
        self.path = path
        self.path2 = path2
    }

    /// Why a record could not be decoded. Either means the BPF and Swift sides disagree.
    public enum DecodeError: Error, Equatable, CustomStringConvertible {
        case tooShort(size: Int)
        case lengthMismatch(size: Int, declared: Int)

        public var description: String {
            switch self {
            case .tooShort(let size):
                return "telemetry record of \(size) bytes is shorter than the \(MemoryLayout<EventHeader>.size)-byte header"
            case .lengthMismatch(let size, let declared):
                return "telemetry record of \(size) bytes declares \(declared) bytes"
            }
        }
    }

    /// Decodes one record: header, then `path_len` bytes, then `path2_len` bytes, nothing else.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> RawEvent {
        let headerSize = MemoryLayout<EventHeader>.size
        guard bytes.count >= headerSize else { throw DecodeError.tooShort(size: bytes.count) }
        let header = bytes.loadUnaligned(as: EventHeader.self)
        let first = Int(header.path_len), second = Int(header.path2_len)
        let declared = headerSize + first + second
        guard declared == bytes.count else { throw DecodeError.lengthMismatch(size: bytes.count, declared: declared) }
        return RawEvent(header: header,
                        path: Array(bytes[headerSize..<headerSize + first]),
                        path2: Array(bytes[headerSize + first..<declared]))
    }

    /// The record as the kernel would send it; tests use it to feed the decoder.
    public func encoded() -> [UInt8] {
        var header = self.header
        header.path_len = UInt16(path.count)
        header.path2_len = UInt16(path2.count)
        return withUnsafeBytes(of: header) { Array($0) } + path + path2
    }
}
