// `leash reload [PID]`: asks a running `leash run` (bpf-lsm backend) to read its policy
// file again and switch to it atomically. It only sends SIGHUP; the running leash does
// the reload, so a policy with errors is reported there and the old policy stays.

#if canImport(Glibc)
import Glibc
#endif
import LSMSandbox

func reloadCommand() -> Command {
    Command(
        name: "reload", abstract: "Reload the policy of a running leash run (bpf-lsm backend).",
        usage: "[PID]",
        discussion: """
            Sends SIGHUP to the leash process PID, which compiles its --policy file again
            and switches its sandbox to the new policy in one map update: every decision is
            made by the old policy or by the new one, never by neither. A policy with errors
            is reported by that leash, which keeps the old policy. Context flags keep their
            values. Without PID, the one running bpf-lsm sandbox on this machine is reloaded.

            EXIT STATUS: 0 when the signal was sent, 1 when no (or more than one) running
            leash was found, 64 bad command line.
            """,
        options: []
    ) { args in
        let pid: pid_t
        if let given = args.positionals.first {
            guard let p = pid_t(given), p > 0 else { throw UsageError(message: "PID must be a process id, got '\(given)'") }
            pid = p
        } else {
            let running = LSMPins.runningLeashes()
            guard running.count == 1 else {
                let found = running.isEmpty ? "no running leash with a bpf-lsm sandbox was found"
                    : "several leash processes run bpf-lsm sandboxes (\(running.map(String.init).joined(separator: ", "))); name one"
                throw CommandFailure(status: ExitCode.negative, message: "leash reload: \(found)")
            }
            pid = running[0]
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw CommandFailure(status: ExitCode.negative, message: "leash reload: cannot signal \(pid): \(String(cString: strerror(errno)))")
        }
        print("leash reload: asked leash \(pid) to reload its policy")
        return ExitCode.success
    }
}
