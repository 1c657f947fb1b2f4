// `leash cedar …`: the Cedar language tools. Each subcommand lives in its own file.
func cedarCommand() -> Command {
    Command(name: "cedar", abstract: "Work with Cedar policies: authorize, validate, format.",
            subcommands: [cedarAuthorizeCommand(), cedarValidateCommand(), cedarFormatCommand(), cedarBatchCommand()])
}
