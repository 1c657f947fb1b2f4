// Formats a whole policy file. The tree has no comments, so this keeps them by
// position: each `//` comment is printed on its own line before the policy it was in
// or preceded; comments after the last policy end the file. A comment inside a policy
// thus moves to just above it, which is the one liberty taken with the text.

extension CedarFormatter {
    /// The canonical text of a policy file, comments kept; throws `DiagnosticError` when
    /// the file does not parse.
    public static func format(source: String, file: String = "<input>") throws -> String {
        var p = Parser(source: source, file: file)
        let set = p.parsePolicySet()
        if !p.diagnostics.isEmpty {
            throw DiagnosticError(p.diagnostics.sorted { $0.range.start.offset < $1.range.start.offset })
        }
        let policies = (set.policies + set.templates).sorted { $0.range.start.offset < $1.range.start.offset }
        let comments = p.comments.map { r -> String in
            var text = String(decoding: p.bytes[r], as: UTF8.self)
            while let last = text.unicodeScalars.last, last.properties.isWhitespace { text.unicodeScalars.removeLast() }
            return text
        }
        var out: [String] = []
        var next = 0
        for policy in policies {
            var block = ""
            while next < p.comments.count, p.comments[next].lowerBound < policy.range.end.offset {
                block += comments[next] + "\n"
                next += 1
            }
            out.append(block + format(policy))
        }
        var tail = ""
        while next < p.comments.count {
            tail += comments[next] + "\n"
            next += 1
        }
        var text = out.joined(separator: "\n\n")
        if !text.isEmpty { text += "\n" }
        if !tail.isEmpty { text += (text.isEmpty ? "" : "\n") + tail }
        return text
    }
}
