// Placeholder, to be replaced by its owner.
func cedarValidateCommand() -> Command {
    Command(name: "validate", abstract: "Validate policies against a schema.") { _ in
        throw CommandFailure(status: ExitCode.software, message: "error: 'leash cedar validate' is not built yet")
    }
}
