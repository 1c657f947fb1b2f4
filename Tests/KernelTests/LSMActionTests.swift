// Allow and deny for every action class, decided by bpf/leash_lsm.bpf.c in the kernel
// from a compiled policy: real system calls by a sandboxed process. VM bench only.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import Testing

extension LSMBenchSuites {
    @Suite("LSM actions", .serialized, .enabled(if: Environment.bpfLSMUnavailable == nil,
                                                Comment(rawValue: Environment.bpfLSMUnavailable ?? "")))
    struct LSMActionTests {
        let b: LSMBench
        init() throws {
            b = try bench()
            try b.useDefault()
        }

        @Test func openForReadingIsAllowedOrDeniedByPath() throws {
            #expect(try b.probe("read", "\(b.w)/outside/notes") == "ok notes")
            #expect(try b.probe("read", "\(b.w)/secret/key") == "errno=EACCES")
            // The same file outside any sandbox: the denial is the sandbox's.
            #expect(try run([LSMProbeProgram.path, "read", "\(b.w)/secret/key"]).stdout == "ok top secret\n")
        }

        @Test func openForWritingAndCreatingFollowTheWriteRule() throws {
            #expect(try b.probe("write", "\(b.w)/work/new") == "ok")
            #expect(try b.probe("write", "\(b.w)/outside/notes") == "errno=EACCES")  // FileOpenReadWrite
            #expect(try b.probe("write", "\(b.w)/outside/new") == "errno=EACCES")    // FileCreate
            #expect(!FileManager.default.fileExists(atPath: "\(b.w)/outside/new"))
        }

        /// One shell command per write-class action, first where the policy allows it
        /// (W/work), then where it does not (W/outside).
        @Test(arguments: [
            ("unlink", "rm -f D/victim"),
            ("mkdir", "mkdir D/newdir"),
            ("rmdir", "rmdir D/emptydir"),
            ("rename", "mv D/victim D/renamed"),
            ("link", "ln D/victim D/hardlink"),
            ("symlink", "ln -s /etc/hostname D/symlink"),
            ("chmod", "chmod 600 D/victim"),
            ("chown", "chown 0:0 D/victim"),
            ("truncate", "truncate -s 0 D/victim"),
        ])
        func writeClassActions(_ name: String, _ template: String) throws {
            for dir in ["work", "outside"] {
                let d = "\(b.w)/\(dir)"
                try "v\n".write(toFile: "\(d)/victim", atomically: false, encoding: .utf8)
                mkdir("\(d)/emptydir", 0o755)
                let r = try b.sh(template.replacingOccurrences(of: "D/", with: "\(d)/"))
                if dir == "work" {
                    #expect(r.status == 0, "\(name) in work: \(r.stderr)")
                } else {
                    #expect(r.status != 0, "\(name) outside was allowed")
                    #expect(r.stderr.contains("Permission denied"), "\(name) outside: \(r.stderr)")
                }
                for leftover in ["victim", "renamed", "hardlink", "symlink"] { unlink("\(d)/\(leftover)") }
                for leftover in ["emptydir", "newdir"] { rmdir("\(d)/\(leftover)") }
            }
        }

        @Test func setxattrFollowsTheWriteRule() throws {
            try "v\n".write(toFile: "\(b.w)/work/x", atomically: false, encoding: .utf8)
            // tmpfs on 6.1 takes trusted.* xattrs from root; the hook runs before the file system.
            #expect(try b.probe("setxattr", "\(b.w)/work/x") != "errno=EACCES")
            #expect(try b.probe("setxattr", "\(b.w)/outside/notes") == "errno=EACCES")
        }

        @Test func execIsDecidedForTheProgram() throws {
            #expect(try b.sh("/bin/true").status == 0)
            let r = try b.sh("'\(b.w)/forbidden/true'")
            #expect(r.status == 126 && r.stderr.contains("Permission denied"), "\(r)")
        }

        @Test func mmapExecIsDecided() throws {
            #expect(try b.probe("mmapexec", "/bin/true") == "ok")
            #expect(try b.probe("mmapexec", "\(b.w)/forbidden/true") == "errno=EACCES")
        }

        @Test func forbidBeatsPermitInEitherOrder() throws {
            let permit = #"@id("p") permit (principal, action == Action::"FileOpenReadOnly", resource) when { resource in Dir::"W/outside/" };"#
            let forbid = #"@id("f") forbid (principal, action == Action::"FileOpenReadOnly", resource) when { resource == File::"W/outside/notes" };"#
            // Reads outside W/outside/ are allowed so that programs can start at all.
            let base = #"@id("exec") permit (principal, action in Action::"ProcessAnyExec", resource); @id("system") permit (principal, action == Action::"FileOpenReadOnly", resource) unless { resource in Dir::"W/outside/" };"#
            for order in [[permit, forbid], [forbid, permit]] {
                try b.use(([base] + order).joined(separator: "\n").replacingOccurrences(of: "W/", with: "\(b.w)/"))
                #expect(try b.probe("read", "\(b.w)/outside/notes") == "errno=EACCES", "order \(order.map { $0.prefix(9) })")
            }
            try b.useDefault()
        }

        @Test func tcpConnectIPv4AndIPv6() throws {
            // Nothing listens: an allowed connect is refused by the peer, a denied one by leash.
            #expect(try b.probe("connect", "127.0.0.1", "7001") == "errno=ECONNREFUSED")
            #expect(try b.probe("connect", "127.0.0.1", "7002") == "errno=EPERM")
            #expect(try b.probe("connect", "::1", "7001") == "errno=ECONNREFUSED")
            #expect(try b.probe("connect", "::1", "7002") == "errno=EPERM")
        }

        @Test func ipv4MappedIPv6IsDecidedAsIPv4() throws {
            #expect(try b.probe("connect", "::ffff:127.0.0.1", "7001") == "errno=ECONNREFUSED")
            #expect(try b.probe("connect", "::ffff:127.0.0.1", "7002") == "errno=EPERM")
        }

        @Test func udpSendtoAndConnect() throws {
            #expect(try b.probe("sendto", "127.0.0.1", "7001") == "ok")
            #expect(try b.probe("sendto", "127.0.0.1", "7003") == "errno=EPERM")
            #expect(try b.probe("sendto", "::ffff:127.0.0.1", "7003") == "errno=EPERM")
            #expect(try b.probe("udpconnect", "127.0.0.1", "7003") == "errno=EPERM")
        }

        @Test func unixSocketsByPathDockerSockDenied() throws {
            let ok = try UnixListener("\(b.w)/run/agent.sock")
            let docker = try UnixListener("\(b.w)/run/docker.sock")
            #expect(try b.probe("unix", "\(b.w)/run/agent.sock") == "ok")
            #expect(try b.probe("unix", "\(b.w)/run/docker.sock") == "errno=EPERM")
            // A symlink to the socket reaches the same rule: the kernel resolved the path.
            symlink("\(b.w)/run/docker.sock", "\(b.w)/work/innocent.sock")
            #expect(try b.probe("unix", "\(b.w)/work/innocent.sock") == "errno=EPERM")
            unlink("\(b.w)/work/innocent.sock")
            _ = (ok, docker)
        }

        @Test func processesOutsideTheSandboxAreUnaffected() throws {
            #expect(try run([LSMProbeProgram.path, "read", "\(b.w)/secret/key"]).stdout == "ok top secret\n")
            #expect(try run([LSMProbeProgram.path, "write", "\(b.w)/outside/by-outsider"]).stdout == "ok\n")
            #expect(try run([LSMProbeProgram.path, "connect", "127.0.0.1", "7002"]).stdout == "errno=ECONNREFUSED\n")
            #expect(try run(["\(b.w)/forbidden/true"]).status == 0)
        }
    }
}
