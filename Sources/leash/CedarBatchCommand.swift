// Placeholder, to be replaced by its owner.
func cedarBatchCommand() -> Command {
    Command(name: "batch", abstract: "(for tests) Answer many JSONL cases at once.") { _ in
        throw CommandFailure(status: ExitCode.software, message: "error: 'leash cedar batch' is not built yet")
    }
}
