/// One line of /proc/self/mounts.
public struct MountEntry: Equatable, Sendable {
    public var source: String
    public var path: String
    public var type: String

    public init(source: String, path: String, type: String) {
        self.source = source
        self.path = path
        self.type = type
    }

    /// Parses /proc/self/mounts, undoing the kernel's octal escapes (`\040` for a space).
    public static func parse(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { return nil }
            return MountEntry(source: unescape(fields[0]), path: unescape(fields[1]), type: String(fields[2]))
        }
    }

    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
