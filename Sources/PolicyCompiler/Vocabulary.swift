// The leash vocabulary: actions, action groups, entity types and the attributes each kind
// of resource carries. This is the compiler's copy of policies/leash.cedarschema; a test
// checks that the two agree, so the schema users validate against and the lowering never drift.

/// What a request's resource is, which fixes the attributes Cedar can see on it.
public enum ResourceKind: String, Codable, Sendable, CaseIterable {
    /// `File::"/path"`, ancestors `Dir::"/…/"`; attribute `path`.
    case file
    /// `Host::"host:port"`, ancestors the host, its wildcard suffixes and the address;
    /// attributes `domain`, `ip`, `port`, `protocol`.
    case host
    /// `MCP::Tool::"tool"`, ancestor `MCP::Server::"server"`; attributes `server`, `tool`.
    case mcp

    public var entityType: String {
        switch self {
        case .file: return "File"
        case .host: return "Host"
        case .mcp: return "MCP::Tool"
        }
    }

    /// Attribute name → type, for `resource.x` and `resource has x`.
    public var attributes: [String: AttributeType] {
        switch self {
        case .file: return ["path": .string]
        case .host: return ["domain": .string, "ip": .ip, "port": .long, "protocol": .string]
        case .mcp: return ["server": .string, "tool": .string]
        }
    }
}

public enum AttributeType: Sendable { case string, long, ip }

/// One concrete action a hook can ask about, with the resource kind it applies to.
public struct ActionInfo: Sendable {
    public var name: String
    public var kind: ResourceKind
    /// Direct parents among the action groups.
    public var groups: [String]
    public var help: String
}

public enum Vocabulary {
    /// Every concrete action. Requests always carry one of these; groups are never the
    /// action of a request, so `action == Action::"FileOpen"` (a group) matches nothing.
    public static let actions: [ActionInfo] = [
        .init(name: "FileOpenReadOnly", kind: .file, groups: ["FileOpen"], help: "open for reading"),
        .init(name: "FileOpenReadWrite", kind: .file, groups: ["FileOpen", "FileWrite"], help: "open for writing"),
        .init(name: "FileCreate", kind: .file, groups: ["FileWrite"], help: "create a file or node"),
        .init(name: "FileUnlink", kind: .file, groups: ["FileWrite"], help: "unlink"),
        .init(name: "FileRename", kind: .file, groups: ["FileWrite"], help: "rename (asked for both ends)"),
        .init(name: "FileMkdir", kind: .file, groups: ["FileWrite"], help: "mkdir"),
        .init(name: "FileRmdir", kind: .file, groups: ["FileWrite"], help: "rmdir"),
        .init(name: "FileLink", kind: .file, groups: ["FileWrite"], help: "hard link (the new name)"),
        .init(name: "FileSymlink", kind: .file, groups: ["FileWrite"], help: "symlink (the new name)"),
        .init(name: "FileChmod", kind: .file, groups: ["FileWrite"], help: "chmod"),
        .init(name: "FileChown", kind: .file, groups: ["FileWrite"], help: "chown"),
        .init(name: "FileTruncate", kind: .file, groups: ["FileWrite"], help: "truncate"),
        .init(name: "FileSetxattr", kind: .file, groups: ["FileWrite"], help: "setxattr/removexattr"),
        .init(name: "ProcessExec", kind: .file, groups: ["ProcessAnyExec"], help: "execve of a program"),
        .init(name: "ProcessMmapExec", kind: .file, groups: ["ProcessAnyExec"], help: "mmap of a file with PROT_EXEC"),
        .init(name: "UnixConnect", kind: .file, groups: ["Network"], help: "connect to a unix socket by path"),
        .init(name: "NetworkConnect", kind: .host, groups: ["Network"], help: "TCP or UDP connect"),
        .init(name: "NetworkSend", kind: .host, groups: ["Network"], help: "UDP sendmsg to an address"),
        .init(name: "McpCall", kind: .mcp, groups: [], help: "an MCP tool call (enforced by the MCP proxy, not the kernel)"),
    ]

    /// Action groups and their parents. `FileAccess` is "any file access", `FileWrite` is
    /// "any write".
    public static let groups: [String: [String]] = [
        "FileOpen": ["FileAccess"],
        "FileWrite": ["FileAccess"],
        "FileAccess": [],
        "ProcessAnyExec": [],
        "Network": [],
    ]

    /// Leash actions that this design deliberately leaves out, with the reason.
    public static let rejectedActions: [String: String] = [
        "HttpRewrite": "Action::\"HttpRewrite\" (TLS interception and header injection) is not part of this design: leash decides in the kernel and never rewrites traffic",
    ]

    public static func action(_ name: String) -> ActionInfo? { actions.first { $0.name == name } }

    /// Every group an action or group is in, transitively, itself excluded.
    public static func ancestors(ofAction name: String) -> Set<String> {
        var out = Set<String>()
        var todo = action(name)?.groups ?? groups[name] ?? []
        while let g = todo.popLast() {
            if out.insert(g).inserted { todo += groups[g] ?? [] }
        }
        return out
    }

    public static func isKnownAction(_ name: String) -> Bool { action(name) != nil || groups[name] != nil }

    /// The principal's entity type. Agents have no attributes and no parents.
    public static let principalType = "Agent"
    /// Entity types that may appear in policies.
    public static let entityTypes: Set<String> = ["Agent", "File", "Dir", "Host", "MCP::Server", "MCP::Tool", "Action"]
    /// The protocols a network request can carry; `resource.protocol` is one of these.
    public static let protocols = ["tcp", "udp"]
}
