// Placeholder: replaced by `leash cedar authorize|validate|format` (issue 3).
func cedarCommand() -> Command {
    Command(name: "cedar", abstract: "Work with Cedar policies: authorize, validate, format.", subcommands: [])
}
