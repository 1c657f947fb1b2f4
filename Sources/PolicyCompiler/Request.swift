// A request as a hook sees it, and the Cedar entities it stands for. The compiler's
// lowering of `in`, `==`, `has` and attribute access is only correct relative to this
// construction, so it lives in one place: the simulator reads the same struct, and the
// equivalence test hands `cedarResource` and `cedarAncestors` to the Cedar evaluator.

public struct OperationRequest: Hashable, Sendable {
    public enum Resource: Hashable, Sendable {
        /// A path as the kernel resolved it (absolute, no trailing slash except "/").
        case file(path: String)
        /// A connect or send. `domain` is the name the address was resolved from, when
        /// leash's resolver bound one; otherwise the host is the address itself.
        case host(domain: String?, ip: IPNet, port: Int, proto: String)
        case mcp(server: String, tool: String)
    }
    public var action: String
    public var resource: Resource
    /// Context flags that are on; every other flag the policy mentions is off.
    public var flags: Set<String>

    public init(action: String, resource: Resource, flags: Set<String> = []) {
        self.action = action; self.resource = resource; self.flags = flags
    }

    /// The text of the host part of a `Host::"…"` id and of `resource.domain`.
    public static func hostText(domain: String?, ip: IPNet) -> String { domain ?? ip.canonicalText }

    /// `host:port`, with brackets around a host that contains ':' (an IPv6 address).
    public static func hostPortID(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var cedarResource: (type: String, id: String) {
        switch resource {
        case .file(let p): return ("File", p)
        case .host(let d, let ip, let port, _): return ("Host", Self.hostPortID(host: Self.hostText(domain: d, ip: ip), port: port))
        case .mcp(_, let t): return ("MCP::Tool", t)
        }
    }

    /// All ancestors of the resource (transitively closed, so no ancestor needs parents).
    public var cedarAncestors: [(type: String, id: String)] {
        switch resource {
        case .file(let p): return Self.directoryAncestors(p).map { ("Dir", $0) }
        case .host(let d, let ip, let port, _):
            let host = Self.hostText(domain: d, ip: ip)
            var ids: [String] = [host]
            ids += Self.wildcardSuffixes(host)
            ids.append(ip.canonicalText)
            ids.append(Self.hostPortID(host: ip.canonicalText, port: port))
            var seen = Set<String>()
            let me = cedarResource.id
            return ids.filter { $0 != me && seen.insert($0).inserted }.map { ("Host", $0) }
        case .mcp(let s, _): return [("MCP::Server", s)]
        }
    }

    /// `Dir` ancestors of a path: for every '/' that is not the last character, the prefix
    /// through that slash, and (except for the root) the same prefix without it. So
    /// `/a/b` is in `Dir::"/"`, `Dir::"/a/"` and `Dir::"/a"`, and Leash files that write
    /// directories either way mean the same thing.
    public static func directoryAncestors(_ path: String) -> [String] {
        let scalars = Array(path.unicodeScalars)
        var out: [String] = []
        for (i, c) in scalars.enumerated() where c == "/" && i < scalars.count - 1 {
            var s = String.UnicodeScalarView(); s.append(contentsOf: scalars[0...i])
            out.append(String(s))
            if i > 0 {
                var t = String.UnicodeScalarView(); t.append(contentsOf: scalars[0..<i])
                out.append(String(t))
            }
        }
        return out
    }

    /// `a.b.c` → `*.b.c`, `*.c`.
    public static func wildcardSuffixes(_ host: String) -> [String] {
        let scalars = Array(host.unicodeScalars)
        var out: [String] = []
        for (i, c) in scalars.enumerated() where c == "." && i > 0 && i < scalars.count - 1 {
            var s = String.UnicodeScalarView(); s.append(contentsOf: scalars[(i + 1)...])
            out.append("*." + String(s))
        }
        return out
    }
}
