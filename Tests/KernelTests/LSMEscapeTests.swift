// The ways around a path rule, an exec rule or the sandbox itself that issue 5 lists,
// each tried for real by a sandboxed process. VM bench only.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import Testing

extension LSMBenchSuites {
    @Suite("LSM escapes", .serialized, .enabled(if: Environment.bpfLSMUnavailable == nil,
                                                Comment(rawValue: Environment.bpfLSMUnavailable ?? "")))
    struct LSMEscapeTests {
        let b: LSMBench
        init() throws {
            b = try bench()
            try b.useDefault()
        }

        var secret: String { "\(b.w)/secret/key" }

        @Test func symlinkToADeniedFile() throws {
            let r = try b.sh("ln -s '\(secret)' '\(b.w)/work/alias' && cat '\(b.w)/work/alias'")
            #expect(!r.stdout.contains("top secret") && r.stderr.contains("Permission denied"), "\(r)")
            unlink("\(b.w)/work/alias")
        }

        @Test func hardlinkToADeniedFileIsRefused() throws {
            let r = try b.sh("ln '\(secret)' '\(b.w)/work/hard'")
            #expect(r.status != 0 && r.stderr.contains("Permission denied"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: "\(b.w)/work/hard"))
        }

        @Test func renamingTheParentDirectoryIsRefused() throws {
            let r = try b.sh("mv '\(b.w)/secret' '\(b.w)/work/moved'")
            #expect(r.status != 0 && r.stderr.contains("Permission denied"), "\(r)")
            #expect(FileManager.default.fileExists(atPath: secret))
        }

        @Test func renamingADeniedFileIntoTheWorkdirIsRefused() throws {
            // A policy that lets the sandbox write both directories but read only one.
            let extra = #"@id("write-outside") permit (principal, action in Action::"FileWrite", resource) when { resource in Dir::"W/outside/" };"#
            let policy = lsmPolicy(b.w, extra: extra.replacingOccurrences(of: "W/", with: "\(b.w)/")) + "\n" +
                #"@id("hide") forbid (principal, action == Action::"FileOpenReadOnly", resource) when { resource == File::"W/outside/hidden" };"#
                    .replacingOccurrences(of: "W/", with: "\(b.w)/")
            try b.use(policy)
            try "hidden\n".write(toFile: "\(b.w)/outside/hidden", atomically: false, encoding: .utf8)
            #expect(try b.probe("read", "\(b.w)/outside/hidden") == "errno=EACCES")
            let r = try b.sh("mv '\(b.w)/outside/hidden' '\(b.w)/work/visible' || ln '\(b.w)/outside/hidden' '\(b.w)/work/visible2'")
            #expect(r.status != 0, "\(r)")
            #expect(!FileManager.default.fileExists(atPath: "\(b.w)/work/visible"))
            #expect(!FileManager.default.fileExists(atPath: "\(b.w)/work/visible2"))
            unlink("\(b.w)/outside/hidden")
            try b.useDefault()
        }

        @Test func procSelfFdReopenOfAnOPathHandle() throws {
            #expect(try b.probe("opath", secret) == "errno=EACCES")
            #expect(try b.probe("opath", "\(b.w)/outside/notes") == "ok notes")
        }

        /// A file the policy lets the sandbox read but not write: its read-only descriptor
        /// re-opened for writing through /proc is decided as a write of the same file.
        @Test func procSelfFdReopenOfAReadOnlyDescriptorForWriting() throws {
            #expect(try b.probe("reopenrw", "\(b.w)/outside/notes") == "errno=EACCES")
            #expect(try b.probe("reopenrw", "\(b.w)/work/reopen-\(getpid())") == "errno=ENOENT")
            try "x\n".write(toFile: "\(b.w)/work/reopen-\(getpid())", atomically: false, encoding: .utf8)
            #expect(try b.probe("reopenrw", "\(b.w)/work/reopen-\(getpid())") == "ok reopened")
            unlink("\(b.w)/work/reopen-\(getpid())")
        }

        @Test func openat2() throws {
            #expect(try b.probe("openat2", secret) == "errno=EACCES")
            #expect(try b.probe("openat2", "\(b.w)/outside/notes") == "ok notes")
        }

        @Test func ioUringOpenat() throws {
            #expect(try b.probe("uring", secret) == "errno=EACCES")
            #expect(try b.probe("uring", "\(b.w)/outside/notes") == "ok notes")
        }

        @Test func dotDotRoutes() throws {
            #expect(try b.probe("read", "\(b.w)/work/../secret/./key") == "errno=EACCES")
        }

        @Test func ldSoExecOfAForbiddenProgram() throws {
            let loader = FileManager.default.fileExists(atPath: "/lib64/ld-linux-x86-64.so.2") ? "/lib64/ld-linux-x86-64.so.2" : "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
            let allowed = try b.run([loader, "/bin/true"])
            #expect(allowed.status == 0, "\(allowed)")
            let r = try b.run([loader, "\(b.w)/forbidden/true"])
            #expect(r.status != 0, "ld.so ran a forbidden program: \(r)")
        }

        @Test func memfdExec() throws {
            // The copy in memory is named /memfd:payload, which no exec rule permits.
            let r = try b.probe("memfdexec", "/bin/true")
            #expect(r == "errno=EACCES", "\(r)")
        }

        @Test func shebangScripts() throws {
            let script = try b.sh("'\(b.w)/forbidden/script.sh'")
            #expect(script.status == 126 && !script.stdout.contains("script ran"), "\(script)")
            // An allowed script whose interpreter is forbidden: the interpreter is checked too.
            let interpreter = try b.sh("'\(b.w)/work/uses-forbidden.sh'")
            #expect(interpreter.status == 126, "\(interpreter)")
        }

        @Test func doubleForkAndSetsidStayInTheSandbox() throws {
            let r = try b.probe("doublefork", secret)
            #expect(r == "errno=EACCES", "\(r)")
        }

        @Test func movingItsOwnPidToAnotherCgroupIsRefused() throws {
            let hierarchy = try CgroupV2.locate()
            let cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName("lsm-escape"))
            #expect(try b.probe("cgroup", cgroup.procsFile) == "errno=EPERM")
        }

        @Test func membershipSurvivesACgroupMoveByAnOutsider() throws {
            let hierarchy = try CgroupV2.locate()
            let cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName("lsm-moved"))
            // The sandboxed shell waits until leash (an outsider) moved it, then tries the secret.
            let marker = "\(b.w)/work/moved-\(getpid())"
            let script = "echo $$ > '\(marker).pid'; while [ ! -e '\(marker)' ]; do sleep 0.05; done; cat '\(secret)'"
            let thread = Thread {
                for _ in 0..<200 {
                    if let pid = try? String(contentsOfFile: marker + ".pid", encoding: .utf8), !pid.isEmpty {
                        try? pid.write(toFile: cgroup.procsFile, atomically: false, encoding: .utf8)
                        FileManager.default.createFile(atPath: marker, contents: nil)
                        return
                    }
                    usleep(50_000)
                }
            }
            thread.start()
            let r = try b.sh(script)
            #expect(!r.stdout.contains("top secret") && r.stderr.contains("Permission denied"), "\(r)")
            unlink(marker); unlink(marker + ".pid")
        }

        @Test func selfProtection() throws {
            #expect(try b.probe("bpf") == "errno=EPERM")
            #expect(try b.probe("mount", "\(b.w)/work") == "errno=EPERM")
            #expect(try b.probe("userns") == "errno=EPERM")
            // An outsider: ptrace and signals are refused; the sandbox's own tasks are not.
            var outsider: pid_t = 0
            let args: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
            defer { args.forEach { free($0) } }
            #expect(posix_spawn(&outsider, "/bin/sleep", nil, nil, args, nil) == 0)
            defer { kill(outsider, SIGKILL); var s: Int32 = 0; waitpid(outsider, &s, 0) }
            #expect(try b.probe("ptrace", "\(outsider)") == "errno=EPERM")
            #expect(try b.probe("signal", "\(outsider)") == "errno=EPERM")
            #expect(try b.probe("signal", "\(getpid())") == "errno=EPERM")
            let inside = try b.sh("sleep 5 & p=$!; kill $p && echo killed-own-child")
            #expect(inside.stdout.contains("killed-own-child"), "\(inside)")
        }

        /// The rest of the mount family, kernel code loading and cgroup control files other
        /// than cgroup.procs. Each call is made outside the sandbox too, where it fails some
        /// other way (or works), so the sandbox's EPERM is leash's refusal and not the kernel's.
        @Test func mountFamilyKernelLoadingAndCgroupControlFilesAreRefused() throws {
            let mnt = "\(b.w)/work/mnt-\(getpid())"
            try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
            #expect(mount("none", mnt, "tmpfs", 0, nil) == 0, "the test mounts a tmpfs to try umount on: errno \(errno)")
            defer { umount2(mnt, Int32(MNT_DETACH)); rmdir(mnt) }
            mkdir("\(mnt)/old", 0o755)
            let outside = { (args: [String]) in try run([LSMProbeProgram.path] + args).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(try b.probe("umount", mnt) == "errno=EPERM")
            #expect(try b.probe("pivotroot", mnt, "\(mnt)/old") == "errno=EPERM")
            #expect(try outside(["pivotroot", mnt, "\(mnt)/old"]) != "errno=EPERM")
            #expect(try b.probe("chroot", "\(b.w)/work") == "errno=EPERM")
            #expect(try outside(["chroot", "\(b.w)/work"]) == "ok")
            for (mode, file) in [("finitmodule", "\(b.w)/work/file"), ("initmodule", ""), ("kexec", "\(b.w)/work/file")] {
                #expect(try b.probe(mode, file) == "errno=EPERM", "\(mode)")
                let there = try outside([mode, file])
                #expect(there.hasPrefix("errno=") && there != "errno=EPERM", "\(mode) outside the sandbox: \(there)")
            }
            let hierarchy = try CgroupV2.locate()
            let cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName("lsm-control"))
            let dir = URL(fileURLWithPath: cgroup.procsFile).deletingLastPathComponent().path
            for file in ["cgroup.subtree_control", "cgroup.max.descendants", "cgroup.freeze"] {
                #expect(try b.probe("cgroup", "\(dir)/\(file)") == "errno=EPERM", "\(file)")
                #expect(try outside(["cgroup", "\(dir)/\(file)"]) != "errno=EPERM", "\(file) outside the sandbox")
            }
            // Reading a control file is not a write: allowed where the policy allows reads.
            #expect(try b.probe("read", "\(dir)/cgroup.controllers").hasPrefix("ok"))
        }
    }
}
