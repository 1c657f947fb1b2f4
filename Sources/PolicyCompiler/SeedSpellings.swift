// The seed policies were written with string methods Cedar does not have:
// `resource.domain.endsWith(".x")`, `resource.path.contains("/.ssh/")`. The parser
// rejects `endsWith` outright and Cedar would make `contains` on a string an error (so
// the rule would silently never apply). This pass finds them in the source text, before
// parsing, and offers the exact `like` rewrite as a fix-it that `leash compile --fix` applies.

import CedarSyntax

public enum SeedSpellings {
    public static func find(in source: String, file: String) -> [Diagnostic] {
        let regex = try! Regex(#"resource\s*\.\s*(path|domain)\s*\.\s*(endsWith|startsWith|contains)\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)"#)
        var out: [Diagnostic] = []
        for m in source.matches(of: regex) {
            guard let attr = m.output[1].substring, let method = m.output[2].substring,
                  let raw = m.output[3].substring else { continue }
            let arg = unescape(String(raw))
            let escaped = PartialEvaluator.likeEscaped(arg)
            let pattern: String
            switch method {
            case "endsWith": pattern = "*" + escaped
            case "startsWith": pattern = escaped + "*"
            default: pattern = "*" + escaped + "*"
            }
            let rewrite = "resource.\(attr) like \"\(pattern)\""
            let range = SourceRange(file: file, start: location(of: m.range.lowerBound, in: source),
                                    end: location(of: m.range.upperBound, in: source))
            out.append(Diagnostic(.error, "`\(method)` is not a Cedar string method; write `\(rewrite)`", at: range,
                                  fixIt: rewrite,
                                  notes: ["help: Cedar matches strings with `like`, where `*` is any sequence of characters; `leash compile --fix` rewrites it"]))
        }
        return out
    }

    /// Applies every diagnostic's fix-it (ranges by UTF-8 offset), last first.
    public static func apply(_ diagnostics: [Diagnostic], to source: String) -> String {
        var bytes = Array(source.utf8)
        for d in diagnostics.sorted(by: { $0.range.start.offset > $1.range.start.offset }) {
            guard let fix = d.fixIt, d.range.end.offset > d.range.start.offset, d.range.end.offset <= bytes.count else { continue }
            bytes.replaceSubrange(d.range.start.offset..<d.range.end.offset, with: Array(fix.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func location(of index: String.Index, in s: String) -> SourceLocation {
        var line = 1, column = 1
        for c in s.unicodeScalars[..<index] {
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return SourceLocation(line: line, column: column, offset: s.utf8.distance(from: s.startIndex, to: index))
    }

    static func unescape(_ s: String) -> String {
        var out = "", it = s.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\", let n = it.next() else { out.unicodeScalars.append(c); continue }
            switch n {
            case "n": out += "\n"
            case "t": out += "\t"
            case "r": out += "\r"
            case "0": out += "\0"
            default: out.unicodeScalars.append(n)
            }
        }
        return out
    }
}

public enum PolicySourceCompiler {
    /// Parses and compiles policy text. Seed spellings are reported (with fix-its) instead
    /// of the parser's "not a Cedar method" errors for the same text.
    public static func compile(source: String, file: String, options: CompileOptions = CompileOptions()) -> CompileResult {
        let seeds = SeedSpellings.find(in: source, file: file)
        if !seeds.isEmpty { return CompileResult(policy: nil, diagnostics: seeds) }
        let set: PolicySet
        do {
            set = try CedarParser.parsePolicySet(source, file: file)
        } catch let e as DiagnosticError {
            return CompileResult(policy: nil, diagnostics: e.diagnostics)
        } catch {
            return CompileResult(policy: nil, diagnostics: [Diagnostic(.error, "\(error)", at: SourceRange(file: file, start: .unknown, end: .unknown))])
        }
        return PolicyCompiler.compile(set, file: file, options: options)
    }
}
