// A small command-line framework in the shape Swift users know from
// swift-argument-parser (which cannot be a dependency here): a command has a name, an
// abstract, options, subcommands and a run function; `--help` works on every command;
// usage errors exit 64 with the usage text on stderr.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Exit statuses of leash itself. `leash run` exits with the command's own status, so
/// leash's failures use codes a shell command rarely does (documented in `leash --help`).
enum ExitCode {
    static let success: Int32 = 0
    /// The command ran and its answer is "no" (a deny, a failed check, a format diff).
    static let negative: Int32 = 1
    /// Bad input: a policy, schema or entity file with errors.
    static let dataError: Int32 = 65
    /// Bad command line (sysexits EX_USAGE).
    static let usage: Int32 = 64
    /// A file could not be read or written.
    static let ioError: Int32 = 74
    /// The kernel refused something leash needs (EX_OSERR).
    static let osError: Int32 = 71
    /// Missing privilege (EX_NOPERM).
    static let noPermission: Int32 = 77
    /// An internal error: a bug in leash.
    static let software: Int32 = 70
}

struct Option {
    /// Long name without dashes: `policy` for `--policy`.
    var name: String
    /// Metavariable for options taking a value (`FILE`); nil for flags.
    var value: String?
    var help: String
    var short: Character? = nil
    var repeatable = false
}

struct ParsedArguments {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    /// Everything after a literal `--`.
    var rest: [String]? = nil

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// An error that already carries the exit status and the message to print.
struct CommandFailure: Error, CustomStringConvertible {
    var status: Int32
    var message: String
    var description: String { message }
}

final class Command {
    let name: String
    let abstract: String
    let usage: String
    let discussion: String
    let options: [Option]
    let subcommands: [Command]
    /// When true, the first positional stops option parsing and everything from it on is
    /// passed through untouched (for `run CMD ARGS…` without a `--`).
    let stopAtFirstPositional: Bool
    let run: ((ParsedArguments) throws -> Int32)?
    weak var parent: Command?

    init(name: String, abstract: String, usage: String = "", discussion: String = "",
         options: [Option] = [], subcommands: [Command] = [], stopAtFirstPositional: Bool = false,
         run: ((ParsedArguments) throws -> Int32)? = nil) {
        self.name = name; self.abstract = abstract; self.usage = usage
        self.discussion = discussion; self.options = options + [Option(name: "help", value: nil, help: "Show help for this command.", short: "h")]
        self.subcommands = subcommands; self.stopAtFirstPositional = stopAtFirstPositional
        self.run = run
        for s in subcommands { s.parent = self }
    }

    var fullName: String { parent.map { $0.fullName + " " + name } ?? name }

    var helpText: String {
        var out = "OVERVIEW: \(abstract)\n\n"
        let u = usage.isEmpty ? (subcommands.isEmpty ? "[options]" : "<subcommand>") : usage
        out += "USAGE: \(fullName) \(u)\n"
        if !discussion.isEmpty { out += "\n" + discussion.trimmingCharacters(in: .newlines) + "\n" }
        if !options.isEmpty {
            out += "\nOPTIONS:\n"
            for o in options {
                var left = "  "
                if let s = o.short { left += "-\(s), " }
                left += "--\(o.name)"
                if let v = o.value { left += " <\(v)>" }
                out += left.padding(toLength: max(left.count + 2, 30), withPad: " ", startingAt: 0) + o.help + "\n"
            }
        }
        if !subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            for s in subcommands {
                out += ("  " + s.name).padding(toLength: 30, withPad: " ", startingAt: 0) + s.abstract + "\n"
            }
            out += "\n  See '\(fullName) <subcommand> --help' for details.\n"
        }
        return out
    }

    /// Parses `args` (not including this command's own name) and runs the command.
    func main(_ args: [String]) -> Int32 {
        var args = args
        if let first = args.first, let sub = subcommands.first(where: { $0.name == first }) {
            args.removeFirst()
            return sub.main(args)
        }
        do {
            let parsed = try parse(args)
            if parsed.flag("help") {
                print(helpText, terminator: "")
                return ExitCode.success
            }
            guard let run else {
                if let first = parsed.positionals.first {
                    throw UsageError(message: "unknown subcommand '\(first)'")
                }
                throw UsageError(message: "missing subcommand")
            }
            return try run(parsed)
        } catch let e as UsageError {
            printError("error: \(e.message)\n\n\(helpText)")
            return ExitCode.usage
        } catch let e as CommandFailure {
            if !e.message.isEmpty { printError(e.message) }
            return e.status
        } catch {
            printError("error: \(error)")
            return ExitCode.software
        }
    }

    func parse(_ args: [String]) throws -> ParsedArguments {
        var p = ParsedArguments()
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--" {
                p.rest = Array(args[(i + 1)...])
                break
            }
            if a.hasPrefix("-") && a != "-" {
                var name: String
                var inline: String? = nil
                if a.hasPrefix("--") {
                    name = String(a.dropFirst(2))
                    if let eq = name.firstIndex(of: "=") {
                        inline = String(name[name.index(after: eq)...])
                        name = String(name[..<eq])
                    }
                } else {
                    guard a.count == 2, let o = options.first(where: { $0.short == a.last }) else {
                        throw UsageError(message: "unknown option '\(a)'")
                    }
                    name = o.name
                }
                guard let opt = options.first(where: { $0.name == name }) else {
                    throw UsageError(message: "unknown option '--\(name)'")
                }
                if opt.value != nil {
                    let v: String
                    if let inline { v = inline } else {
                        guard i + 1 < args.count else {
                            throw UsageError(message: "option '--\(name)' needs a value <\(opt.value!)>")
                        }
                        i += 1
                        v = args[i]
                    }
                    if !opt.repeatable, p.values[name] != nil {
                        throw UsageError(message: "option '--\(name)' given more than once")
                    }
                    p.values[name, default: []].append(v)
                } else {
                    if inline != nil { throw UsageError(message: "option '--\(name)' takes no value") }
                    p.flags.insert(name)
                }
            } else {
                if stopAtFirstPositional {
                    p.rest = Array(args[i...])
                    break
                }
                p.positionals.append(a)
            }
            i += 1
        }
        return p
    }
}

func printError(_ s: String) {
    FileHandle.standardError.write((s.hasSuffix("\n") ? s : s + "\n").data(using: .utf8)!)
}

/// Reads a whole file as UTF-8, mapping failure to exit status 74 with a clear message.
func readTextFile(_ path: String, what: String = "file") throws -> String {
    if path == "-" {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let s = String(data: data, encoding: .utf8) else {
            throw CommandFailure(status: ExitCode.ioError, message: "error: standard input is not UTF-8")
        }
        return s
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
        throw CommandFailure(status: ExitCode.ioError, message: "error: \(what) '\(path)' \(reason)")
    }
    guard let s = String(data: data, encoding: .utf8) else {
        throw CommandFailure(status: ExitCode.ioError, message: "error: \(what) '\(path)' is not UTF-8 text")
    }
    return s
}
