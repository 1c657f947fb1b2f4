import CLeashShim
import PolicyCompiler

/// `struct leash_dns_binding_key` built from an address: IPv4 and IPv4-mapped IPv6 as
/// LEASH_FAMILY_INET with four bytes first, IPv6 as LEASH_FAMILY_INET6.
public struct BindingKey: Hashable, Sendable {
    public var sandbox: UInt32
    public var family: UInt32
    public var bytes: [UInt8]  // always 16

    public init(sandbox: UInt32, address: IPNet) {
        let normal = BindingKey.unmapped(address)
        self.sandbox = sandbox
        family = normal.isV6 ? UInt32(LEASH_FAMILY_INET6) : UInt32(LEASH_FAMILY_INET)
        bytes = normal.bytes + [UInt8](repeating: 0, count: 16 - normal.bytes.count)
    }

    /// `::ffff:a.b.c.d` is the IPv4 address a.b.c.d: that is how the kernel connects it.
    public static func unmapped(_ address: IPNet) -> IPNet {
        guard address.isV6, address.bytes.count == 16,
              address.bytes[0..<10].allSatisfy({ $0 == 0 }), address.bytes[10] == 0xFF, address.bytes[11] == 0xFF else { return address }
        return IPNet(isV6: false, bytes: Array(address.bytes[12..<16]), prefix: 32)
    }

    public var cStruct: leash_dns_binding_key {
        var k = leash_dns_binding_key()
        k.sandbox_id = sandbox
        k.family = family
        withUnsafeMutableBytes(of: &k.addr) { $0.copyBytes(from: bytes) }
        return k
    }
}
