// `leash cedar format`: prints a policy file in canonical form, or checks that it
// already is.

import Cedar

func cedarFormatCommand() -> Command {
    Command(
        name: "format", abstract: "Print policies in canonical form.",
        usage: "[--check] FILE",
        discussion: """
            Prints FILE (or standard input for `-`) in leash's canonical Cedar layout: one
            blank line between policies, the scope on separate lines unless it is
            unconstrained, one `when`/`unless` clause per line. Formatting is idempotent and
            never changes what a policy means. `//` comments are kept; one written inside a
            policy moves to the line above that policy.

            EXIT STATUS:
              0   formatted (with --check: the file is already canonical)
              1   with --check: the file is not in canonical form
              64  bad command line
              65  the file has syntax errors (printed with file:line:column)
              74  the file cannot be read
            """,
        options: [
            Option(name: "check", value: nil,
                   help: "Print nothing; exit 1 if FILE is not in canonical form."),
        ]
    ) { args in
        guard args.positionals.count == 1 else {
            throw UsageError(message: args.positionals.isEmpty ? "missing FILE" : "expected one FILE")
        }
        let path = args.positionals[0]
        let source = try readTextFile(path, what: "policy file")
        let formatted: String
        do {
            formatted = try CedarFormatter.format(source: source, file: path == "-" ? "<stdin>" : path)
        } catch let e as DiagnosticError {
            throw CommandFailure(status: ExitCode.dataError,
                                 message: e.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))
        }
        if args.flag("check") {
            if formatted == source { return ExitCode.success }
            printError("\(path): not in canonical form (run `leash cedar format \(path)` to see it)")
            return ExitCode.negative
        }
        print(formatted, terminator: "")
        return ExitCode.success
    }
}
