/// Why a DNS message could not be read or written. Offsets count bytes from the start of
/// the message.
public enum DNSError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case badLabel(length: Int)
    case nameTooLong
    case pointerLoop(offset: Int)
    case badLabelType(offset: Int, byte: UInt8)
    case badRecordLength(type: UInt16, length: Int)
    case trailingBytes(count: Int)
    case messageTooLong(Int)

    public var description: String {
        switch self {
        case .truncated(let o): return "message ends early at byte \(o)"
        case .badLabel(let n): return "label of \(n) bytes (1 to 63 allowed)"
        case .nameTooLong: return "name longer than 255 bytes"
        case .pointerLoop(let o): return "compression pointer at byte \(o) does not point backwards"
        case .badLabelType(let o, let b): return "reserved label type 0x\(String(b, radix: 16)) at byte \(o)"
        case .badRecordLength(let t, let n): return "record of type \(t) with \(n) data bytes"
        case .trailingBytes(let n): return "\(n) bytes after the last record"
        case .messageTooLong(let n): return "message of \(n) bytes (65535 allowed)"
        }
    }
}
