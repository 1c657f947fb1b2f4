// The fallback backend's tracepoint telemetry on the running kernel (root): real
// Landlock-restricted processes, real denied syscalls, the real ring buffer and counters.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Loader
import PolicyCompiler
import Telemetry
import Testing

/// Runs `script` with bash in a child that Landlock lets read only beneath `readable`
/// (writes are not restricted, so the child can join a cgroup). Returns its pid and status.
/// `denyTCPConnect` also handles TCP connect (Landlock ABI 4) with no port allowed.
func runLandlocked(_ script: String, readable: [String] = ["/usr", "/etc"], denyTCPConnect: Bool = false) throws -> (pid: Int32, status: Int32) {
    let ruleset = leash_landlock_ruleset(UInt64(LEASH_LL_FS_READ_FILE), denyTCPConnect ? UInt64(LEASH_LL_NET_CONNECT_TCP) : 0, 0)
    guard ruleset >= 0 else { throw FileError(path: "landlock_create_ruleset", code: errno) }
    defer { close(ruleset) }
    for path in readable {
        let fd = leash_open_path(path)
        guard fd >= 0 else { throw FileError(path: path, code: errno) }
        defer { close(fd) }
        guard leash_landlock_allow_path(ruleset, fd, UInt64(LEASH_LL_FS_READ_FILE)) == 0 else { throw FileError(path: path, code: errno) }
    }
    var pipeFDs: [Int32] = [0, 0]
    guard leash_pipe_cloexec(&pipeFDs) == 0 else { throw FileError(path: "pipe2", code: errno) }
    let argv = ["/bin/bash", "-c", script]
    let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    let environment = ["PATH=/usr/bin:/bin", "LC_ALL=C"]
    let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
    defer { (cArgs + cEnv).forEach { free($0) } }
    let pid = leash_spawn_sandboxed("/bin/bash", cArgs, cEnv, ruleset, 0, pipeFDs[1])
    close(pipeFDs[1])
    defer { close(pipeFDs[0]) }
    guard pid > 0 else { throw FileError(path: "fork", code: errno) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw FileError(path: "waitpid", code: errno) }
    }
    return (pid, (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
}

@Suite(.serialized, .enabled(if: Environment.isRoot && leash_landlock_abi_version() >= 1,
                             "needs root (tracepoint programs) and Landlock"))
struct TelemetryTracepointTests {
    /// Under the VM bench's software emulation a 100,000-iteration shell loop takes minutes
    /// (211 s measured) of the tier's shared time bound; the volume tests run natively on
    /// the host tier, where this fallback telemetry is what runs.
    static let inVM = ProcessInfo.processInfo.environment["LEASH_IN_VM"] == "1"
    static let volumeSkipReason: Comment = "volume tests run on the host tier: under the VM bench's emulation they take minutes"

    /// Tracepoints, shared maps and a consumer watching one test cgroup.
    final class Harness {
        let maps: TelemetryMaps
        let tracepoints: TracepointTelemetry
        let hierarchy: CgroupV2Mount
        let cgroup: Cgroup
        let scratch: ScratchDirectory
        let secret: String
        let policy: CompiledPolicy
        let consumer: TelemetryConsumer
        private(set) var records: [DecisionRecord] = []

        init(label: String, ringBytes: UInt32 = TelemetryMaps.ringBytes) throws {
            maps = try TelemetryMaps(ringBytes: ringBytes)
            tracepoints = try TracepointTelemetry(maps: maps)
            hierarchy = try CgroupV2.locate()
            cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName(label))
            try tracepoints.watch(cgroupID: cgroup.id, sandbox: 7)
            scratch = try ScratchDirectory("telemetry")
            secret = try scratch.write("secret", "s3cret\n")
            let source = """
                @id("read-system")
                permit (principal, action == Action::"FileOpenReadOnly", resource)
                when { resource in [Dir::"/usr/", Dir::"/etc/"] };

                @id("secret-file")
                forbid (principal, action in Action::"FileAccess", resource)
                when { resource in Dir::"\(scratch.path)/" };
                """
            let result = PolicySourceCompiler.compile(source: source, file: "telemetry-test.cedar", options: CompileOptions(agent: "bash"))
            policy = try #require(result.policy, "\(result.diagnostics)")
            var sink: ((DecisionRecord) -> Void)?
            consumer = try TelemetryConsumer(ringFD: maps.eventsFD,
                                             interpreter: EventInterpreter(policy: policy, backend: "landlock", mode: "enforce")) { sink?($0) }
            sink = { [unowned self] in records.append($0) }
        }

        /// A shell that joins the test cgroup first, so everything after is in the sandbox.
        func inSandbox(_ command: String) -> String { "echo $$ > '\(cgroup.procsFile)' && \(command)" }

        func counts() throws -> EventCounts { try maps.counts() }
    }

    @Test func aDeniedOpenIsRecordedWithItsPathResultAndRule() throws {
        let h = try Harness(label: "tp-deny")
        let inside = try runLandlocked(h.inSandbox("exec cat '\(h.secret)'"))
        #expect(inside.status == 1, "cat must fail: Landlock denies the read")
        let outside = try runLandlocked("exec cat '\(h.secret)'")
        #expect(outside.status == 1)
        try h.consumer.drain()
        h.tracepoints.stop()

        let denied = h.records.filter { $0.path == h.secret }
        #expect(denied.count == 1, "records: \(h.records.map { "\($0.pid) \($0.action) \($0.object) \($0.decision)" })")
        let record = try #require(denied.first)
        #expect(record.pid == inside.pid)
        #expect(record.comm == "cat")
        #expect(record.action == "FileOpenReadOnly")
        #expect(record.decision == .deny)
        #expect(record.errno == EACCES)
        #expect(record.observed)
        #expect(record.syscall == "openat")
        #expect(record.sandboxID == 7)
        #expect(record.rule?.id == "secret-file")
        #expect(record.rule?.location == "telemetry-test.cedar:5:1")
        #expect(record.cause == .policy)
        // The process outside the sandbox, restricted the same way, left no trace.
        #expect(!h.records.contains { $0.pid == outside.pid })
        // bash's exec of cat is an observed exec too, with the program's path.
        #expect(h.records.contains { $0.pid == inside.pid && $0.action == "ProcessExec" && $0.path == "/usr/bin/cat" && $0.decision == .allow })
        #expect(h.consumer.malformed == 0)
    }

    @Test(.enabled(if: leash_landlock_abi_version() >= 4, "Landlock restricts TCP connect from ABI 4"))
    func aDeniedConnectIsRecordedWithAddressPortAndProtocol() throws {
        let h = try Harness(label: "tp-connect")
        // Port 9 on loopback: Landlock refuses before any packet is sent.
        _ = try runLandlocked(h.inSandbox("exec 3<>/dev/tcp/127.0.0.1/9; true"), denyTCPConnect: true)
        try h.consumer.drain()
        let record = try #require(h.records.first { $0.action == "NetworkConnect" },
                                  "records: \(h.records.map { "\($0.action) \($0.object) \($0.decision)" })")
        #expect(record.address == "127.0.0.1")
        #expect(record.port == 9)
        #expect(record.decision == .deny)
        #expect(record.errno == EACCES)
        #expect(record.syscall == "connect")
        #expect(record.jsonFields["protocol"] as? String == "tcp")
        // The test policy has no network rule: the default deny decides.
        #expect(record.rule == nil && record.policyAllows == false && record.cause == .policy)
    }

    @Test func membershipIsInheritedAndSurvivesLeavingTheCgroup() throws {
        let h = try Harness(label: "tp-inherit")
        // The grandchild moves itself back to the hierarchy's root cgroup, then reads.
        let script = h.inSandbox("bash -c 'echo $$ > \(h.hierarchy.path)/cgroup.procs; cat \(h.secret)'; true")
        _ = try runLandlocked(script)
        try h.consumer.drain()
        let denied = h.records.filter { $0.path == h.secret && $0.decision == .deny }
        #expect(denied.count == 1, "records: \(h.records.map { "\($0.pid) \($0.action) \($0.object) \($0.decision)" })")
    }

    @Test(.enabled(if: !inVM, volumeSkipReason))
    func repeatedAllowsAreDeduplicatedInTheKernel() throws {
        let h = try Harness(label: "tp-dedup")
        let allowed = "/etc/hostname"
        _ = try runLandlocked(h.inSandbox("for ((i = 0; i < 10000; i++)); do : < \(allowed); done"))
        try h.consumer.drain()
        let opens = h.records.filter { $0.path == allowed }
        #expect(opens.count == 1)
        #expect(opens.first?.decision == .allow)
        #expect(try h.counts().deduplicated >= 9_999)
    }

    /// Every deny of a 100,000-operation burst is in the records, or counted as lost:
    /// received + lost == 100,000 exactly, and the kernel's sent count equals what was read.
    @Test(.enabled(if: !inVM, volumeSkipReason), arguments: [TelemetryMaps.ringBytes, 64 * 1024])
    func aBurstOfDenialsIsFullyAccountedFor(ringBytes: UInt32) throws {
        let h = try Harness(label: "tp-burst", ringBytes: ringBytes)
        let small = ringBytes < TelemetryMaps.ringBytes
        // With the default ring a consumer thread reads while the burst runs; the small ring
        // is read only afterwards, so it must overflow and the loss must be counted.
        if !small { h.consumer.start() }
        let burst = try runLandlocked(h.inSandbox("for ((i = 0; i < 100000; i++)); do : < \(h.secret); done 2>/dev/null; true"))
        #expect(burst.status == 0)
        if small { try h.consumer.drain() } else { try h.consumer.stop() }
        h.tracepoints.stop()
        let counts = try h.counts()
        let denies = h.records.filter { $0.decision == .deny }
        let others = denies.filter { $0.path != h.secret }
        #expect(others.isEmpty, "unexpected denials: \(others.map(\.object))")
        let misses = h.tracepoints.recursionMisses
        print("burst with a \(ringBytes)-byte ring: \(denies.count) denials received, \(counts.lost_denies) lost (\(counts.lost) records lost in all), \(counts.sent) sent, \(misses) program runs missed")
        #expect(misses == 0)
        #expect(UInt64(denies.count) + counts.lost_denies == 100_000)
        #expect(counts.sent == h.consumer.received)
        #expect(h.consumer.malformed == 0)
        if small { #expect(counts.lost_denies > 0, "a 64 KiB ring read only afterwards must overflow") }
    }
}
