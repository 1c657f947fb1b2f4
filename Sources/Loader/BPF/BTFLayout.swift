#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

/// A struct's layout as a compiled BPF object's BTF records it: the other side of the
/// check that BPF programs and Swift agree on every shared struct.
public struct BTFStructLayout: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
        public var name: String
        public var byteOffset: Int
    }
    public var name: String
    public var size: Int
    public var fields: [Field]
}

extension BPFObject {
    /// The layout of `struct name` in this object's BTF. Works on an opened, unloaded
    /// object, so it needs no privileges.
    public func structLayout(_ structName: String) throws -> BTFStructLayout {
        guard let btf = bpf_object__btf(raw) else {
            throw LoaderError(.btf, name, code: ENODATA)
        }
        let id = btf__find_by_name_kind(btf, structName, UInt32(BTF_KIND_STRUCT))
        guard id > 0, let type = btf__type_by_id(btf, UInt32(id)) else {
            throw LoaderError(.btf, "\(name): struct \(structName)", code: ENOENT)
        }
        let members = btf_members(type)!
        var fields: [BTFStructLayout.Field] = []
        for index in 0..<Int(btf_vlen(type)) {
            let member = members[index]
            let memberName = btf__name_by_offset(btf, member.name_off).map { String(cString: $0) } ?? ""
            let bits = btf_member_bit_offset(type, UInt32(index))
            fields.append(.init(name: memberName, byteOffset: Int(bits / 8)))
        }
        return BTFStructLayout(name: structName, size: Int(type.pointee.size), fields: fields)
    }
}
