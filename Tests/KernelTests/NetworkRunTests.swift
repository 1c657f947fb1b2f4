#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Testing
@testable import Resolver

/// `leash run` with the landlock backend enforces network rules through the cgroup
/// programs and leash's resolver (issue 7's network part), and stays closed when leash
/// is killed. The resolver forwards to the test zone on loopback (--dns-upstream).
@Suite(.serialized, .enabled(if: DNSEnvironment.unavailable == nil, "\(DNSEnvironment.unavailable ?? "")"),
       .enabled(if: leash_landlock_abi_version() >= 3, "the landlock backend of leash run needs Landlock ABI 3 or later on this kernel"))
struct NetworkRunTests {
    static let policy = """
    @id("run") permit (principal, action in [Action::"FileOpenReadOnly", Action::"ProcessExec", Action::"ProcessMmapExec"], resource);
    @id("tmp") permit (principal, action in [Action::"FileOpenReadWrite", Action::"FileCreate"], resource)
        when { resource in Dir::"/tmp/" || resource in Dir::"/dev/" };
    \(DNSFixture.policyA)
    """

    func leashRun(_ f: DNSFixture, _ clientArgs: [String], log: String) throws -> ProcessResult {
        let policy = try f.scratch.write("run.cedar", Self.policy)
        return try run([try leashBinary(), "run", "--policy", policy, "--allow-approximate", "--backend", "landlock",
                        "--dns-upstream", f.zone.endpoints[0].description, "--audit-log", log, "--",
                        "/usr/bin/python3", f.script] + clientArgs)
    }

    func records(_ log: String) throws -> [[String: Any]] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func leashRunResolvesAllowedNamesAndRefusesTheRest() throws {
        let f = try DNSFixture()
        let log = f.scratch.path + "/ok.jsonl"
        let ok = try leashRun(f, ["resolve", "api.anthropic.test", "1", "192.0.2.53", "udp", "\(f.listener.port)"], log: log)
        #expect(ok.stdout.contains("\"127.0.0.21\": \"ok\""), "\(ok)")
        #expect(try records(log).contains { $0["event"] as? String == "dns" && $0["verdict"] as? String == "allowed"
                                            && $0["addresses"] as? [String] == ["127.0.0.21"] })
        #expect(try records(log).contains { $0["event"] as? String == "network" && $0["enforced"] as? Bool == true })

        let deniedLog = f.scratch.path + "/denied.jsonl"
        let denied = try leashRun(f, ["resolve", "evil.test", "1", "192.0.2.53", "tcp", "\(f.listener.port)"], log: deniedLog)
        #expect(denied.stdout.contains("\"rcode\": 5"), "\(denied)")
        #expect(try records(deniedLog).contains { $0["event"] as? String == "dns" && $0["verdict"] as? String == "refused"
                                                  && ($0["rule"] as? String)?.contains("no-evil") == true })
        let direct = try leashRun(f, ["connect", "127.0.0.66", "\(f.listener.port)"], log: deniedLog)
        #expect(direct.stdout.contains("EPERM"), "\(direct)")
    }

    @Test func killingLeashLeavesTheNetworkClosed() throws {
        let f = try DNSFixture()
        let marker = f.scratch.path + "/after-kill"
        let script = try f.scratch.write("late.sh", """
            sleep 2
            /usr/bin/python3 '\(f.script)' connect 127.0.0.66 \(f.listener.port) > '\(marker)'
            /usr/bin/python3 '\(f.script)' resolve api.anthropic.test 1 192.0.2.53 tcp \(f.listener.port) >> '\(marker)'
            echo done >> '\(marker)'
            """)
        let policy = try f.scratch.write("run.cedar", Self.policy)
        var pid: pid_t = 0
        let argv = [try leashBinary(), "run", "--policy", policy, "--allow-approximate", "--backend", "landlock",
                    "--dns-upstream", f.zone.endpoints[0].description, "--", "/bin/sh", script]
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        #expect(posix_spawn(&pid, argv[0], nil, nil, cArgs, nil) == 0)
        // Kill leash once its command runs (the pins exist just before the spawn).
        let pins = "\(NetworkPins.root)/\(pid)"
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: pins) { usleep(50_000) }
        usleep(500_000)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(FileManager.default.fileExists(atPath: pins), "links pinned while the command runs")
        func finished() -> Bool { ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").hasSuffix("done\n") }
        for _ in 0..<300 where !finished() { usleep(100_000) }
        let out = (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        #expect(out.contains("EPERM"), "a denied connect stays denied without leash: \(out)")
        #expect(out.contains("\"error\": \"ECONNREFUSED\""), "DNS finds no resolver once leash is gone: \(out)")
        // Once the command is gone, the next leash removes the pins and the cgroup.
        usleep(300_000)
        NetworkPins.sweepStale()
        #expect(!FileManager.default.fileExists(atPath: "\(NetworkPins.root)/\(pid)"))
    }
}
