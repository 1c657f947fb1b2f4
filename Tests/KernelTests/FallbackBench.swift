// The fallback suites' shared set-up: a scratch tree, loopback sockets, and the real
// `leash run --backend landlock` binary running LSMProbeProgram (one system call per
// mode) or a shell inside the sandbox. Mirrors LSMBench, but every case is a whole
// `leash run`: on this backend the sandbox is the process's own Landlock domain.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Loader

/// Why the fallback suites cannot run here, or nil when they can. Landlock ABI 3 is the
/// landlock backend's floor (truncate); the VM bench's guest has ABI 2, so it skips there.
let fallbackUnavailable: String? = {
    let abi = leash_landlock_abi_version()
    guard abi >= 3 else { return "the landlock backend needs Landlock ABI 3 or later; this kernel has ABI \(abi)" }
    guard geteuid() == 0 else { return "not root: leash run's network programs and telemetry need root" }
    return nil
}()

/// A listening TCP socket or a bound UDP socket on loopback, closed on deinit.
final class LoopbackSocket {
    let fd: Int32
    let port: UInt16

    /// Binds `ip` (127.0.0.1 or ::1) at `port` (0: any free port).
    init(_ ip: String, port: UInt16 = 0, udp: Bool = false) throws {
        let six = ip.contains(":")
        let fd = socket(six ? AF_INET6 : AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FileError(path: "socket", code: errno) }
        var one: Int32 = 1
        if six { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var rc: Int32
        if six {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            inet_pton(AF_INET6, ip, &a.sin6_addr)
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            inet_pton(AF_INET, ip, &a.sin_addr)
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard rc == 0, udp || listen(fd, 16) == 0 else {
            let e = errno
            close(fd)
            throw FileError(path: "bind \(ip):\(port)", code: e)
        }
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let raw = withUnsafeBytes(of: storage) { Array($0) }
        self.fd = fd
        self.port = UInt16(raw[2]) << 8 | UInt16(raw[3])  // sin_port and sin6_port sit at the same offset
    }

    /// Datagrams waiting on a UDP socket, without blocking.
    func pendingDatagrams() -> Int {
        var n = 0
        var buffer = [UInt8](repeating: 0, count: 64)
        while recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT)) >= 0 { n += 1 }
        return n
    }

    deinit { close(fd) }
}

/// A TCP listener on 127.0.0.1 and one on ::1 with the same port number.
func loopbackPair() throws -> (v4: LoopbackSocket, v6: LoopbackSocket) {
    var lastError: Error?
    for _ in 0..<20 {
        let v4 = try LoopbackSocket("127.0.0.1")
        do { return (v4, try LoopbackSocket("::1", port: v4.port)) } catch { lastError = error }
    }
    throw lastError ?? FileError(path: "::1", code: EADDRINUSE)
}

final class FallbackBench {
    /// W/secret (not readable), W/work (writable), W/outside (readable, not writable),
    /// W/forbidden (readable, not executable), W/run (unix sockets).
    let w: String
    let root: ScratchDirectory
    let probe = LSMProbeProgram.path
    var probeDir: String { URL(fileURLWithPath: probe).deletingLastPathComponent().path }
    var secret: String { "\(w)/secret/key" }
    var notes: String { "\(w)/outside/notes" }

    init() throws {
        root = try ScratchDirectory("fallback")
        w = root.path
        for dir in ["secret", "work", "outside", "forbidden", "run"] {
            try FileManager.default.createDirectory(atPath: "\(w)/\(dir)", withIntermediateDirectories: false)
        }
        try "top secret\n".write(toFile: secret, atomically: false, encoding: .utf8)
        try "notes\n".write(toFile: notes, atomically: false, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/usr/bin/true", toPath: "\(w)/forbidden/true")
        try "#!/bin/sh\necho script ran\n".write(toFile: "\(w)/forbidden/script.sh", atomically: false, encoding: .utf8)
        chmod("\(w)/forbidden/script.sh", 0o755)
        try "#!\(w)/forbidden/true\n".write(toFile: "\(w)/work/uses-forbidden.sh", atomically: false, encoding: .utf8)
        chmod("\(w)/work/uses-forbidden.sh", 0o755)
    }

    /// A policy Landlock and the cgroup programs enforce exactly (`leash compile --backend
    /// landlock` says so in FallbackActionTests): nothing in it needs --allow-approximate.
    /// `readable` adds trees to the read rule; `netPorts` are the allowed loopback ports.
    func exactPolicy(readable: [String] = [], netPorts: [UInt16] = [], tcp6Ports: [UInt16] = [], extra: String = "") -> String {
        let reads = ["/usr/", "/lib/", "/etc/", "/proc/", "/dev/", "\(w)/outside/", "\(w)/work/", "\(w)/forbidden/", "\(w)/run/", "\(probeDir)/"] + readable
        let hosts = netPorts.map { "Host::\"127.0.0.1:\($0)\"" } + tcp6Ports.map { "Host::\"[::1]:\($0)\"" }
        return """
        @id("read-system")
        permit (principal, action == Action::"FileOpenReadOnly", resource)
        when { resource in [\(reads.map { "Dir::\"\($0)\"" }.joined(separator: ", "))] };

        @id("run-system")
        permit (principal, action == Action::"ProcessExec", resource)
        when { resource in [Dir::"/usr/", Dir::"\(w)/work/", Dir::"\(probeDir)/"] };

        @id("write-work")
        permit (principal, action in [Action::"FileOpenReadWrite", Action::"FileCreate", Action::"FileLink", Action::"FileUnlink", Action::"FileRename",
                                      Action::"FileMkdir", Action::"FileRmdir", Action::"FileSymlink", Action::"FileTruncate"], resource)
        when { resource in Dir::"\(w)/work/" };

        @id("devices")
        permit (principal, action == Action::"FileOpenReadWrite", resource) when { resource == File::"/dev/null" };

        @id("unrestricted")
        permit (principal, action in [Action::"FileChmod", Action::"FileChown", Action::"FileSetxattr",
                                      Action::"ProcessMmapExec", Action::"UnixConnect"], resource);
        \(hosts.isEmpty ? "" : """

        @id("net-allowed")
        permit (principal, action in [Action::"NetworkConnect", Action::"NetworkSend"], resource)
        when { resource in [\(hosts.joined(separator: ", "))] };
        """)
        \(extra)
        """
    }

    /// Writes a policy file into the scratch tree (outside W's subtrees the policies name).
    func policyFile(_ text: String, _ name: String = "policy.cedar") throws -> String {
        try root.write(name, text)
    }

    /// `leash run --backend landlock` on `command`. The resolver's upstream is a loopback
    /// port nothing answers: no test here resolves a name.
    func leash(_ policy: String, consent: Bool = false, options: [String] = [], _ command: [String]) throws -> ProcessResult {
        try run([try leashBinary(), "run", "--backend", "landlock", "--policy", policy, "--dns-upstream", "127.0.0.1:9"]
                + (consent ? ["--allow-approximate"] : []) + options + ["--"] + command)
    }

    func sh(_ policy: String, consent: Bool = false, options: [String] = [], _ script: String) throws -> ProcessResult {
        try leash(policy, consent: consent, options: options, ["/bin/sh", "-c", script])
    }

    /// The probe's one line of output for one system call inside the sandbox.
    func probe(_ policy: String, consent: Bool = false, _ args: String...) throws -> String {
        let r = try leash(policy, consent: consent, [probe] + args)
        return r.stdout.trimmingCharacters(in: .newlines) + (r.stdout.isEmpty ? "(no output; status \(r.status): \(r.stderr))" : "")
    }

    /// The same, outside any sandbox.
    func probeOutside(_ args: String...) throws -> String {
        try run([probe] + args).stdout.trimmingCharacters(in: .newlines)
    }

    /// `leash compile --backend landlock --json`, decoded.
    func landlockReport(_ policy: String) throws -> LandlockReportJSON {
        let r = try run([try leashBinary(), "compile", "--backend", "landlock", "--json", policy])
        guard r.status == 0 else { throw FileError(path: "leash compile \(policy): \(r.stderr)", code: EINVAL) }
        return try JSONDecoder().decode(LandlockReportJSON.self, from: Data(r.stdout.utf8))
    }
}

/// The parts of `leash compile --backend landlock --json` the tests read.
struct LandlockReportJSON: Decodable {
    struct Rule: Decodable {
        var id: String
        var effect: String
        var status: String
        var reasons: [String]
        var notes: [String]
    }
    struct Gap: Decodable {
        var action: String
        var reason: String
    }
    var rules: [Rule]
    var gaps: [Gap]
    var expandedDirectories: [String]

    func rule(_ id: String) -> Rule? { rules.first { $0.id == id } }
}
