#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
@testable import Loader
import PolicyCompiler
import PolicyTestSupport
import Testing

/// The in-kernel engine (bpf/policy_engine.h) against the compiler's simulator, asked
/// through bpf/policy_probe.bpf.c's syscall program. Runs wherever BPF_PROG_TYPE_SYSCALL
/// programs load (this project's host kernel and the VM bench); skipped with the reason
/// elsewhere.
@Suite(.serialized, .enabled(if: PolicyEngineEnvironment.unavailable == nil,
                             Comment(rawValue: PolicyEngineEnvironment.unavailable ?? "")))
struct PolicyEngineTests {
    static func compile(_ text: String, file: String = "engine-test.cedar") throws -> CompiledPolicy {
        let result = PolicySourceCompiler.compile(source: text, file: file, options: CompileOptions(agent: "claude"))
        return try #require(result.policy, "\(result.diagnostics.map(\.description))")
    }

    /// The issue's "kernel equals simulator": a fixed-seed sample of random policies, all
    /// installed at once (so policy ids must keep them apart), each asked random requests.
    @Test func kernelDecidesEveryRandomRequestLikeTheSimulator() throws {
        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store)
        var cases = EngineCases(seed: 0x1EA5_4B0F)
        var installed: [(PolicyID, CompiledPolicy, Simulator, String)] = []
        for p in 0..<150 {
            let text = cases.policy()
            let result = PolicySourceCompiler.compile(source: text, file: "random-\(p).cedar", options: CompileOptions(agent: "claude"))
            guard let compiled = result.policy else { continue }
            installed.append((try store.install(compiled), compiled, Simulator(compiled), text))
        }
        #expect(installed.count >= 125, "only \(installed.count) of 150 random policies compiled")

        var compared = 0, mismatches = 0, allowed = 0
        var seen: [String: Int] = [:]
        for (id, compiled, simulator, text) in installed {
            for _ in 0..<24 {
                let request = cases.request(near: text)
                let expected = try simulator.decide(request.withMappedAddressesAsIPv4)
                let got = try probe.decide(request, policy: id, flags: compiled.flagWord(request.flags))
                let expectedRule = Int32(expected.rules.first ?? -1)
                compared += 1
                if expected.allow { allowed += 1 }
                for tag in Self.coverage(request) + Self.coverage(steps: expected.steps) { seen[tag, default: 0] += 1 }
                if got.status != LEASH_DECIDE_OK.rawValue || (got.allow == 1) != expected.allow || got.rule != expectedRule {
                    mismatches += 1
                    if mismatches <= 10 {
                        Issue.record("policy \(id): \(request): kernel allow=\(got.allow) rule=\(got.rule) status=\(got.status), simulator allow=\(expected.allow) rule=\(expectedRule) via \(expected.steps)\n\(text)")
                    }
                }
            }
        }
        print("policy engine: \(compared) (policy, request) pairs over \(installed.count) policies, \(mismatches) mismatches, \(allowed) allowed; coverage \(seen.sorted { $0.key < $1.key })")
        #expect(compared >= 2_000)
        #expect(mismatches == 0)
        #expect(allowed > compared / 10 && allowed < compared * 9 / 10, "\(allowed) of \(compared) allowed: the sample is one-sided")
        for tag in ["ipv4", "ipv6", "ipv4-mapped", "domain", "no-domain", "tcp", "udp", "flags", "file", "network", "mcp"] {
            #expect(seen[tag, default: 0] >= 20, "only \(seen[tag, default: 0]) requests of kind \(tag)")
        }
        for action in Vocabulary.actions { #expect(seen[action.name, default: 0] > 0, "no \(action.name) request") }
        // Decisions that really branched on each kind of table, so a broken table of any
        // kind shows up as mismatches.
        for step in ["step:path", "step:host", "step:mcp", "step:emit-bit", "step:ip", "step:port", "step:proto", "step:flag"] {
            #expect(seen[step, default: 0] >= 30, "only \(seen[step, default: 0]) decisions branched on \(step)")
        }
        for (id, _, _, _) in installed { try store.remove(id) }
    }

    /// The kinds of table a simulated decision read (from Simulator.describe's words).
    static func coverage(steps: [String]) -> [String] {
        var tags = Set<String>()
        for step in steps {
            if step.contains(" bit ") { tags.insert("step:emit-bit") }
            if step.hasPrefix("path automaton") { tags.insert("step:path") }
            if step.hasPrefix("host automaton") { tags.insert("step:host") }
            if step.hasPrefix("mcp") { tags.insert("step:mcp") }
            if step.hasPrefix("context.") { tags.insert("step:flag") }
            if step.hasPrefix("ip class") { tags.insert("step:ip") }
            if step.hasPrefix("port class") { tags.insert("step:port") }
            if step.hasPrefix("proto class") { tags.insert("step:proto") }
        }
        return tags.sorted()
    }

    static func coverage(_ r: OperationRequest) -> [String] {
        var tags = [r.action]
        if !r.flags.isEmpty { tags.append("flags") }
        switch r.resource {
        case .file: tags.append("file")
        case .mcp: tags.append("mcp")
        case .host(let d, let ip, _, let proto):
            tags += ["network", proto, d == nil ? "no-domain" : "domain"]
            if r.withMappedAddressesAsIPv4 != r { tags.append("ipv4-mapped") } else { tags.append(ip.isV6 ? "ipv6" : "ipv4") }
        }
        return tags
    }

    /// Without a domain the host automaton walks the address's text as the engine writes
    /// it: each rule matches one canonical spelling, so a formatting slip picks no rule.
    @Test func addressesAreSpelledAsCanonicalText() throws {
        var cases = EngineCases(seed: 5952)
        var addresses: [IPNet] = ["0.0.0.0", "255.255.255.255", "10.0.0.1", "::", "::1", "1::", "1:0:0:1::", "1::1:0:0:1",
                                  "2001:db8::8a2e:370:7334", "fe80::1:0:0:0", "0:1:0:0:1::", "1:2:3:4:5:6:7:8", "1:0:2:0:3:0:4:0",
                                  "ffff::ffff:0:0", "::fffe:0:1"].map { IPNet(parsing: $0)! }
        while addresses.count < 120 {
            let a = cases.address()
            if a.withMappedIPv4 == nil, !addresses.contains(a) { addresses.append(a) }
        }
        let rules = addresses.enumerated().map { i, a in
            "@id(\"a\(i)\") permit (principal, action == Action::\"NetworkConnect\", resource) when { resource.domain == \"\(a.canonicalText)\" };"
        }
        let compiled = try Self.compile(rules.joined(separator: "\n"))
        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store)
        let id = try store.install(compiled)
        for (i, a) in addresses.enumerated() {
            let request = OperationRequest(action: "NetworkConnect", resource: .host(domain: nil, ip: a, port: 443, proto: "tcp"))
            let got = try probe.decide(request, policy: id, flags: 0)
            #expect(got.allow == 1 && got.rule == Int32(i), "\(a.canonicalText): kernel rule \(got.rule)")
        }
        // With a domain the name is walked, not the address.
        let named = OperationRequest(action: "NetworkConnect", resource: .host(domain: "example.org", ip: addresses[2], port: 443, proto: "tcp"))
        #expect(try probe.decide(named, policy: id, flags: 0).allow == 0)
    }

    /// Nested ranges: the longest one containing the address decides, in both families.
    /// Rules are numbered from the narrowest range, so the reported rule names the range
    /// the engine matched.
    @Test func theLongestContainingRangeDecides() throws {
        let ranges = ["10.1.2.3", "10.1.2.0/24", "10.1.0.0/16", "10.0.0.0/8",
                      "2001:db8::1", "2001:db8::/64", "2001:db8::/48", "2001:db8::/32"]
        let text = ranges.enumerated().map { i, r in
            "@id(\"r\(i)\") permit (principal, action == Action::\"NetworkSend\", resource) when { resource.ip.isInRange(ip(\"\(r)\")) };"
        }.joined(separator: "\n")
        let compiled = try Self.compile(text)
        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store)
        let id = try store.install(compiled)
        let expected: [(String, Int32)] = [("10.1.2.3", 0), ("10.1.2.9", 1), ("10.1.9.9", 2), ("10.9.9.9", 3), ("11.0.0.1", -1),
                                           ("::ffff:a01:203", 0), ("::ffff:a09:1", 3),
                                           ("2001:db8::1", 4), ("2001:db8::2", 5), ("2001:db8:0:1::1", 6), ("2001:db8:1::1", 7), ("2001:db9::1", -1)]
        for (address, rule) in expected {
            let request = OperationRequest(action: "NetworkSend", resource: .host(domain: nil, ip: IPNet(parsing: address)!, port: 53, proto: "udp"))
            let got = try probe.decide(request, policy: id, flags: 0)
            let simulated = try Simulator(compiled).decide(request.withMappedAddressesAsIPv4)
            #expect(got.rule == rule && got.allow == (rule >= 0 ? 1 : 0), "\(address): kernel rule \(got.rule), expected \(rule)")
            #expect(Int32(simulated.rules.first ?? -1) == rule, "\(address): simulator rule \(simulated.rules)")
        }
    }

    /// Flags flip decisions without a reload; a reload is one binding update; a removed
    /// policy fails closed; and a damaged table entry changes the kernel's answer (so the
    /// comparison above would catch a table the kernel does not read correctly).
    @Test func policiesAreKeptApartReloadedAndFailClosed() throws {
        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store)
        let first = try Self.compile("""
            @id("ssh-when-approved") permit (principal, action == Action::"FileOpenReadOnly", resource) when { resource in Dir::"/home/u/.ssh/" && context.ssh };
            @id("tmp") permit (principal, action in Action::"FileWrite", resource) when { resource in Dir::"/tmp/" };
            """)
        let second = try Self.compile("""
            @id("ssh-never") forbid (principal, action, resource) when { resource in Dir::"/home/u/.ssh/" };
            @id("all") permit (principal, action, resource);
            """)
        let key = OperationRequest(action: "FileOpenReadOnly", resource: .file(path: "/home/u/.ssh/id_rsa"))
        let a = try store.install(first), b = try store.install(second)
        #expect(a != b)
        #expect(try probe.decide(key, policy: a, flags: 0).allow == 0)
        #expect(try probe.decide(key, policy: a, flags: first.flagWord(["ssh"])).allow == 1)
        #expect(try probe.decide(key, policy: b, flags: second.flagWord(["ssh"])).rule == 0)

        // The sandbox table: binding, flag flips and the switch to another policy.
        try store.bind(sandbox: 7, policy: a, mode: .enforce, flags: 0)
        try store.setFlags(sandbox: 7, first.flagWord(["ssh"]))
        var binding = try #require(try store.binding(sandbox: 7))
        #expect(binding.policy == a && binding.flags == first.flagWord(["ssh"]) && binding.mode == SandboxMode.enforce.rawValue)
        try store.bind(sandbox: 7, policy: b, mode: .audit, flags: binding.flags)
        binding = try #require(try store.binding(sandbox: 7))
        #expect(binding.policy == b && binding.mode == SandboxMode.audit.rawValue)
        #expect(throws: KernelPolicyError.self) { try store.bind(sandbox: 8, policy: 999, mode: .enforce, flags: 0) }

        // A removed policy decides nothing: deny, no rule, status NO_POLICY.
        try store.remove(a)
        let gone = try probe.decide(key, policy: a, flags: first.flagWord(["ssh"]))
        #expect(gone.allow == 0 && gone.rule == -1 && gone.status == LEASH_DECIDE_NO_POLICY.rawValue)
        #expect(try probe.decide(key, policy: b, flags: 0).status == LEASH_DECIDE_OK.rawValue)

        // Damage: turn every leaf of policy b into "allow by rule 1"; the forbid disappears.
        let tables = try PolicyTables(second, id: b)
        for (k, v) in tables.nodes where v.kind == LEASH_NODE_LEAF.rawValue {
            var broken = v
            broken.allow = 1
            broken.rule = 1
            try store.overwriteNode(policy: b, node: k.node, broken)
        }
        let damaged = try probe.decide(key, policy: b, flags: 0)
        #expect(damaged.allow == 1 && damaged.rule == 1, "the kernel must read the tables it is given")
        try store.remove(b)
        try store.unbind(sandbox: 7)
    }

    /// Hot reload under load: one thread decides through the sandbox's binding while
    /// another swaps the sandbox between two policies (install, rebind, remove the old).
    /// Every decision is made by one whole policy: never "no policy", never torn tables.
    @Test func reloadUnderLoadNeverDecidesByNoPolicy() throws {
        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store)
        let x = try Self.compile("""
            @id("x-ssh") forbid (principal, action, resource) when { resource in Dir::"/home/u/.ssh/" };
            @id("x-all") permit (principal, action, resource);
            """)
        let y = try Self.compile("""
            @id("y-tmp") permit (principal, action in Action::"FileWrite", resource) when { resource in Dir::"/tmp/" };
            @id("y-read") permit (principal, action == Action::"FileOpenReadOnly", resource) when { resource.path like "/home/*" };
            """)
        let requests = [
            OperationRequest(action: "FileOpenReadOnly", resource: .file(path: "/home/u/.ssh/id_rsa")),
            OperationRequest(action: "FileCreate", resource: .file(path: "/tmp/build/out.o")),
            OperationRequest(action: "FileUnlink", resource: .file(path: "/etc/passwd")),
        ]
        // The two acceptable answers for each request: policy x's and policy y's.
        let answers = try requests.map { r in
            try [x, y].map { p -> [Int32] in
                let d = try Simulator(p).decide(r)
                return [d.allow ? 1 : 0, Int32(d.rules.first ?? -1)]
            }
        }
        let sandbox: UInt32 = 11
        let first = try store.install(x)
        try store.bind(sandbox: sandbox, policy: first, mode: .enforce, flags: 0)

        final class Reloader: @unchecked Sendable {
            var current: PolicyID
            var error: Error?
            init(_ current: PolicyID) { self.current = current }
        }
        let reloader = Reloader(first)
        let done = DispatchSemaphore(value: 0)
        let reloads = 40
        DispatchQueue.global().async {
            defer { done.signal() }
            do {
                for i in 0..<reloads {
                    let fresh = try store.install(i % 2 == 0 ? y : x)
                    try store.bind(sandbox: sandbox, policy: fresh, mode: .enforce, flags: 0)
                    try store.remove(reloader.current)
                    reloader.current = fresh
                }
            } catch { reloader.error = error }
        }
        var decisions = 0, bad: [String] = []
        var finished = false
        while !finished {
            finished = done.wait(timeout: .now()) == .success
            for (i, r) in requests.enumerated() {
                let d = try probe.decide(r, sandbox: sandbox)
                decisions += 1
                if d.status != LEASH_DECIDE_OK.rawValue || !answers[i].contains([Int32(d.allow), d.rule]) {
                    bad.append("\(r.cedarResource.id): allow \(d.allow) rule \(d.rule) status \(d.status)")
                }
            }
        }
        #expect(reloader.error == nil, "\(String(describing: reloader.error))")
        #expect(bad.isEmpty, "\(bad.count) of \(decisions) decisions were not one whole policy's: \(bad.prefix(5))")
        #expect(decisions > reloads, "only \(decisions) decisions during \(reloads) reloads")
        #expect(store.installedPolicies == [reloader.current])
        print("policy engine: \(decisions) decisions during \(reloads) hot reloads, \(bad.count) by no or a torn policy")
    }

    /// Two objects loaded against one store read one copy of the tables: what one
    /// installs or rebinds, the other decides with.
    @Test func objectsSharingTheStoreSeeOneCopyOfTheTables() throws {
        let store = try KernelPolicyStore()
        let one = try PolicyProbe(store: store), other = try PolicyProbe(store: store)
        let compiled = try Self.compile("@id(\"tmp\") permit (principal, action == Action::\"FileCreate\", resource) when { resource in Dir::\"/tmp/\" };")
        let request = OperationRequest(action: "FileCreate", resource: .file(path: "/tmp/x"))
        let id = try store.install(compiled)
        #expect(try one.decide(request, policy: id, flags: 0).allow == 1)
        #expect(try other.decide(request, policy: id, flags: 0).allow == 1)
        try store.remove(id)
        #expect(try other.decide(request, policy: id, flags: 0).status == LEASH_DECIDE_NO_POLICY.rawValue)
        // A store of its own is a separate set of maps.
        let separate = try PolicyProbe(store: try KernelPolicyStore())
        let again = try store.install(compiled)
        #expect(try separate.decide(request, policy: again, flags: 0).status == LEASH_DECIDE_NO_POLICY.rawValue)
        #expect(try one.decide(request, policy: again, flags: 0).allow == 1)
    }

    /// A policy that does not fit is refused whole: nothing of it stays in the maps, its
    /// id never becomes valid, and the store goes on working.
    @Test func aPolicyThatDoesNotFitLeavesNothingBehind() throws {
        let store = try KernelPolicyStore(capacity: ["policy_states": 64])
        let probe = try PolicyProbe(store: store)
        let big = try Self.compile(EngineScalePolicy.text(rules: 50), file: "big.cedar")
        #expect(try PolicyTables(big, id: 1).states.count > 64)
        #expect(throws: KernelPolicyError.self) { try store.install(big) }
        #expect(store.installedPolicies.isEmpty)
        for name in KernelPolicyStore.sharedMapNames {
            #expect(store.entryCount(name) == 0, "\(name) keeps \(store.entryCount(name)) entries of the refused policy")
        }
        let request = OperationRequest(action: "FileOpenReadOnly", resource: .file(path: "/data/team0/p0/x"))
        #expect(try probe.decide(request, policy: 1, flags: 0).status == LEASH_DECIDE_NO_POLICY.rawValue)
        let small = try Self.compile("@id(\"data\") permit (principal, action == Action::\"FileOpenReadOnly\", resource) when { resource in Dir::\"/data/\" };")
        let id = try store.install(small)
        #expect(try probe.decide(request, policy: id, flags: 0).allow == 1)
        try store.remove(id)
        #expect(KernelPolicyStore.sharedMapNames.allSatisfy { store.entryCount($0) == 0 }, "remove leaves entries behind")
    }

    /// Strings at the limits: the longest path the engine takes, and one byte more.
    @Test func longPathsAreWalkedToTheEndAndOverlongOnesRefused() throws {
        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store)
        let compiled = try Self.compile("""
            @id("pem") forbid (principal, action, resource) when { resource.path like "*.pem" };
            @id("deep") permit (principal, action == Action::"FileOpenReadOnly", resource) when { resource in Dir::"/d/" };
            """)
        let id = try store.install(compiled)
        let stem = "/d/" + String(repeating: "x/", count: 2040)
        let pem = stem + String(repeating: "y", count: 4096 - stem.utf8.count - 4) + ".pem"
        #expect(pem.utf8.count == 4096)
        let denied = try probe.decide(OperationRequest(action: "FileOpenReadOnly", resource: .file(path: pem)), policy: id, flags: 0)
        #expect(denied.allow == 0 && denied.rule == 0 && denied.status == LEASH_DECIDE_OK.rawValue)
        let plain = String(pem.dropLast(4)) + ".txt"
        let allowed = try probe.decide(OperationRequest(action: "FileOpenReadOnly", resource: .file(path: plain)), policy: id, flags: 0)
        #expect(allowed.allow == 1 && allowed.rule == 1)
        // The kernel refuses a length past its buffer rather than reading beyond it.
        var request = try leash_request(OperationRequest(action: "FileOpenReadOnly", resource: .file(path: "/d/a")), policy: id, flags: 0)
        request.str_len = UInt32(LEASH_STRING_MAX) + 1
        let refused = try probe.decide(request)
        #expect(refused.allow == 0 && refused.status == LEASH_DECIDE_BAD_REQUEST.rawValue)
        try store.remove(id)
    }

    /// The kernel's own measure of a decision (kernel.bpf_stats_enabled run_time_ns /
    /// run_cnt of the probe program), by policy size. Printed for the benchmarks, never
    /// asserted; LEASH_ENGINE_COST_RULES=10,100,1000,10000 chooses the sizes.
    @Test func decisionCostByPolicySize() throws {
        let sizes = (ProcessInfo.processInfo.environment["LEASH_ENGINE_COST_RULES"] ?? "10,100,1000")
            .split(separator: ",").compactMap { Int($0) }
        let statistics = try PolicyProbe.enableRunStatistics()
        defer { withExtendedLifetime(statistics) {} }
        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store)
        let size = try probe.programSize()
        print("policy engine: leash_probe is \(size.instructions) instructions after the verifier, \(size.verified) verified")
        for n in sizes {
            let compiled = try Self.compile(EngineScalePolicy.text(rules: n), file: "scale-\(n).cedar")
            let started = Date()
            let id = try store.install(compiled)
            let installSeconds = Date().timeIntervalSince(started)
            let originals = EngineScalePolicy.requests(rules: n)
            let requests = try originals.map { try leash_request($0, policy: id, flags: 0) }
            var perRequest: [String] = []
            var allows = 0, totalRuns: UInt64 = 0, totalNanoseconds: UInt64 = 0
            for (original, r) in zip(originals, requests) {
                let before = try probe.runStatistics()
                for _ in 0..<20 where try probe.decide(r).allow == 1 { allows += 1 }
                let after = try probe.runStatistics()
                let runs = after.count - before.count, ns = after.nanoseconds - before.nanoseconds
                totalRuns += runs
                totalNanoseconds += ns
                perRequest.append("\(original.action) \(original.cedarResource.id): \(runs > 0 ? ns / runs : 0) ns")
            }
            let t = try PolicyTables(compiled, id: id)
            print("policy engine: \(n) rules: automata \(t.automata.count), states \(t.states.count), transitions \(t.transitions.count), ports \(t.ports.count), ips \(t.ips.count), nodes \(t.nodes.count), edges \(t.edges.count)")
            print("policy engine: \(n) rules, \(t.entryCount) table entries installed in \(String(format: "%.2f", installSeconds)) s: \(totalRuns) decisions, mean \(totalRuns > 0 ? totalNanoseconds / totalRuns : 0) ns per decision (kernel-measured), \(allows) allowed; \(perRequest.joined(separator: "; "))")
            #expect(totalRuns == UInt64(20 * requests.count))
            try store.remove(id)
        }
    }
}

/// Rules of the families the compile benchmark uses (Benchmarks/compile/run.py), and
/// requests that reach each family.
enum EngineScalePolicy {
    static func text(rules n: Int) -> String { ScalePolicy.text(rules: n) }

    static func requests(rules n: Int) -> [OperationRequest] {
        let last = max(0, n - 5)
        func file(_ a: String, _ p: String) -> OperationRequest { OperationRequest(action: a, resource: .file(path: p)) }
        func net(_ d: String?, _ ip: String, _ port: Int) -> OperationRequest {
            OperationRequest(action: "NetworkConnect", resource: .host(domain: d, ip: IPNet(parsing: ip)!, port: port, proto: "tcp"))
        }
        return [
            file("FileOpenReadOnly", "/data/team\(last % 97)/p\(last)/src/main.swift"),
            file("FileOpenReadOnly", "/data/team\(last % 97)/p\(last)/secret"),
            file("FileOpenReadWrite", "/home/u/.ssh/id_rsa"),
            file("ProcessExec", "/opt/tool\(last + 3)/bin/run"),
            net("api.svc\(last + 2).example", "192.0.2.1", 1000 + (last + 2) % 5000),
            net(nil, "10.\((last + 4) % 256).\((last + 4) / 256 % 256).9", 443),
            net(nil, "2001:db8::1", 443),
        ]
    }
}

enum PolicyEngineEnvironment {
    /// Why the engine cannot be asked here, or nil. Decided by loading the probe.
    static let unavailable: String? = {
        guard geteuid() == 0 else { return "not root: loading BPF programs needs root" }
        do {
            let store = try KernelPolicyStore()
            _ = try PolicyProbe(store: store)
            return nil
        } catch {
            return "the policy probe (a SEC(\"syscall\") BPF program) does not load here: \(error)"
        }
    }()
}

extension IPNet {
    /// The IPv4 address inside an IPv4-mapped IPv6 address.
    var withMappedIPv4: IPNet? {
        guard isV6, bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return nil }
        return IPNet(isV6: false, bytes: Array(bytes[12...]), prefix: 32)
    }
}
