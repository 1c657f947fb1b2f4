import CLeashShim
import Loader
import Testing

/// The structs of leash_dns.h must have the same layout in sandbox_net's BTF as in
/// Swift's import of the header (the resolver writes what the programs read). Needs no
/// root: the BTF is read from the embedded object.
@Suite struct NetworkLayoutTests {
    struct Expected {
        var name: String
        var size: Int
        var fields: [(String, Int?)]
    }

    static let expected: [Expected] = [
        Expected(name: "leash_dns_binding_key", size: MemoryLayout<leash_dns_binding_key>.size, fields: [
            ("sandbox_id", MemoryLayout<leash_dns_binding_key>.offset(of: \.sandbox_id)),
            ("family", MemoryLayout<leash_dns_binding_key>.offset(of: \.family)),
            ("addr", MemoryLayout<leash_dns_binding_key>.offset(of: \.addr)),
        ]),
        Expected(name: "leash_dns_binding", size: MemoryLayout<leash_dns_binding>.size, fields: [
            ("expires_ns", MemoryLayout<leash_dns_binding>.offset(of: \.expires_ns)),
            ("name_len", MemoryLayout<leash_dns_binding>.offset(of: \.name_len)),
            ("_pad", MemoryLayout<leash_dns_binding>.offset(of: \._pad)),
            ("name", MemoryLayout<leash_dns_binding>.offset(of: \.name)),
        ]),
        Expected(name: "leash_net_sandbox", size: MemoryLayout<leash_net_sandbox>.size, fields: [
            ("resolver_ip6", MemoryLayout<leash_net_sandbox>.offset(of: \.resolver_ip6)),
            ("sandbox_id", MemoryLayout<leash_net_sandbox>.offset(of: \.sandbox_id)),
            ("resolver_ip4", MemoryLayout<leash_net_sandbox>.offset(of: \.resolver_ip4)),
            ("resolver_port", MemoryLayout<leash_net_sandbox>.offset(of: \.resolver_port)),
            ("_pad0", MemoryLayout<leash_net_sandbox>.offset(of: \._pad0)),
            ("_pad1", MemoryLayout<leash_net_sandbox>.offset(of: \._pad1)),
        ]),
    ]

    @Test(arguments: expected.indices)
    func sameLayoutInBTFAndSwift(index: Int) throws {
        let want = Self.expected[index]
        let btf = try BPFObject(embedded: .sandboxNet).structLayout(want.name)
        #expect(btf.size == want.size, "struct \(want.name): BTF size \(btf.size), Swift size \(want.size)")
        #expect(btf.fields.map(\.name) == want.fields.map(\.0), "struct \(want.name): field names or order differ")
        for (name, offset) in want.fields {
            #expect(btf.fields.first { $0.name == name }?.byteOffset == offset, "struct \(want.name).\(name)")
        }
    }
}
