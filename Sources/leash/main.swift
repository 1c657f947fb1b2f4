// leash: a sandbox for AI coding agents that decides every file open, exec and connect
// in the kernel against a compiled Cedar policy.

#if canImport(Glibc)
import Glibc
#endif

let root = Command(
    name: "leash",
    abstract: "Run coding agents under a Cedar policy enforced in the kernel.",
    usage: "<subcommand> | -- CMD [ARGS...]",
    discussion: """
    EXIT STATUS:
      0   success
      1   a negative answer (deny, failed check, formatting differs)
      64  bad command line
      65  bad input data (policy, schema, entities)
      70  internal error in leash
      71  the kernel refused an operation leash needs
      74  a file could not be read or written
      77  missing privilege (most kernel features need root)
    """,
    subcommands: allCommands())

var arguments = Array(CommandLine.arguments.dropFirst())
// `leash -- CMD` (or `leash --allow-approximate -- CMD`, any run options before the `--`)
// is the short form of `leash run -- CMD`.
if let first = arguments.first, first == "--" || (first.hasPrefix("--") && first != "--help" && arguments.contains("--")) {
    arguments.insert("run", at: 0)
}
exit(root.main(arguments))
