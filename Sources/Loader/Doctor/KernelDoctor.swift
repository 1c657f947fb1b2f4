#if canImport(Glibc)
import Glibc
#endif

/// Probes a kernel and decides which backend `leash run` will use.
public enum KernelDoctor {
    /// `built`: the backends `leash run` has (tests pass other sets).
    public static func examine(_ kernel: KernelInterface, built: Set<Backend> = Backend.built) -> KernelReport {
        let privileges = kernel.privileges
        let lsms = kernel.activeLSMs()
        let listed = lsms?.contains("bpf") ?? false
        let btf = kernel.hasBTF
        var missing: [String] = []

        var loadError: String?
        var loadable = false
        if !privileges.canLoadBPF {
            loadError = "not tried: loading BPF programs needs root (CAP_BPF and CAP_SYS_ADMIN)"
            missing.append("root privileges: run `sudo leash doctor` (BPF programs need CAP_BPF and CAP_SYS_ADMIN)")
        } else if !btf {
            loadError = "not tried: the kernel has no BTF"
        } else if let error = kernel.loadLSMProbe() {
            loadError = error.description
        } else {
            loadable = true
        }

        if !btf {
            missing.append("kernel BTF (/sys/kernel/btf/vmlinux): boot a kernel built with CONFIG_DEBUG_INFO_BTF=y, as Debian's and most distributions' kernels are")
        }
        if lsms == nil {
            missing.append("the list of active LSMs (/sys/kernel/security/lsm): mount securityfs as root with `mount -t securityfs securityfs /sys/kernel/security`")
        } else if !listed {
            let wanted = ((lsms ?? []) + ["bpf"]).joined(separator: ",")
            missing.append("BPF LSM is not active: add it to the kernel's lsm= boot parameter, e.g. lsm=\(wanted) (in GRUB_CMDLINE_LINUX of /etc/default/grub, then `update-grub` and reboot); the kernel needs CONFIG_BPF_LSM=y")
        } else if !loadable && privileges.canLoadBPF && btf {
            missing.append("a kernel that accepts BPF LSM programs: this one lists bpf but refused a trivial LSM program (\(loadError.map(firstLine) ?? "unknown error")), typically a kernel without BPF trampolines or under lockdown; a distribution kernel such as Debian's linux-image-amd64 works")
        }

        var cgroupMount: CgroupV2Mount?
        switch kernel.locateCgroupV2() {
        case .success(let mount): cgroupMount = mount
        case .failure(let error):
            missing.append("cgroup v2: \(error.description); mount one as root with `mount -t cgroup2 none \(CgroupV2.fallbackMountPoint)`")
        }

        var landlock = 0
        switch kernel.landlockABI() {
        case .success(let abi): landlock = abi
        case .failure(let error):
            let why = error.code == EOPNOTSUPP ? "built but not enabled at boot" : "not in this kernel"
            missing.append("Landlock (\(why)): add landlock to the lsm= boot parameter (CONFIG_SECURITY_LANDLOCK=y)")
        }

        let ringBuffer = privileges.canLoadBPF ? kernel.ringBufferSupported() : nil
        if ringBuffer == false {
            missing.append("BPF ring buffers (Linux 5.8 or later): decisions cannot be reported")
        }

        let (backend, reason) = chooseBackend(bpfLSMLoadable: loadable, btf: btf, cgroupV2: cgroupMount != nil,
                                              landlockABI: landlock, built: built)
        if loadable && btf && cgroupMount != nil && !built.contains(.bpfLSM) {
            missing.append("leash run's BPF LSM backend, which is not built yet: this kernel is ready for it")
        }
        if backend != .bpfLSM && landlock > 0 && landlock < Backend.landlockMinimumABI {
            missing.append("Landlock ABI \(Backend.landlockMinimumABI) or later for leash's Landlock backend (this kernel has ABI \(landlock)): Linux 6.2 or later")
        }
        if backend == .none && landlock >= Backend.landlockMinimumABI && !built.contains(.landlock) {
            missing.append("leash's Landlock fallback backend, which is not built yet: until it is, this kernel has no backend leash can use")
        }

        return KernelReport(
            kernel: kernel.kernelRelease,
            backend: backend,
            backendReason: reason,
            bpfLSM: .init(listed: listed, loadable: loadable, activeLSMs: lsms ?? [], error: loadError),
            landlockABI: landlock,
            cgroupV2: cgroupMount != nil,
            cgroupV2Mount: cgroupMount?.path,
            cgroupV2MountedByLeash: cgroupMount?.mountedByLeash ?? false,
            btf: btf,
            ringBuffer: ringBuffer,
            privileges: privileges,
            missing: missing)
    }

    /// The best backend the facts allow, and one sentence saying why.
    public static func chooseBackend(bpfLSMLoadable: Bool, btf: Bool, cgroupV2: Bool, landlockABI: Int,
                                     built: Set<Backend> = Backend.built) -> (Backend, String) {
        // Loadable BPF LSM without cgroup v2 is not usable: the programs could not tell
        // the sandbox's processes from the rest of the system.
        let bpfLSMUsable = bpfLSMLoadable && btf && cgroupV2
        if bpfLSMUsable && built.contains(.bpfLSM) {
            return (.bpfLSM, "BPF LSM programs load and attach, and cgroup v2 scopes them to the sandbox")
        }
        let why = bpfLSMUsable ? "BPF LSM works on this kernel but leash run's BPF LSM backend is not built yet"
                               : "BPF LSM is not usable here"
        if landlockABI >= Backend.landlockMinimumABI {
            if built.contains(.landlock) {
                return (.landlock, "\(why); Landlock ABI \(landlockABI) enforces the policy's file rules")
            }
            return (.none, "\(why), and Landlock ABI \(landlockABI) is active but leash's Landlock backend is not built yet")
        }
        let landlock = landlockABI > 0
            ? "Landlock ABI \(landlockABI) is older than the \(Backend.landlockMinimumABI) leash's Landlock backend needs"
            : "Landlock is not active"
        return (.none, "\(why), and \(landlock)")
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? "")
    }
}
