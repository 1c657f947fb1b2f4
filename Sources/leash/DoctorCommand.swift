// Placeholder: replaced by the kernel probe (issue 2).
func doctorCommand() -> Command {
    Command(name: "doctor", abstract: "Probe the kernel and report which enforcement backend leash can use.") { _ in
        throw CommandFailure(status: ExitCode.software, message: "error: doctor is not built yet")
    }
}
