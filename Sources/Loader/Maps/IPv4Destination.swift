import CLeashShim

/// An IPv4 address and port as `cgroup/connect4` programs compare them
/// (`struct leash_ipv4_key` in leash_events.h): both in network byte order.
public typealias IPv4Destination = leash_ipv4_key

extension IPv4Destination {
    /// `address` is in host order (127.0.0.1 is 0x7f000001).
    public init(address: UInt32, port: UInt16) {
        self.init(addr: address.bigEndian, port: port.bigEndian, _pad: 0)
    }
}
