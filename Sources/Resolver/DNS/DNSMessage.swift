// A DNS message (RFC 1035 section 4) as leash's resolver needs it: enough to read the
// question, follow CNAME chains to addresses with their TTLs, and write refusals and
// filtered answers. Records of other types keep their data as bytes.

public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSType
    public var recordClass: UInt16

    public init(name: DNSName, type: DNSType, recordClass: UInt16 = 1) {
        self.name = name; self.type = type; self.recordClass = recordClass
    }
}

/// Record types by number; the named ones are those the resolver looks into.
public struct DNSType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let a = DNSType(rawValue: 1)
    public static let cname = DNSType(rawValue: 5)
    public static let txt = DNSType(rawValue: 16)
    public static let aaaa = DNSType(rawValue: 28)
    public static let opt = DNSType(rawValue: 41)
    public var description: String {
        switch self {
        case .a: return "A"
        case .cname: return "CNAME"
        case .txt: return "TXT"
        case .aaaa: return "AAAA"
        case .opt: return "OPT"
        default: return "TYPE\(rawValue)"
        }
    }
}

public enum DNSRecordData: Hashable, Sendable {
    case a([UInt8])        // 4 bytes, network order
    case aaaa([UInt8])     // 16 bytes
    case cname(DNSName)
    /// Any other type, as it arrived. Names inside it may be compression pointers into
    /// the original message, so it is only ever written back into that same message.
    case raw([UInt8])
}

public struct DNSRecord: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSType
    public var recordClass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, type: DNSType, recordClass: UInt16 = 1, ttl: UInt32, data: DNSRecordData) {
        self.name = name; self.type = type; self.recordClass = recordClass; self.ttl = ttl; self.data = data
    }
}

public enum DNSResponseCode: UInt8, Sendable {
    case noError = 0, formatError = 1, serverFailure = 2, nameError = 3, notImplemented = 4, refused = 5
}

public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    /// The 16 flag bits of the header (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE).
    public var flags: UInt16
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    public var additionals: [DNSRecord]

    public init(id: UInt16, flags: UInt16, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
                authorities: [DNSRecord] = [], additionals: [DNSRecord] = []) {
        self.id = id; self.flags = flags; self.questions = questions
        self.answers = answers; self.authorities = authorities; self.additionals = additionals
    }

    static let qrBit: UInt16 = 0x8000
    static let tcBit: UInt16 = 0x0200
    static let rdBit: UInt16 = 0x0100
    static let raBit: UInt16 = 0x0080

    public var isResponse: Bool { flags & Self.qrBit != 0 }
    public var isTruncated: Bool {
        get { flags & Self.tcBit != 0 }
        set { flags = newValue ? flags | Self.tcBit : flags & ~Self.tcBit }
    }
    public var opcode: UInt8 { UInt8((flags >> 11) & 0xF) }
    public var responseCode: UInt8 { UInt8(flags & 0xF) }

    /// A standard query for one name.
    public static func query(id: UInt16, name: DNSName, type: DNSType) -> DNSMessage {
        DNSMessage(id: id, flags: rdBit, questions: [DNSQuestion(name: name, type: type)])
    }

    /// The answer to `query` that carries only a response code (REFUSED, NXDOMAIN,
    /// SERVFAIL): same id, question and RD bit, no records.
    public static func reply(to query: DNSMessage, code: DNSResponseCode) -> DNSMessage {
        DNSMessage(id: query.id, flags: qrBit | raBit | (query.flags & rdBit) | UInt16(code.rawValue),
                   questions: query.questions)
    }
}
