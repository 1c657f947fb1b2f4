#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Loader
import Testing

/// A described kernel: what each probe answers, and which probes were asked.
final class FakeKernel: KernelInterface {
    var kernelRelease = "6.1.0-test"
    var privileges = Privileges(euid: 0, capSysAdmin: true, capBPF: true)
    var lsms: [String]? = ["lockdown", "capability", "landlock", "bpf"]
    var hasBTF = true
    var probeError: LoaderError? = nil
    var cgroup: Result<CgroupV2Mount, CgroupV2Error> = .success(CgroupV2Mount(path: "/sys/fs/cgroup", mountedByLeash: false))
    var landlock: Result<Int, FileError> = .success(7)
    var ringBuffer: Bool? = true
    private(set) var probesLoaded = 0

    func activeLSMs() -> [String]? { lsms }
    func loadLSMProbe() -> LoaderError? {
        probesLoaded += 1
        return probeError
    }
    func locateCgroupV2() -> Result<CgroupV2Mount, CgroupV2Error> { cgroup }
    func landlockABI() -> Result<Int, FileError> { landlock }
    func ringBufferSupported() -> Bool? { ringBuffer }
}

@Suite struct KernelDoctorTests {
    static let allBuilt: Set<Backend> = [.bpfLSM, .landlock]

    @Test func workingBPFLSMIsChosen() {
        let kernel = FakeKernel()
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(report.backend == .bpfLSM)
        #expect(report.bpfLSM.listed && report.bpfLSM.loadable)
        #expect(kernel.probesLoaded == 1)
        #expect(report.missing.isEmpty)
    }

    /// Doctor names what `leash run` will use, not what the kernel could support.
    @Test func aCapableKernelWithoutTheBPFLSMBackendGetsLandlock() {
        let report = KernelDoctor.examine(FakeKernel(), built: [.landlock])
        #expect(report.bpfLSM.loadable)
        #expect(report.backend == .landlock)
        #expect(report.backendReason.contains("BPF LSM backend is not built yet"))
        #expect(report.missing.contains { $0.contains("this kernel is ready for it") })
    }

    @Test func landlockOlderThanTheBackendNeedsIsNotABackend() {
        let kernel = FakeKernel()
        kernel.probeError = LoaderError(.load, "lsm_probe", code: EPERM)
        kernel.landlock = .success(2)
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(report.backend == Backend.none)
        #expect(report.landlockABI == 2)
        #expect(report.backendReason.contains("older than the 3"))
        #expect(report.missing.contains { $0.contains("Linux 6.2 or later") })
    }

    @Test func landlockIsNotNamedUntilItsBackendExists() {
        let kernel = FakeKernel()
        kernel.probeError = LoaderError(.load, "lsm_probe", code: EPERM)
        let report = KernelDoctor.examine(kernel, built: [])
        #expect(report.backend == Backend.none)
        #expect(report.missing.contains { $0.contains("Landlock fallback backend, which is not built yet") })
    }

    /// This project's host: bpf is listed, but the kernel refuses the program.
    @Test func listedIsNotEnoughWhenTheLoadFails() {
        let kernel = FakeKernel()
        kernel.probeError = LoaderError(.load, "lsm_probe", code: EPERM)
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(report.bpfLSM.listed)
        #expect(!report.bpfLSM.loadable)
        #expect(report.bpfLSM.error?.contains("Operation not permitted") == true)
        #expect(report.backend == .landlock)
        #expect(report.missing.contains { $0.contains("refused a trivial LSM program") })
    }

    @Test func missingBPFInLSMListSaysHowToAddIt() {
        let kernel = FakeKernel()
        kernel.lsms = ["lockdown", "capability", "landlock"]
        kernel.probeError = LoaderError(.attach, "lsm_probe.leash_lsm_probe", code: EOPNOTSUPP)
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(!report.bpfLSM.listed)
        #expect(report.missing.contains { $0.contains("lsm=lockdown,capability,landlock,bpf") })
    }

    @Test func withoutRootNothingIsLoadedAndRootIsNamed() {
        let kernel = FakeKernel()
        kernel.privileges = Privileges(euid: 1000, capSysAdmin: false, capBPF: false)
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(kernel.probesLoaded == 0)
        #expect(!report.bpfLSM.loadable)
        #expect(report.ringBuffer == nil)
        #expect(report.missing.contains { $0.contains("root") && $0.contains("sudo") })
    }

    @Test func withoutBTFNothingIsLoadedAndBTFIsNamed() {
        let kernel = FakeKernel()
        kernel.hasBTF = false
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(kernel.probesLoaded == 0)
        #expect(!report.btf)
        #expect(report.backend != .bpfLSM)
        #expect(report.missing.contains { $0.contains("CONFIG_DEBUG_INFO_BTF") })
    }

    @Test func withoutCgroupV2BPFLSMCannotScopeASandbox() {
        let kernel = FakeKernel()
        kernel.cgroup = .failure(CgroupV2Error(path: "/run/leash/cgroup2", code: EPERM))
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(!report.cgroupV2)
        #expect(report.backend != .bpfLSM)
        #expect(report.missing.contains { $0.contains("mount -t cgroup2") })
    }

    @Test func nothingUsableMeansBackendNone() {
        let kernel = FakeKernel()
        kernel.lsms = ["capability"]
        kernel.probeError = LoaderError(.attach, "lsm_probe", code: EOPNOTSUPP)
        kernel.landlock = .failure(FileError(path: "landlock_create_ruleset", code: EOPNOTSUPP))
        let report = KernelDoctor.examine(kernel, built: Self.allBuilt)
        #expect(report.backend == .none)
        #expect(report.landlockABI == 0)
        #expect(report.missing.contains { $0.contains("Landlock (built but not enabled at boot)") })
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let kernel = FakeKernel()
        kernel.probeError = LoaderError(.load, "lsm_probe", code: EPERM)
        let json = try KernelDoctor.examine(kernel, built: Self.allBuilt).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["backend"] as? String == "landlock")
        let lsm = try #require(object["bpf_lsm"] as? [String: Any])
        #expect(lsm["listed"] as? Bool == true)
        #expect(lsm["loadable"] as? Bool == false)
        #expect(object["landlock_abi"] as? Int == 7)
        #expect(object["cgroup_v2"] as? Bool == true)
        #expect(object["btf"] as? Bool == true)
        #expect(object["ring_buffer"] as? Bool == true)
    }

    @Test func humanTextNamesTheBackendAndWhatIsMissing() {
        let kernel = FakeKernel()
        kernel.probeError = LoaderError(.load, "lsm_probe", code: EPERM)
        let text = KernelDoctor.examine(kernel, built: Self.allBuilt).text
        #expect(text.contains("backend: landlock"))
        #expect(text.contains("missing for a better backend:"))
        #expect(text.contains("Landlock       ABI 7"))
    }
}
