// Placeholder, to be replaced by its owner.
func cedarFormatCommand() -> Command {
    Command(name: "format", abstract: "Print policies in canonical form.") { _ in
        throw CommandFailure(status: ExitCode.software, message: "error: 'leash cedar format' is not built yet")
    }
}
