// Questions about a `like` pattern and everything beneath a directory: Landlock grants
// whole subtrees, so a directory can be granted as one rule only when a rule's pattern
// matches all of its subtree or none of it.

import PolicyCompiler

extension GlobPattern {
    /// Pattern positions reachable after matching `prefix` (state i: elements[0..<i] matched).
    func states(after prefix: String) -> Set<Int> {
        if elements.count < 64 {
            let m = mask(after: prefix)
            return Set((0...elements.count).filter { m & (1 << UInt64($0)) != 0 })
        }
        var current = closure([0])
        for c in prefix.unicodeScalars {
            var next = Set<Int>()
            for i in current where i < elements.count {
                if let e = elements[i] { if e == c { next.insert(i + 1) } } else { next.insert(i) }
            }
            current = closure(next)
            if current.isEmpty { break }
        }
        return current
    }

    /// The same simulation as a bit set, for patterns shorter than 64 elements: the
    /// landlock planner asks it for every directory it looks at when leash run starts.
    private func mask(after prefix: String) -> UInt64 {
        let n = elements.count
        var current = closure(mask: 1)
        for c in prefix.unicodeScalars {
            var next: UInt64 = 0
            var rest = current & ((1 << UInt64(n)) - 1)
            while rest != 0 {
                let i = rest.trailingZeroBitCount
                rest &= rest - 1
                if let e = elements[i] { if e == c { next |= 1 << UInt64(i + 1) } } else { next |= 1 << UInt64(i) }
            }
            current = closure(mask: next)
            if current == 0 { break }
        }
        return current
    }

    private func closure(mask s: UInt64) -> UInt64 {
        var out = s
        // Positions only move forward, so one pass in order reaches the fixed point.
        for i in 0..<elements.count where out & (1 << UInt64(i)) != 0 && elements[i] == nil { out |= 1 << UInt64(i + 1) }
        return out
    }

    private func closure(_ s: Set<Int>) -> Set<Int> {
        var out = s
        var todo = Array(s)
        while let i = todo.popLast() {
            if i < elements.count, elements[i] == nil, out.insert(i + 1).inserted { todo.append(i + 1) }
        }
        return out
    }

    /// Whether every path strictly beneath `directory` (`directory/x…`) matches. The
    /// directory's own path (`directory/`) is left out: creating or removing it is decided
    /// in its parent, as Landlock does.
    public func matchesAll(beneath directory: String) -> Bool {
        if elements.count < 64 {
            let m = mask(after: Self.slashed(directory))
            // States from which only stars remain (the end itself is not beneath).
            var tail: UInt64 = 0
            for i in stride(from: elements.count - 1, through: 0, by: -1) {
                guard elements[i] == nil else { break }
                tail |= 1 << UInt64(i)
            }
            return m & tail != 0
        }
        let s = states(after: Self.slashed(directory))
        return s.contains { i in i < elements.count && elements[i...].allSatisfy { $0 == nil } }
    }

    /// Whether some path strictly beneath `directory` could match.
    public func matchesSome(beneath directory: String) -> Bool {
        if elements.count < 64 { return mask(after: Self.slashed(directory)) & ((1 << UInt64(elements.count)) - 1) != 0 }
        return states(after: Self.slashed(directory)).contains { $0 < elements.count }
    }

    /// Starts with `*`: the pattern can match beneath any directory, so it has no anchor.
    public var isUnanchored: Bool { elements.first.map { $0 == nil } ?? false }

    /// `"/x/y/*"`: exactly the subtree of one directory.
    public var subtreeRoot: String? {
        guard elements.count >= 2, elements.last! == nil, elements[elements.count - 2] == "/" else { return nil }
        let head = elements.dropLast()
        guard head.allSatisfy({ $0 != nil }) else { return nil }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: head.map { $0! })
        let text = String(s)
        return text == "/" ? "/" : String(text.dropLast())
    }

    /// The literal path when the pattern has no wildcard.
    public var literalPath: String? {
        guard isLiteral else { return nil }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: elements.map { $0! })
        return String(s)
    }

    static func slashed(_ d: String) -> String { d.hasSuffix("/") ? d : d + "/" }

    /// The longest run of literal characters, in UTF-8: every string the pattern matches
    /// contains it.
    var longestLiteralUTF8: [UInt8] {
        var best = String.UnicodeScalarView(), run = String.UnicodeScalarView()
        for e in elements {
            if let c = e {
                run.append(c)
                if run.count > best.count { best = run }
            } else {
                run = String.UnicodeScalarView()
            }
        }
        return Array(String(best).utf8)
    }

    /// Whether `text` contains `needle` (UTF-8 bytes).
    static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        var text = text
        return text.withUTF8 { hay in
            guard hay.count >= needle.count else { return false }
            let first = needle[0]
            var i = 0
            while i <= hay.count - needle.count {
                if hay[i] == first {
                    var j = 1
                    while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return true }
                }
                i += 1
            }
            return false
        }
    }
}
