// `leash doctor`: what the running kernel offers and which backend `leash run` will use.
import Loader

func doctorCommand() -> Command {
    Command(
        name: "doctor",
        abstract: "Probe the kernel and report which enforcement backend leash can use.",
        discussion: """
        Checks that BPF LSM is active AND accepts programs (it loads and attaches a
        trivial one), cgroup v2 (mounting one at /run/leash/cgroup2 if none is mounted),
        the Landlock ABI, BTF, ring buffers and privileges, then names the backend
        `leash run` will use and what is missing for a better one. Most probes need root.

        EXIT STATUS: 0 when some enforcing backend is usable, 1 when none is,
        77 when none is and leash is not root (run it with sudo).
        """,
        options: [Option(name: "json", value: nil, help: "Print the report as JSON.")]
    ) { args in
        let report = KernelDoctor.examine(LiveKernel())
        if args.flag("json") {
            print(try report.json())
        } else {
            print(report.text, terminator: "")
        }
        if report.backend != .none { return ExitCode.success }
        return report.privileges.canLoadBPF ? ExitCode.negative : ExitCode.noPermission
    }
}
