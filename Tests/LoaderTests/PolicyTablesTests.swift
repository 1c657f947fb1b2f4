import CLeashShim
import Foundation
import Loader
import PolicyCompiler
import PolicyTestSupport
import Testing

/// The map entries the loader writes, read back the way bpf/policy_engine.h reads them:
/// every lookup is a dictionary lookup on the exact key struct the kernel would build.
/// If this model decides like the simulator, the encoding carries everything the
/// simulator reads; the kernel test then checks the BPF code against the same simulator.
struct DecodedTables {
    let tables: PolicyTables
    var automata: [[UInt32]: leash_automaton] = [:]
    var states: [[UInt32]: leash_state] = [:]
    var transitions: [[UInt32]: UInt32] = [:]
    var ports: [[UInt32]: leash_port_interval] = [:]
    var ips: [[UInt32]: UInt32] = [:]
    var nodes: [[UInt32]: leash_node] = [:]
    var edges: [[UInt32]: UInt32] = [:]

    init(_ t: PolicyTables) {
        tables = t
        for (k, v) in t.automata { automata[[k.policy, k.automaton]] = v }
        for (k, v) in t.states { states[[k.policy, k.automaton, k.state]] = v }
        for (k, v) in t.transitions { transitions[[k.policy, k.automaton, k.state, k.byte]] = v }
        for (k, v) in t.ports { ports[[k.policy, k.index]] = v }
        for (k, v) in t.ips { ips[Self.ipKey(k.policy, k.family, k.prefixlen, k.addr)] = v }
        for (k, v) in t.nodes { nodes[[k.policy, k.node]] = v }
        for (k, v) in t.edges { edges[[k.policy, k.node, k.value]] = v }
    }

    static func ipKey<A>(_ policy: UInt32, _ family: UInt32, _ length: UInt32, _ addr: A) -> [UInt32] {
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: addr) { raw in for i in 0..<16 { bytes[i] = raw[i] } }
        return [policy, family, length] + bytes.map(UInt32.init)
    }

    static func bytes<T>(_ tuple: T, count: Int) -> [UInt8] {
        withUnsafeBytes(of: tuple) { Array($0.prefix(count)) }
    }

    /// leash_decide, step for step; nil where the kernel would report a table miss.
    func decide(_ r: OperationRequest, flags: UInt64) -> (allow: Bool, rule: Int32)? {
        let p = tables.policy, info = tables.info
        guard let code = PolicyTables.actionCode(r.action) else { return nil }
        let roots = withUnsafeBytes(of: info.roots) { Array($0.bindMemory(to: UInt32.self)) }
        var node = roots[Int(code)]
        let req = r.withMappedAddressesAsIPv4
        for _ in 0...Int(LEASH_MAX_DEPTH) {
            guard let n = nodes[[p, node]] else { return nil }
            if n.kind == LEASH_NODE_LEAF.rawValue { return (n.allow == 1, n.rule) }
            let value: UInt32
            switch n.kind {
            case LEASH_NODE_AUTOMATON_CLASS.rawValue, LEASH_NODE_AUTOMATON_BIT.rawValue:
                guard let a = automata[[p, n.index]], let walk = walk(a, index: n.index, req) else { return nil }
                value = n.kind == LEASH_NODE_AUTOMATON_CLASS.rawValue ? walk.cls : UInt32((walk.mask >> UInt64(n.bit)) & 1)
            case LEASH_NODE_IP.rawValue:
                guard case .host(_, let ip, _, _) = req.resource else { return nil }
                value = ipClass(ip)
            case LEASH_NODE_PORT.rawValue:
                guard case .host(_, _, let port, _) = req.resource, let c = portClass(UInt32(port)) else { return nil }
                value = c
            case LEASH_NODE_PROTO.rawValue:
                guard case .host(_, _, _, let proto) = req.resource else { return nil }
                value = proto == "tcp" ? info.proto_tcp : proto == "udp" ? info.proto_udp : info.proto_other
            case LEASH_NODE_FLAG.rawValue:
                value = n.index < 64 ? UInt32((flags >> UInt64(n.index)) & 1) : 0
            default: return nil
            }
            node = edges[[p, node, value]] ?? n.default_child
        }
        return nil
    }

    func walk(_ a: leash_automaton, index: UInt32, _ r: OperationRequest) -> (cls: UInt32, mask: UInt64)? {
        let text: String
        switch (a.dim, r.resource) {
        case (LEASH_STRING_PATH.rawValue, .file(let path)): text = path
        case (LEASH_STRING_HOST.rawValue, .host(let d, let ip, _, _)): text = OperationRequest.hostText(domain: d, ip: ip)
        case (LEASH_STRING_MCP_SERVER.rawValue, .mcp(let s, _)): text = s
        case (LEASH_STRING_MCP_TOOL.rawValue, .mcp(_, let t)): text = t
        default: return nil
        }
        let p = tables.policy
        guard var s = states[[p, index, a.start]] else { return nil }
        var state = a.start, mask = s.emit
        let bytes = a.reversed == 1 ? Array(text.utf8.reversed()) : Array(text.utf8)
        for b in bytes where s.flags & UInt32(LEASH_STATE_SINK.rawValue) == 0 {
            state = transitions[[p, index, state, UInt32(b)]] ?? s.next_default
            guard let next = states[[p, index, state]] else { return nil }
            s = next
            mask |= s.emit
        }
        return (s.class_, mask)
    }

    func ipClass(_ ip: IPNet) -> UInt32 {
        let info = tables.info
        let lengths = ip.isV6 ? Self.bytes(info.ip6_lengths, count: Int(info.ip6_length_count))
                              : Self.bytes(info.ip4_lengths, count: Int(info.ip4_length_count))
        for length in lengths {
            let masked = IPNet(isV6: ip.isV6, bytes: ip.bytes, prefix: Int(length)).network.bytes
            var addr = [UInt8](repeating: 0, count: 16)
            addr.replaceSubrange(0..<masked.count, with: masked)
            let key = [tables.policy, UInt32(ip.isV6 ? AF_INET6 : AF_INET), UInt32(length)] + addr.map(UInt32.init)
            if let c = ips[key] { return c }
        }
        return ip.isV6 ? info.ip6_default : info.ip4_default
    }

    func portClass(_ port: UInt32) -> UInt32? {
        var lo: UInt32 = 0, hi = tables.info.port_count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            guard let iv = ports[[tables.policy, mid]] else { return nil }
            if iv.start <= port { lo = mid } else { hi = mid - 1 }
        }
        return ports[[tables.policy, lo]]?.class_
    }
}

@Suite struct PolicyTablesTests {
    /// `enum leash_action` in leash_policy.h lists Vocabulary.actions, in order, by the
    /// same names (FileOpenReadOnly is LEASH_ACTION_FILE_OPEN_READ_ONLY = 0).
    @Test func actionCodesFollowTheVocabulary() throws {
        let header = try String(contentsOf: repositoryFile("Sources/CLeashShim/include/leash_policy.h"), encoding: .utf8)
        var declared: [String: Int] = [:]
        for line in header.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard parts.count == 3, parts[0].hasPrefix("LEASH_ACTION_"), parts[1] == "=", parts[2].hasSuffix(","),
                  let value = Int(parts[2].dropLast()) else { continue }
            declared[String(parts[0].dropFirst("LEASH_ACTION_".count))] = value
        }
        func constantName(_ action: String) -> String {
            var out = ""
            for c in action {
                if c.isUppercase && !out.isEmpty { out += "_" }
                out += c.uppercased()
            }
            return out
        }
        #expect(declared["COUNT"] == Vocabulary.actions.count)
        #expect(Int(LEASH_ACTION_COUNT.rawValue) == Vocabulary.actions.count)
        for (i, action) in Vocabulary.actions.enumerated() {
            #expect(declared[constantName(action.name)] == i, "\(action.name) should be LEASH_ACTION_\(constantName(action.name)) = \(i)")
            #expect(PolicyTables.actionCode(action.name) == UInt32(i))
        }
        #expect(declared.count == Vocabulary.actions.count + 1, "header has actions the vocabulary does not: \(declared.keys.sorted())")
        #expect(LEASH_ACTION_NETWORK_CONNECT.rawValue == 16 && LEASH_ACTION_MCP_CALL.rawValue == 18)
    }

    /// The decoded entries decide every sample request exactly like the simulator:
    /// allow AND deciding rule.
    @Test func decodedTablesDecideLikeTheSimulator() throws {
        var cases = EngineCases(seed: 0x7AB1E5)
        var compared = 0, policies = 0, allowed = 0
        for p in 0..<150 {
            let text = cases.policy()
            let result = PolicySourceCompiler.compile(source: text, file: "random-\(p).cedar", options: CompileOptions(agent: "claude"))
            guard let compiled = result.policy else { continue }
            policies += 1
            let id = PolicyID(p + 7)
            let decoded = DecodedTables(try PolicyTables(compiled, id: id))
            let simulator = Simulator(compiled)
            for _ in 0..<20 {
                let request = cases.request(near: text)
                let expected = try simulator.decide(request.withMappedAddressesAsIPv4)
                let got = decoded.decide(request, flags: compiled.flagWord(request.flags))
                #expect(got != nil, "table miss for \(request) under\n\(text)")
                #expect(got?.allow == expected.allow && got?.rule == Int32(expected.rules.first ?? -1),
                        "\(request): tables say \(String(describing: got)), simulator \(expected.allow) by \(expected.rules)\n\(text)")
                compared += 1
                if expected.allow { allowed += 1 }
            }
        }
        // Most random policies are in the lowerable fragment, and the sample is not one-sided.
        #expect(policies >= 120, "only \(policies) of 150 random policies compiled")
        #expect(allowed > compared / 10 && allowed < compared * 9 / 10, "\(allowed) of \(compared) allowed")
    }

    /// The shipped policies, with their address and port tables, encode the same way.
    @Test(arguments: ["default.cedar", "ci-npm.cedar", "strict.cedar"])
    func shippedPolicyTablesDecideLikeTheSimulator(file: String) throws {
        let text = try String(contentsOf: repositoryFile("policies/\(file)"), encoding: .utf8)
        let result = PolicySourceCompiler.compile(source: text, file: file,
                                                  options: CompileOptions(agent: "claude", placeholders: ["WORKDIR": "/work/proj", "HOME": "/home/u"]))
        let compiled = try #require(result.policy, "\(result.diagnostics)")
        let decoded = DecodedTables(try PolicyTables(compiled, id: 1))
        let simulator = Simulator(compiled)
        var cases = EngineCases(seed: 11)
        let extraPaths = ["/home/u/.ssh/id_rsa", "/work/proj/src/a.swift", "/tmp/x", "/home/u/.npm/_cacache/x", "/etc/passwd"]
        for i in 0..<400 {
            var request = cases.request()
            if i % 4 == 0, case .file = request.resource {
                request = OperationRequest(action: request.action, resource: .file(path: extraPaths[i / 4 % extraPaths.count]), flags: request.flags)
            }
            let expected = try simulator.decide(request.withMappedAddressesAsIPv4)
            let got = decoded.decide(request, flags: compiled.flagWord(request.flags))
            #expect(got?.allow == expected.allow && got?.rule == Int32(expected.rules.first ?? -1), "\(file): \(request)")
        }
    }

    @Test func tablesKeyEveryEntryByThePolicyID() throws {
        let compiled = try #require(PolicySourceCompiler.compile(
            source: "permit (principal, action == Action::\"NetworkConnect\", resource) when { resource.ip.isInRange(ip(\"10.0.0.0/8\")) && resource.port == 443 && resource in Host::\"*.github.com\" };",
            file: "t.cedar", options: CompileOptions(agent: "claude")).policy)
        let t = try PolicyTables(compiled, id: 42)
        #expect(!t.automata.isEmpty && !t.states.isEmpty && !t.ports.isEmpty && !t.ips.isEmpty && !t.nodes.isEmpty)
        #expect(t.automata.allSatisfy { $0.0.policy == 42 } && t.states.allSatisfy { $0.0.policy == 42 })
        #expect(t.transitions.allSatisfy { $0.0.policy == 42 } && t.ports.allSatisfy { $0.0.policy == 42 })
        #expect(t.ips.allSatisfy { $0.0.policy == 42 } && t.nodes.allSatisfy { $0.0.policy == 42 } && t.edges.allSatisfy { $0.0.policy == 42 })
        // 10.0.0.0/8 under IPv4, the bits past the prefix zero.
        let ip = try #require(t.ips.first).0
        #expect(ip.family == UInt32(AF_INET) && ip.prefixlen == 8 && DecodedTables.bytes(ip.addr, count: 4) == [10, 0, 0, 0])
        #expect(t.info.ip4_length_count == 1 && DecodedTables.bytes(t.info.ip4_lengths, count: 1) == [8])
    }

    @Test func policiesTheEngineCannotHoldAreRefusedWithTheReason() throws {
        var compiled = try #require(PolicySourceCompiler.compile(source: "permit (principal, action, resource);", file: "t.cedar",
                                                                 options: CompileOptions(agent: "claude")).policy)
        compiled.maxDepth = PolicyTables.maxDepth + 1
        #expect(throws: PolicyTablesError.tooDeep(maxDepth: PolicyTables.maxDepth + 1, limit: PolicyTables.maxDepth)) {
            try PolicyTables(compiled, id: 1)
        }
        compiled.maxDepth = 1
        compiled.actions[0] = "FileTeleport"
        #expect(throws: PolicyTablesError.unknownAction("FileTeleport")) { try PolicyTables(compiled, id: 1) }
        #expect(PolicyTablesError.tooDeep(maxDepth: 300, limit: 256).description.contains("LEASH_MAX_DEPTH"))
    }

    @Test func requestsAreEncodedAsHooksFillThem() throws {
        let file = try leash_request(OperationRequest(action: "FileOpenReadWrite", resource: .file(path: "/etc/é")), policy: 3, flags: 5)
        #expect(file.action == LEASH_ACTION_FILE_OPEN_READ_WRITE.rawValue && file.policy == 3 && file.flags == 5)
        #expect(file.str_len == 7 && DecodedTables.bytes(file.str, count: 7) == Array("/etc/é".utf8))
        let net = try leash_request(OperationRequest(action: "NetworkSend", resource: .host(domain: nil, ip: IPNet(parsing: "::1")!, port: 53, proto: "udp")),
                                    policy: 1, flags: 0)
        #expect(net.str_len == 0, "no domain: the engine formats the address")
        #expect(net.family == UInt32(AF_INET6) && net.proto == UInt32(IPPROTO_UDP) && net.port == 53)
        #expect(DecodedTables.bytes(net.addr, count: 16) == Array(repeating: 0, count: 15) + [1])
        #expect(throws: KernelRequestError.stringTooLong(what: "path", bytes: 5000, limit: 4096)) {
            try leash_request(OperationRequest(action: "FileUnlink", resource: .file(path: String(repeating: "a", count: 5000))), policy: 1, flags: 0)
        }
    }
}

func repositoryFile(_ relative: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative)
}
