import Foundation
import Testing

/// The VM bench exists to run the BPF LSM suites. If BPF LSM stopped loading there (a new
/// guest kernel, a changed boot line), every LSM suite would skip and the tier would still
/// pass; this test turns that into a failure.
@Suite struct VMBenchTests {
    static let inVM = ProcessInfo.processInfo.environment["LEASH_IN_VM"] == "1"

    @Test(.enabled(if: inVM, "runs inside the VM bench only (LEASH_IN_VM=1)"))
    func theBPFLSMSuitesRunInTheVMBench() {
        #expect(Environment.bpfLSMUnavailable == nil,
                "inside the VM bench BPF LSM must load, or the LSM suites silently skip: \(Environment.bpfLSMUnavailable ?? "")")
    }
}
