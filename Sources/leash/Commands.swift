// Every top-level subcommand, in the order `leash --help` lists them.
func allCommands() -> [Command] {
    [doctorCommand(), cedarCommand(), compileCommand(), explainCommand(), runCommand(), reloadCommand()]
}
