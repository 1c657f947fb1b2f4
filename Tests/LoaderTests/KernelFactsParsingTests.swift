import Loader
import Testing

@Suite struct KernelFactsParsingTests {
    @Test func capabilitiesComeFromCapEff() {
        let status = "Name:\tleash\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n"
        #expect(Privileges.parse(euid: 0, procStatus: status) == Privileges(euid: 0, capSysAdmin: true, capBPF: true))
        // CAP_SYS_ADMIN (bit 21) only.
        let adminOnly = "CapEff:\t0000000000200000\n"
        #expect(Privileges.parse(euid: 0, procStatus: adminOnly) == Privileges(euid: 0, capSysAdmin: true, capBPF: false))
        #expect(Privileges.parse(euid: 1000, procStatus: "CapEff:\t0000000000000000\n").canLoadBPF == false)
    }

    @Test func mountsAreUnescaped() {
        let text = "none /run/my\\040cgroup cgroup2 rw 0 0\nproc /proc proc rw 0 0\n"
        #expect(MountEntry.parse(text) == [
            MountEntry(source: "none", path: "/run/my cgroup", type: "cgroup2"),
            MountEntry(source: "proc", path: "/proc", type: "proc"),
        ])
    }

    @Test func cgroupV2PrefersTheStandardMountPoint() {
        let hybrid = [
            MountEntry(source: "tmpfs", path: "/sys/fs/cgroup", type: "tmpfs"),
            MountEntry(source: "cgroup2", path: "/sys/fs/cgroup/unified", type: "cgroup2"),
        ]
        #expect(CgroupV2.choose(from: hybrid) == "/sys/fs/cgroup/unified")
        let both = [
            MountEntry(source: "none", path: "/run/leash/cgroup2", type: "cgroup2"),
            MountEntry(source: "cgroup2", path: "/sys/fs/cgroup", type: "cgroup2"),
        ]
        #expect(CgroupV2.choose(from: both) == "/sys/fs/cgroup")
        #expect(CgroupV2.choose(from: [MountEntry(source: "cgroup", path: "/sys/fs/cgroup/cpu", type: "cgroup")]) == nil)
    }
}
