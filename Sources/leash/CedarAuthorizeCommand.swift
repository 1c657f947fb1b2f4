// Placeholder, to be replaced by its owner.
func cedarAuthorizeCommand() -> Command {
    Command(name: "authorize", abstract: "Answer authorization requests against a policy set.") { _ in
        throw CommandFailure(status: ExitCode.software, message: "error: 'leash cedar authorize' is not built yet")
    }
}
