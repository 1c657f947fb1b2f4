import PolicyCompiler

// Which addresses an answer gives for the name that was asked: follow CNAME records from
// the question's name, and take A/AAAA records owned by a name on that chain. Records for
// names off the chain (stray or forged extras) give no address.

public struct AnsweredAddress: Hashable, Sendable {
    public var address: IPNet
    /// The TTL of the address record itself: how long a client may keep using it.
    public var ttl: UInt32
}

extension DNSMessage {
    /// Longest CNAME chain followed; longer chains (or loops) stop there.
    public static let maxChainLength = 16

    /// The names from `name` along its CNAME chain, in order, starting with `name`.
    public func chain(from name: DNSName) -> [DNSName] {
        var names = [name]
        var current = name
        while names.count <= Self.maxChainLength,
              let next = answers.first(where: { $0.type == .cname && $0.name == current }),
              case .cname(let target) = next.data, !names.contains(target) {
            names.append(target)
            current = target
        }
        return names
    }

    /// The addresses the answer gives for `name`, following CNAMEs.
    public func addresses(for name: DNSName) -> [AnsweredAddress] {
        let owners = Set(chain(from: name))
        return answers.compactMap { r in
            guard owners.contains(r.name) else { return nil }
            switch r.data {
            case .a(let b): return AnsweredAddress(address: IPNet(isV6: false, bytes: b, prefix: 32), ttl: r.ttl)
            case .aaaa(let b): return AnsweredAddress(address: IPNet(isV6: true, bytes: b, prefix: 128), ttl: r.ttl)
            default: return nil
            }
        }
    }
}
