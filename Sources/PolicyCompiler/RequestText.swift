// The one-line request syntax of `leash explain`:
//   FileOpenReadOnly /home/u/.ssh/id_rsa
//   NetworkConnect api.github.com:443 ip=140.82.112.3 [udp]
//   NetworkConnect 10.0.0.1:22          (no name: the address is the host)
//   McpCall server/tool

public struct RequestTextError: Error, CustomStringConvertible {
    public var description: String
}

public enum RequestText {
    public static func parse(_ text: String, flags: Set<String> = []) throws(RequestTextError) -> OperationRequest {
        let words = text.split(separator: " ").map(String.init)
        guard words.count >= 2 else { throw RequestTextError(description: "a request is 'ACTION RESOURCE', e.g. 'FileOpenReadOnly /etc/passwd'") }
        guard let info = Vocabulary.action(words[0]) else {
            throw RequestTextError(description: "unknown action '\(words[0])'; actions: \(Vocabulary.actions.map(\.name).joined(separator: ", "))")
        }
        switch info.kind {
        case .file:
            return OperationRequest(action: info.name, resource: .file(path: words[1...].joined(separator: " ")), flags: flags)
        case .mcp:
            let parts = words[1].split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw RequestTextError(description: "an MCP call is 'McpCall server/tool'") }
            return OperationRequest(action: info.name, resource: .mcp(server: parts[0], tool: parts[1]), flags: flags)
        case .host:
            var hostPort = words[1]
            var ipText: String? = nil
            var proto = "tcp"
            for w in words.dropFirst(2) {
                if w.hasPrefix("ip=") { ipText = String(w.dropFirst(3)) }
                else if Vocabulary.protocols.contains(w) { proto = w }
                else { throw RequestTextError(description: "unexpected '\(w)'; expected ip=ADDRESS, tcp or udp") }
            }
            if !hostPort.contains(":") || (hostPort.hasPrefix("[") && !hostPort.contains("]:")) { hostPort += ":443" }
            guard let (host, port) = PartialEvaluator.splitHostPort(hostPort) else {
                throw RequestTextError(description: "'\(words[1])' is not host:port (write IPv6 as [addr]:port)")
            }
            if let addr = IPNet(parsing: host), addr.isHost {
                return OperationRequest(action: info.name, resource: .host(domain: nil, ip: addr, port: port, proto: proto), flags: flags)
            }
            guard let ipText else {
                throw RequestTextError(description: "a connect to a name needs the address it resolved to: add ip=ADDRESS")
            }
            guard let addr = IPNet(parsing: ipText), addr.isHost else { throw RequestTextError(description: "'\(ipText)' is not an IP address") }
            return OperationRequest(action: info.name, resource: .host(domain: host, ip: addr, port: port, proto: proto), flags: flags)
        }
    }
}
