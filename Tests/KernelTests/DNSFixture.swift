#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler
@testable import Resolver

/// Why the DNS kernel tests cannot run here, or nil. Decided by loading the programs.
enum DNSEnvironment {
    static let unavailable: String? = {
        guard geteuid() == 0 else { return "not root: cgroup programs and the policy maps need root" }
        do {
            _ = try CgroupV2.locate()
            _ = try NetworkPrograms(policies: KernelPolicyStore())
            return nil
        } catch {
            return "the sandbox network programs do not load here: \(error)"
        }
    }()
}

/// Test-only addresses put on lo for the suite: a "remote" DNS server (192.0.2.53 and
/// 2001:db8:6c::53, documentation ranges) and IPv6 answers. Being local, nothing sent to
/// them can leave the machine even if a redirect failed.
enum TestAddresses {
    static let v4 = ["192.0.2.53/32"]
    static let v6 = ["2001:db8:6c::53/128", "2001:db8:6c::21/128", "2001:db8:6c::22/128", "2001:db8:6c::66/128"]
    static let ip = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"

    // Suites run in parallel (DNSTests, NetworkRunTests): the addresses stay while any
    // fixture uses them, or one suite's teardown pulls them from under the other.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var users = 0

    static func add() throws {
        lock.lock(); defer { lock.unlock() }
        if users == 0 {
            for a in v4 { _ = try run([ip, "addr", "replace", a, "dev", "lo"]) }
            for a in v6 { _ = try run([ip, "-6", "addr", "replace", a, "dev", "lo", "nodad"]) }
        }
        users += 1
    }

    static func remove() {
        lock.lock(); defer { lock.unlock() }
        users -= 1
        guard users == 0 else { return }
        for a in v4 { _ = try? run([ip, "addr", "del", a, "dev", "lo"]) }
        for a in v6 { _ = try? run([ip, "-6", "addr", "del", a, "dev", "lo"]) }
    }
}

/// The upstream DNS server of the tests, on loopback: a fixed zone.
func testZone(_ query: [UInt8]) -> [UInt8]? {
    guard let q = try? DNSMessage(bytes: query), let question = q.questions.first else { return nil }
    var r = DNSMessage(id: q.id, flags: DNSMessage.qrBit | DNSMessage.rdBit | DNSMessage.raBit, questions: q.questions)
    let n = question.name.text
    func rec(_ owner: String, _ type: DNSType, _ data: DNSRecordData, ttl: UInt32 = 60) -> DNSRecord {
        DNSRecord(name: try! DNSName(owner), type: type, ttl: ttl, data: data)
    }
    func v4(_ t: String) -> DNSRecordData { .a(IPNet(parsing: t)!.bytes) }
    func v6(_ t: String) -> DNSRecordData { .aaaa(IPNet(parsing: t)!.bytes) }
    var records: [DNSRecord]
    switch n {
    case "api.anthropic.test": records = [rec(n, .a, v4("127.0.0.21")), rec(n, .aaaa, v6("2001:db8:6c::21"))]
    case "www.anthropic.test":
        records = [rec(n, .cname, .cname(try! DNSName("edge.anthropic-cdn.test"))),
                   rec("edge.anthropic-cdn.test", .cname, .cname(try! DNSName("e2.cdn.test"))),
                   rec("e2.cdn.test", .a, v4("127.0.0.22")), rec("e2.cdn.test", .aaaa, v6("2001:db8:6c::22"))]
    case "short.anthropic.test": records = [rec(n, .a, v4("127.0.0.23"), ttl: 1)]
    case "evil.test": records = [rec(n, .a, v4("127.0.0.66")), rec(n, .aaaa, v6("2001:db8:6c::66"))]
    case "api.other.test": records = [rec(n, .a, v4("127.0.0.24"))]
    default:
        let labels = question.name.labels
        if labels.count == 4, labels[1] == Array("race".utf8), labels[0].first == UInt8(ascii: "r"),
           let i = Int(String(decoding: labels[0].dropFirst(), as: UTF8.self)) {
            records = [rec(n, .a, .a([127, 1, UInt8(i / 256), UInt8(i % 256)]))]
        } else {
            r.flags |= UInt16(DNSResponseCode.nameError.rawValue)
            records = []
        }
    }
    r.answers = records.filter { question.type == .cname || $0.type == question.type || $0.type == .cname }
    return try? r.encoded()
}

/// A TCP listener on every address (IPv4 and IPv6) at one port, accepting and closing.
final class AnyAddressListener {
    let port: UInt16
    private var fds: [Int32] = []
    private var stopped = false

    init() throws {
        var chosen: UInt16 = 0
        for v6 in [false, true] {
            let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
            let rc: Int32
            if v6 {
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, 4)
                var sa = sockaddr_in6(); sa.sin6_family = sa_family_t(AF_INET6); sa.sin6_port = chosen.bigEndian
                rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            } else {
                var sa = sockaddr_in(); sa.sin_family = sa_family_t(AF_INET)
                rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            }
            guard rc == 0, listen(fd, 1024) == 0 else { let e = errno; close(fd); throw FileError(path: "listener", code: e) }
            if chosen == 0 { chosen = Socket(adopting: dup(fd)).localPort }
            fds.append(fd)
        }
        port = chosen
        for fd in fds {
            Thread { [weak self] in
                while self?.stopped == false {
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    if poll(&p, 1, 100) > 0 { let c = accept(fd, nil, nil); if c >= 0 { close(c) } }
                }
            }.start()
        }
    }

    deinit {
        stopped = true
        usleep(150_000)
        fds.forEach { close($0) }
    }
}

/// One sandbox under test: its cgroup, its policy in the kernel, its resolver.
final class TestSandbox {
    let id: UInt32
    let cgroup: Cgroup
    let network: SandboxNetwork
    let events = EventLog()

    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [ResolverEvent] = []
        func add(_ e: ResolverEvent) { lock.lock(); list.append(e); lock.unlock() }
        var all: [ResolverEvent] { lock.lock(); defer { lock.unlock() }; return list }
    }

    init(id: UInt32, policy source: String, store: KernelPolicyStore, programs: NetworkPrograms, upstream: SocketAddress,
         settings: ResolverSettings = ResolverSettings(graceNanos: 0, minimumTTL: 0)) throws {
        let result = PolicySourceCompiler.compile(source: source, file: "sandbox\(id).cedar", options: CompileOptions(agent: "agent"))
        guard let compiled = result.policy else { throw FileError(path: "sandbox\(id).cedar: \(result.diagnostics)", code: EINVAL) }
        try store.bind(sandbox: id, policy: try store.install(compiled), mode: .enforce, flags: 0)
        self.id = id
        cgroup = try Cgroup(parent: try CgroupV2.locate().path, name: uniqueCgroupName("dns\(id)"))
        let events = self.events
        network = try SandboxNetwork(programs: programs, cgroup: cgroup, sandbox: id, policy: compiled,
                                     upstream: NetworkUpstream(server: upstream), settings: settings, report: { events.add($0) })
    }

    deinit { network.stop() }

    /// Runs the client script in this sandbox and returns its JSON line.
    func client(_ script: String, _ args: [String]) throws -> [String: Any] {
        let quoted = args.map { "'\($0)'" }.joined(separator: " ")
        let r = try runInCgroup(cgroup, "exec /usr/bin/python3 '\(script)' \(quoted)")
        guard let line = r.stdout.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw FileError(path: "client \(args): status \(r.status), stdout \(r.stdout), stderr \(r.stderr)", code: EIO)
        }
        return object
    }
}

/// Everything the DNS tests share: test addresses on lo, the zone server, a listener,
/// the policy store and the programs.
final class DNSFixture {
    let store: KernelPolicyStore
    let programs: NetworkPrograms
    let zone: DNSServer
    let listener: AnyAddressListener
    let scratch: ScratchDirectory
    let script: String

    static let policyA = """
    @id("anthropic")
    permit (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource)
    when { resource in [Host::"api.anthropic.test", Host::"*.anthropic.test"] };

    @id("no-evil")
    forbid (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource)
    when { resource in Host::"evil.test" };
    """

    /// Allows api.anthropic.test BY NAME too: if sandbox A's binding of that name leaked
    /// into this sandbox, a bare connect to its address here would be allowed.
    static let policyB = """
    @id("other")
    permit (principal, action == Action::"NetworkConnect", resource)
    when { resource in [Host::"api.other.test", Host::"api.anthropic.test"] };
    """

    init() throws {
        try TestAddresses.add()
        store = try KernelPolicyStore()
        programs = try NetworkPrograms(policies: store)
        zone = try DNSServer(respond: { bytes, _ in testZone(bytes) })
        listener = try AnyAddressListener()
        scratch = try ScratchDirectory("dns")
        script = try scratch.write("client.py", dnsClientScript)
    }

    deinit {
        zone.stop()
        TestAddresses.remove()
    }

    func sandbox(_ id: UInt32, _ policy: String = DNSFixture.policyA,
                 settings: ResolverSettings = ResolverSettings(graceNanos: 0, minimumTTL: 0)) throws -> TestSandbox {
        try TestSandbox(id: id, policy: policy, store: store, programs: programs, upstream: zone.endpoints[0], settings: settings)
    }
}
