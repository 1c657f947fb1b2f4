import Foundation

extension KernelReport {
    /// The JSON `leash doctor --json` prints: sorted keys, so diffs and tests are stable.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report for a person reading a terminal.
    public var text: String {
        func yes(_ b: Bool) -> String { b ? "yes" : "no" }
        var lines = ["leash doctor: Linux \(kernel)", ""]
        var lsm = "listed: \(yes(bpfLSM.listed)), loadable: \(yes(bpfLSM.loadable))"
        if let error = bpfLSM.error { lsm += "\n" + String(repeating: " ", count: 17) + error.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: 17)) }
        lines.append(row("BPF LSM", lsm))
        lines.append(row("active LSMs", bpfLSM.activeLSMs.isEmpty ? "unknown" : bpfLSM.activeLSMs.joined(separator: ",")))
        lines.append(row("Landlock", landlockABI > 0 ? "ABI \(landlockABI)" : "not available"))
        let cgroup = cgroupV2Mount.map { "yes, at \($0)" + (cgroupV2MountedByLeash ? " (mounted by leash)" : "") } ?? "no"
        lines.append(row("cgroup v2", cgroup))
        lines.append(row("BTF", btf ? "yes (/sys/kernel/btf/vmlinux)" : "no"))
        lines.append(row("ring buffer", ringBuffer.map(yes) ?? "unknown (needs root to probe)"))
        lines.append(row("privileges", "euid \(privileges.euid), CAP_SYS_ADMIN \(yes(privileges.capSysAdmin)), CAP_BPF \(yes(privileges.capBPF))"))
        lines.append("")
        lines.append("backend: \(backend.rawValue)")
        lines.append("  \(backendReason)")
        if !missing.isEmpty {
            lines.append("")
            lines.append(backend == .bpfLSM ? "notes:" : "missing for a better backend:")
            for item in missing { lines.append("  - \(item)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func row(_ label: String, _ value: String) -> String {
        "  " + label.padding(toLength: 15, withPad: " ", startingAt: 0) + value
    }
}
