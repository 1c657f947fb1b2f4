#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Loader
import Testing

/// Tests against the running kernel for what works without BPF LSM: cgroup BPF,
/// ring buffers and Landlock. They need root.
@Suite(.serialized, .enabled(if: Environment.isRoot, "needs root: cgroup BPF and Landlock tests change kernel state"))
struct HostKernelTests {
    /// A TCP listener on 127.0.0.1 with a kernel-chosen port.
    final class Listener {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard bound else {
                let code = errno
                close(fd)
                throw FileError(path: "127.0.0.1 listener", code: code)
            }
            self.fd = fd
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(fd) }
    }

    @Test func connect4ProgramDeniesOnlyTheSandboxedProcess() throws {
        let hierarchy = try CgroupV2.locate()
        let cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName("connect4"))
        let listener = try Listener()
        let other = try Listener()

        let object = try BPFObject(embedded: .connect4)
        try object.load()
        try object.map("denied_destinations").update(IPv4Destination(address: 0x7f00_0001, port: listener.port), UInt8(1))
        let events = try DecisionEventReader(map: object.map("events"))
        var link: BPFLink? = try object.program("leash_connect4").attach(cgroupFD: cgroup.fd)

        // bash's /dev/tcp performs a plain connect().
        let connect = { (port: UInt16) in "exec 3<>/dev/tcp/127.0.0.1/\(port) && echo connected" }
        let denied = try runInCgroup(cgroup, "exec /bin/bash -c '\(connect(listener.port))'")
        #expect(denied.status != 0)
        #expect(denied.stderr.contains("Operation not permitted"), "stderr: \(denied.stderr)")

        let otherPort = try runInCgroup(cgroup, "exec /bin/bash -c '\(connect(other.port))'")
        #expect(otherPort.status == 0 && otherPort.stdout == "connected\n", "stderr: \(otherPort.stderr)")

        let outside = try run(["/bin/bash", "-c", connect(listener.port)])
        #expect(outside.status == 0 && outside.stdout == "connected\n", "stderr: \(outside.stderr)")

        let received = try events.poll(timeoutMilliseconds: 1000)
        #expect(received.count == 1)
        #expect(received.first?.hookName == "connect4")
        #expect(received.first?.cgroup_id == cgroup.id)
        #expect(received.first?.verdict == -EPERM)
        #expect(events.malformedCount == 0)

        // Detaching the program lifts the rule.
        link = nil
        _ = link
        let afterDetach = try runInCgroup(cgroup, "exec /bin/bash -c '\(connect(listener.port))'")
        #expect(afterDetach.status == 0, "stderr: \(afterDetach.stderr)")
    }

    @Test func execTracepointReportsExecsInTheSandboxOnly() throws {
        let hierarchy = try CgroupV2.locate()
        let cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName("exec"))
        let object = try BPFObject(embedded: .execTrace)
        try object.load()
        try object.map("scoped_cgroups").update(cgroup.id, UInt8(1))
        let events = try DecisionEventReader(map: object.map("events"))
        let link = try object.program("leash_exec_trace").attach()

        // A copy on /tmp, not /usr/bin/true itself: on an overlay root (the VM bench's)
        // stat() reports the overlay's inode while the exec hook sees the lower file's.
        let scratch = try ScratchDirectory("exec")
        let program = scratch.path + "/true"
        try FileManager.default.copyItem(atPath: "/usr/bin/true", toPath: program)
        chmod(program, 0o755)

        // The shell joins the cgroup, prints its pid, then execs the program in the same process.
        let inside = try runInCgroup(cgroup, "echo $$ && exec '\(program)'")
        #expect(inside.status == 0, "stderr: \(inside.stderr)")
        let outside = try run([program])
        #expect(outside.status == 0)

        let received = try events.poll(timeoutMilliseconds: 1000)
        withExtendedLifetime(link) {}
        let truePath = try InodeKey(path: program)
        #expect(received.count == 1, "events: \(received.map { ($0.pid, $0.ino) })")
        let event = try #require(received.first)
        #expect(event.hookName == "exec")
        #expect(event.cgroup_id == cgroup.id)
        #expect(event.pid == UInt32(inside.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(event.dev == truePath.dev && event.ino == truePath.ino)
        #expect(event.verdict == 0)
    }

    /// Whatever this kernel is, `leash doctor --json` must describe it as the probes here see it.
    @Test func doctorJSONAgreesWithTheKernel() throws {
        let result = try run([try leashBinary(), "doctor", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                  "stdout: \(result.stdout) stderr: \(result.stderr)")
        let lsm = try #require(report["bpf_lsm"] as? [String: Any])
        let lsms = try #require(LiveKernel().activeLSMs())
        #expect(lsm["listed"] as? Bool == lsms.contains("bpf"))
        #expect(lsm["loadable"] as? Bool == (Environment.bpfLSMUnavailable == nil))
        #expect(report["landlock_abi"] as? Int == max(0, Int(leash_landlock_abi_version())))
        #expect(report["btf"] as? Bool == FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux"))
        #expect(report["cgroup_v2_mount"] as? String == (try CgroupV2.locate()).path)
        let backend = try #require(report["backend"] as? String)
        #expect(result.status == (backend == "none" ? 1 : 0))
        print("leash doctor --json on this kernel:\n\(result.stdout)")
    }

    @Test func landlockABIMatchesTheActiveLSMList() throws {
        let lsms = try #require(LiveKernel().activeLSMs(), "securityfs could not be read")
        let abi = leash_landlock_abi_version()
        if lsms.contains("landlock") {
            #expect(abi >= 1, "landlock is listed but the ABI probe failed with errno \(errno)")
        } else {
            #expect(abi == -1)
            #expect(errno == EOPNOTSUPP || errno == ENOSYS)
        }
    }

    @Test(.enabled(if: leash_landlock_abi_version() >= 1, "Landlock is not active on this kernel"))
    func landlockConfinesReadsOfAChildProcess() throws {
        let allowed = try ScratchDirectory("landlock-allowed")
        let forbidden = try ScratchDirectory("landlock-forbidden")
        let inside = try allowed.write("inside.txt", "inside\n")
        let outside = try forbidden.write("outside.txt", "outside\n")

        /// Exit status of /usr/bin/cat FILE in a child that may read only /usr (cat and
        /// its libraries; / links bin and lib there) and the allowed directory.
        func catLandlocked(_ file: String) throws -> Int32 {
            let dirNames: [String] = ["/usr", allowed.path]
            let argNames: [String] = ["/usr/bin/cat", file]
            let dirs: [UnsafePointer<CChar>?] = dirNames.map { UnsafePointer(strdup($0)) }
            let argv: [UnsafeMutablePointer<CChar>?] = argNames.map { strdup($0) } + [nil]
            defer {
                dirs.forEach { free(UnsafeMutablePointer(mutating: $0)) }
                argv.forEach { free($0) }
            }
            let pid = leash_spawn_landlocked(dirs, Int32(dirs.count), argv)
            guard pid > 0 else { throw FileError(path: "fork", code: errno) }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (status >> 8) & 0xff
        }

        #expect(try catLandlocked(inside) == 0)
        #expect(try catLandlocked(outside) == 1, "cat of a file outside the allowed directories must fail")
        // The restriction is the child's alone: this process still reads both.
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "outside\n")
    }
}
