#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import Testing

/// BPF LSM programs loaded by the Swift loader. They need a kernel that accepts LSM
/// programs: the VM bench's (scripts/vm-test). Elsewhere they are skipped with the
/// reason the probe load gave.
@Suite(.serialized, .enabled(if: Environment.bpfLSMUnavailable == nil,
                             Comment(rawValue: Environment.bpfLSMUnavailable ?? "")))
struct BPFLSMTests {
    @Test func fileOpenDeniesOneFileToTheScopedProcessOnly() throws {
        let hierarchy = try CgroupV2.locate()
        let cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName("file-open"))
        let scratch = try ScratchDirectory("file-open")
        let secret = try scratch.write("secret.txt", "secret\n")
        let notes = try scratch.write("notes.txt", "notes\n")

        let object = try BPFObject(embedded: .fileOpen)
        try object.load()
        try object.map("scoped_cgroups").update(cgroup.id, UInt8(1))
        let secretKey = try InodeKey(path: secret)
        try object.map("denied_inodes").update(secretKey, UInt8(1))
        let events = try DecisionEventReader(map: object.map("events"))
        var link: BPFLink? = try object.program("leash_file_open").attach()

        let denied = try runInCgroup(cgroup, "exec /bin/cat '\(secret)'")
        #expect(denied.status != 0)
        #expect(denied.stderr.contains("Operation not permitted"), "stderr: \(denied.stderr)")
        #expect(denied.stdout.isEmpty)

        let otherFile = try runInCgroup(cgroup, "exec /bin/cat '\(notes)'")
        #expect(otherFile.status == 0 && otherFile.stdout == "notes\n", "stderr: \(otherFile.stderr)")

        let unscoped = try run(["/bin/cat", secret])
        #expect(unscoped.status == 0 && unscoped.stdout == "secret\n", "stderr: \(unscoped.stderr)")

        let received = try events.poll(timeoutMilliseconds: 1000)
        #expect(received.count == 1)
        let event = try #require(received.first)
        #expect(event.hookName == "file_open")
        #expect(event.cgroup_id == cgroup.id)
        #expect(event.dev == secretKey.dev && event.ino == secretKey.ino)
        #expect(event.verdict == -EPERM)
        #expect(events.malformedCount == 0)

        // Destroying the link detaches the program, and the file opens again.
        link = nil
        _ = link
        let afterDetach = try runInCgroup(cgroup, "exec /bin/cat '\(secret)'")
        #expect(afterDetach.status == 0 && afterDetach.stdout == "secret\n", "stderr: \(afterDetach.stderr)")
    }

    /// `leash doctor --json` from the same build must agree that BPF LSM works here.
    @Test func doctorReportsBPFLSMLoadable() throws {
        let result = try run([try leashBinary(), "doctor", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                  "stdout: \(result.stdout) stderr: \(result.stderr)")
        let lsm = try #require(report["bpf_lsm"] as? [String: Any])
        #expect(lsm["listed"] as? Bool == true)
        #expect(lsm["loadable"] as? Bool == true)
        // The backend is what `leash run` can use: bpf-lsm once that backend exists;
        // until then doctor must say the kernel is ready for it.
        let backend = try #require(report["backend"] as? String)
        if Backend.built.contains(.bpfLSM) {
            #expect(backend == "bpf-lsm")
        } else {
            #expect(backend != "bpf-lsm")
            let missing = report["missing"] as? [String] ?? []
            #expect(missing.contains { $0.contains("BPF LSM backend, which is not built yet") })
        }
        #expect(result.status == (backend == "none" ? 1 : 0))
        print("leash doctor --json in this kernel:\n\(result.stdout)")
    }
}
