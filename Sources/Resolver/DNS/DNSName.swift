// A domain name as a list of labels. Comparison ignores ASCII case, as DNS does, and the
// text form is lower case, which is what policies are compiled against.

public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// Labels in lower case, without the root (empty) label.
    public private(set) var labels: [[UInt8]]

    public static let maxLength = 255
    public static let maxLabelLength = 63

    public init(labels: [[UInt8]]) throws {
        self.labels = labels.map { $0.map(Self.lower) }
        var wire = 1
        for label in labels {
            guard !label.isEmpty, label.count <= Self.maxLabelLength else { throw DNSError.badLabel(length: label.count) }
            wire += 1 + label.count
        }
        guard wire <= Self.maxLength else { throw DNSError.nameTooLong }
    }

    /// Parses dotted text (`api.example.test`, with or without the final dot).
    public init(_ text: String) throws {
        var t = Substring(text)
        if t.hasSuffix(".") { t = t.dropLast() }
        if t.isEmpty { try self.init(labels: []); return }
        try self.init(labels: t.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) })
    }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }

    /// Dotted text without the final dot ("" for the root).
    public var text: String { labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".") }
    public var description: String { text.isEmpty ? "." : text }
}
