#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import PolicyCompiler
import Testing

/// The engine inside a real, non-sleepable BPF LSM hook (policy_probe.bpf.c's
/// `lsm/file_open`), deciding real open() calls from the shared tables: flags flip and
/// policies swap by map updates alone. Needs a kernel that accepts BPF LSM programs
/// (the VM bench); skipped elsewhere with the probe load's reason.
@Suite(.serialized, .enabled(if: Environment.bpfLSMUnavailable == nil,
                             Comment(rawValue: Environment.bpfLSMUnavailable ?? "")))
struct PolicyEngineLSMTests {
    @Test func openIsDecidedByTheEngineAndFollowsFlagsReloadAndMode() throws {
        let scratch = try ScratchDirectory("engine-lsm")
        let secret = try scratch.write("id_rsa", "key\n")
        let notes = try scratch.write("notes.txt", "notes\n")
        let first = try PolicyEngineTests.compile("""
            @id("read-anything") permit (principal, action == Action::"FileOpenReadOnly", resource);
            @id("key-needs-approval") forbid (principal, action in Action::"FileOpen", resource)
                when { resource == File::"\(secret)" } unless { context.ssh };
            """)
        let second = try PolicyEngineTests.compile("""
            @id("no-notes") forbid (principal, action, resource) when { resource.path like "*/notes.txt" };
            @id("read-anything") permit (principal, action == Action::"FileOpenReadOnly", resource);
            """)

        let store = try KernelPolicyStore()
        let probe = try PolicyProbe(store: store, withFileOpenHook: true)
        let hierarchy = try CgroupV2.locate()
        let cgroup = try Cgroup(parent: hierarchy.path, name: uniqueCgroupName("engine-lsm"))
        let sandbox: UInt32 = 3
        let a = try store.install(first)
        try store.bind(sandbox: sandbox, policy: a, mode: .enforce, flags: 0)
        try probe.object.map("probe_cgroups").update(cgroup.id, sandbox)
        let link = try probe.object.program("leash_probe_file_open").attach()
        defer { withExtendedLifetime(link) {} }

        func cat(_ path: String) throws -> ProcessResult { try runInCgroup(cgroup, "exec /bin/cat '\(path)'") }

        let denied = try cat(secret)
        #expect(denied.status != 0 && denied.stdout.isEmpty, "stdout: \(denied.stdout)")
        #expect(denied.stderr.contains("Operation not permitted"), "stderr: \(denied.stderr)")
        let allowed = try cat(notes)
        #expect(allowed.status == 0 && allowed.stdout == "notes\n", "stderr: \(allowed.stderr)")
        let outside = try run(["/bin/cat", secret])
        #expect(outside.status == 0 && outside.stdout == "key\n", "a process outside the sandbox is untouched: \(outside.stderr)")

        // A context flag flips with one map update.
        try store.setFlags(sandbox: sandbox, first.flagWord(["ssh"]))
        let approved = try cat(secret)
        #expect(approved.status == 0 && approved.stdout == "key\n", "stderr: \(approved.stderr)")

        // Hot reload: new tables under a new id, one binding update, old tables removed.
        let b = try store.install(second)
        try store.bind(sandbox: sandbox, policy: b, mode: .enforce, flags: 0)
        try store.remove(a)
        let reloaded = try cat(notes)
        #expect(reloaded.status != 0 && reloaded.stderr.contains("Operation not permitted"), "stderr: \(reloaded.stderr)")
        let secretNow = try cat(secret)
        #expect(secretNow.status == 0, "the new policy has no key rule: \(secretNow.stderr)")

        // Audit mode lets the denied open through.
        try store.bind(sandbox: sandbox, policy: b, mode: .audit, flags: 0)
        let audited = try cat(notes)
        #expect(audited.status == 0 && audited.stdout == "notes\n", "stderr: \(audited.stderr)")

        // A sandbox whose policy is gone fails closed.
        try store.bind(sandbox: sandbox, policy: b, mode: .enforce, flags: 0)
        try store.remove(b)
        let orphan = try cat(notes)
        #expect(orphan.status != 0, "a removed policy must deny, not allow")

        let size = try probe.programSize("leash_probe_file_open")
        print("policy engine: lsm/file_open with leash_decide is \(size.instructions) instructions, \(size.verified) verified")
    }
}
