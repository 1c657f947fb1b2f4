// Reads a DNS message from wire bytes. Compression pointers must point strictly backwards
// (before the label that holds them), which bounds every name walk without a counter; a
// message with bytes left over after its counted records is rejected.

extension DNSMessage {
    public init(bytes: [UInt8]) throws {
        var r = DNSReader(bytes: bytes)
        id = try r.u16()
        flags = try r.u16()
        let counts = (try r.u16(), try r.u16(), try r.u16(), try r.u16())
        questions = []
        for _ in 0..<counts.0 {
            questions.append(DNSQuestion(name: try r.name(), type: DNSType(rawValue: try r.u16()), recordClass: try r.u16()))
        }
        answers = try (0..<counts.1).map { _ in try r.record() }
        authorities = try (0..<counts.2).map { _ in try r.record() }
        additionals = try (0..<counts.3).map { _ in try r.record() }
        if r.offset != bytes.count { throw DNSError.trailingBytes(count: bytes.count - r.offset) }
    }
}

struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func u8() throws -> UInt8 {
        guard offset < bytes.count else { throw DNSError.truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }
    mutating func u32() throws -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }

    mutating func take(_ n: Int) throws -> [UInt8] {
        guard n <= bytes.count - offset else { throw DNSError.truncated(offset: bytes.count) }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// A name at the current offset; the offset moves past its first pointer or root label.
    mutating func name() throws -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var at = offset
        var resumeAt: Int? = nil
        while true {
            guard at < bytes.count else { throw DNSError.truncated(offset: at) }
            let length = bytes[at]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resumeAt ?? at + 1
                    return try DNSName(labels: labels)
                }
                let end = at + 1 + Int(length)
                guard end <= bytes.count else { throw DNSError.truncated(offset: bytes.count) }
                wireLength += 1 + Int(length)
                guard wireLength <= DNSName.maxLength else { throw DNSError.nameTooLong }
                labels.append(Array(bytes[(at + 1)..<end]))
                at = end
            case 0xC0:
                guard at + 1 < bytes.count else { throw DNSError.truncated(offset: at + 1) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[at + 1])
                guard target < at else { throw DNSError.pointerLoop(offset: at) }
                if resumeAt == nil { resumeAt = at + 2 }
                at = target
            default:
                throw DNSError.badLabelType(offset: at, byte: length)
            }
        }
    }

    mutating func record() throws -> DNSRecord {
        let name = try name()
        let type = DNSType(rawValue: try u16())
        let recordClass = try u16()
        let ttl = try u32()
        let length = Int(try u16())
        guard length <= bytes.count - offset else { throw DNSError.truncated(offset: bytes.count) }
        let dataEnd = offset + length
        let data: DNSRecordData
        switch type {
        case .a:
            guard length == 4 else { throw DNSError.badRecordLength(type: type.rawValue, length: length) }
            data = .a(try take(4))
        case .aaaa:
            guard length == 16 else { throw DNSError.badRecordLength(type: type.rawValue, length: length) }
            data = .aaaa(try take(16))
        case .cname:
            data = .cname(try self.name())
            guard offset == dataEnd else { throw DNSError.badRecordLength(type: type.rawValue, length: length) }
        default:
            data = .raw(try take(length))
        }
        // RFC 2181 section 8: a TTL with the top bit set is read as zero.
        return DNSRecord(name: name, type: type, recordClass: recordClass, ttl: ttl & 0x8000_0000 != 0 ? 0 : ttl, data: data)
    }
}
