// The README's one-command demo (issues 5 and 7), run as users run it: scripts/demo with
// this build's leash. It exits 0 only when the key read, the exfil.example lookup and the
// ~/.bashrc write were denied and npm install worked; this checks that and that the
// backend it names is the one this kernel can run (bpf-lsm in the VM bench, landlock on
// this project's hosts).

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Testing

let demoUnavailable: String? = {
    guard geteuid() == 0 else { return "not root: the demo loads BPF programs" }
    for tool in ["/usr/bin/npm", "/usr/bin/node", "/usr/bin/python3"] where !FileManager.default.isExecutableFile(atPath: tool) {
        return "\(tool) is missing (scripts/setup installs it)"
    }
    guard Environment.bpfLSMUnavailable == nil || leash_landlock_abi_version() >= 3 else {
        return "neither backend runs here: no BPF LSM and Landlock ABI \(leash_landlock_abi_version())"
    }
    return nil
}()

@Suite(.serialized, .enabled(if: demoUnavailable == nil, Comment(rawValue: demoUnavailable ?? "")))
struct DemoTests {
    @Test func theDemoDeniesWhatItPromisesAndNpmInstallWorks() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let r = try run(["/usr/bin/env", "LEASH=\(try leashBinary())", "/bin/bash", "\(repository)/scripts/demo"])
        let expected = Environment.bpfLSMUnavailable == nil ? "bpf-lsm" : "landlock"
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("demo: enforced by the \(expected) backend"), "\(r.stdout)")
        #expect(r.stdout.contains("demo: npm install worked under the sandbox"))
        #expect(r.stdout.contains("agent: hello from an npm package"), "\(r.stdout)")
        #expect(r.stdout.contains("agent: could not read it") && !r.stdout.contains("agent: got the key"), "\(r.stdout)")
        let denials = r.stdout.components(separatedBy: "demo: what leash denied, from the audit log:").last ?? ""
        #expect(denials.contains("@id(\"ssh-keys\") at policies/default.cedar:"), "\(denials)")
        #expect(denials.contains("exfil.example") && denials.contains(".bashrc"), "\(denials)")
    }
}
