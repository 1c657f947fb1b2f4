// Writes a DNS message, compressing names against every name suffix already written
// (RFC 1035 section 4.1.4). Raw record data is copied as it is.

extension DNSMessage {
    public func encoded() throws -> [UInt8] {
        var w = DNSWriter()
        w.u16(id)
        w.u16(flags)
        for count in [questions.count, answers.count, authorities.count, additionals.count] { w.u16(UInt16(count)) }
        for q in questions {
            w.name(q.name)
            w.u16(q.type.rawValue)
            w.u16(q.recordClass)
        }
        for r in answers + authorities + additionals { try w.record(r) }
        guard w.bytes.count <= 65535 else { throw DNSError.messageTooLong(w.bytes.count) }
        return w.bytes
    }
}

struct DNSWriter {
    var bytes: [UInt8] = []
    /// Offset of each name suffix written so far, by its labels.
    var suffixes: [ArraySlice<[UInt8]>: Int] = [:]

    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }

    mutating func name(_ n: DNSName) {
        let labels = n.labels[...]
        for i in labels.indices {
            let suffix = labels[i...]
            if let at = suffixes[suffix] {
                u16(0xC000 | UInt16(at))
                return
            }
            // Pointers hold 14 bits: suffixes further in cannot be targets.
            if bytes.count < 0x4000 { suffixes[suffix] = bytes.count }
            bytes.append(UInt8(labels[i].count))
            bytes += labels[i]
        }
        bytes.append(0)
    }

    mutating func record(_ r: DNSRecord) throws {
        name(r.name)
        u16(r.type.rawValue)
        u16(r.recordClass)
        u32(r.ttl)
        let lengthAt = bytes.count
        u16(0)
        switch r.data {
        case .a(let b), .aaaa(let b), .raw(let b): bytes += b
        case .cname(let n): name(n)
        }
        let length = bytes.count - lengthAt - 2
        guard length <= 0xFFFF else { throw DNSError.messageTooLong(bytes.count) }
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }
}
