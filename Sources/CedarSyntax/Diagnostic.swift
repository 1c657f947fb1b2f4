// Diagnostics shared by every stage that reads user input: the parser, the schema
// parser, the validator, the policy compiler. One shape, one renderer, so that every
// error a user sees reads `file:line:column: error: message` followed by the source
// line and a caret under the offending text.

public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable { case error, warning, note }

    public var severity: Severity
    public var message: String
    public var range: SourceRange
    /// Optional machine-applicable fix: replace `range` with this text.
    public var fixIt: String?
    /// Extra lines printed after the excerpt ("help: write `like \"*.x\"`").
    public var notes: [String]

    public init(_ severity: Severity = .error, _ message: String, at range: SourceRange,
                fixIt: String? = nil, notes: [String] = []) {
        self.severity = severity; self.message = message; self.range = range
        self.fixIt = fixIt; self.notes = notes
    }

    /// `file:line:column: error: message`
    public var description: String {
        "\(range.file):\(range.start.line):\(range.start.column): \(severity.rawValue): \(message)"
    }

    /// The one-line form plus the source line and a caret excerpt.
    public func rendered(source: String?) -> String {
        var out = description
        if let source, range.start.line > 0 {
            // Lines are found on UTF-8 bytes: splitting a String on "\n" would both cost a
            // grapheme walk of the whole file and miss "\r\n" (a single Character).
            if let line = Diagnostic.line(range.start.line, of: source) {
                let gutter = String(range.start.line)
                out += "\n" + String(repeating: " ", count: gutter.count) + " |"
                out += "\n\(gutter) | \(line)"
                let startCol = max(1, range.start.column)
                var width = 1
                if range.end.line == range.start.line, range.end.column > startCol {
                    width = range.end.column - startCol
                }
                // Keep tabs so the caret lines up with the excerpt above it.
                let lead = line.unicodeScalars.prefix(startCol - 1).map { $0 == "\t" ? "\t" : " " }.joined()
                out += "\n" + String(repeating: " ", count: gutter.count) + " | " + lead
                    + String(repeating: "^", count: max(1, width))
            }
        }
        for n in notes { out += "\n  = " + n }
        return out
    }

    /// Line `number` (from 1) of `source`, without its line ending.
    static func line(_ number: Int, of source: String) -> String? {
        var current = 1
        var start: String.UTF8View.Index? = number == 1 ? source.utf8.startIndex : nil
        let utf8 = source.utf8
        if start == nil {
            for i in utf8.indices where utf8[i] == 0x0A {
                current += 1
                if current == number { start = utf8.index(after: i); break }
            }
        }
        guard let s = start else { return nil }
        var e = utf8[s...].firstIndex(of: 0x0A) ?? utf8.endIndex
        if e > s, utf8[utf8.index(before: e)] == 0x0D { e = utf8.index(before: e) }
        return String(source[s..<e])
    }
}

/// Thrown by any stage that collected one or more errors.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
