#if canImport(Glibc)
import Glibc
#endif
import Loader
import Testing

@Suite struct LoaderErrorTests {
    @Test func garbageIsRejectedWithLibbpfsReason() {
        let garbage: [UInt8] = Array("this is not an ELF object".utf8)
        do {
            _ = try BPFObject(bytes: garbage, name: "garbage")
            Issue.record("opening garbage succeeded")
        } catch let error as LoaderError {
            #expect(error.operation == .open)
            #expect(error.subject == "garbage")
            #expect(error.code != 0)
            #expect(error.description.hasPrefix("opening BPF object 'garbage' failed: "))
            // libbpf explains itself in its log (captured, not printed to stderr).
            #expect(error.libbpfLog.contains("libbpf:"), "log: \(error.libbpfLog)")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test func errnoAndLibbpfCodesReadAsText() {
        #expect(LoaderError(.load, "x", code: EPERM).reason == "Operation not permitted")
        #expect(LoaderError(.load, "x", code: EPERM).isPermissionDenied)
        #expect(!LoaderError(.load, "x", code: ENOENT).isPermissionDenied)
        // 4001 is LIBBPF_ERRNO__FORMAT, one of libbpf's own codes.
        #expect(LoaderError(.open, "x", code: 4001).reason.lowercased().contains("format"))
    }
}
