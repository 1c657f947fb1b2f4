// The real terminal behind the credential prompt: the question on stderr, the answer read
// from /dev/tty (the sandboxed command may be reading stdin too; the terminal is shared,
// which is why leash asks at most once per store).

#if canImport(Glibc)
import Glibc
#endif

public final class TerminalPrompt: PromptTerminal {
    public init() {}

    /// leash's stdin and stderr are both terminals: someone can answer.
    public var isInteractive: Bool { isatty(0) == 1 && isatty(2) == 1 }

    public func ask(_ question: String) -> Bool {
        tell(question, newline: false)
        let fd = open("/dev/tty", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { answer.append(byte) }
        return answer.first == UInt8(ascii: "y") || answer.first == UInt8(ascii: "Y")
    }

    public func tell(_ line: String) { tell(line, newline: true) }

    private func tell(_ text: String, newline: Bool) {
        let bytes = Array((newline ? text + "\n" : text).utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

/// The landlock backend: context flags are fixed when the command starts.
public final class FixedContextFlags: ContextFlagSwitch {
    public init() {}
    public var canFlipAtRuntime: Bool { false }
    public struct CannotFlip: Error, CustomStringConvertible {
        public var description: String { "the landlock backend cannot change context flags after start" }
    }
    public func turnOn(_ flag: String) throws { throw CannotFlip() }
}
