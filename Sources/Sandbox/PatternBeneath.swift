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
        var star: UInt64 = 0
        for i in 0..<n where elements[i] == nil { star |= 1 << UInt64(i) }
        // Positions only move forward over stars: a few shifts reach the fixed point.
        func close(_ s: UInt64) -> UInt64 {
            var out = s
            while true {
                let next = out | ((out & star) << 1)
                if next == out { return out }
                out = next
            }
        }
        let literal = ((1 << UInt64(n)) - 1) & ~star
        var current = close(1)
        for c in prefix.unicodeScalars {
            var next = current & star  // a star takes any character and stays
            var rest = current & literal
            while rest != 0 {
                let i = rest.trailingZeroBitCount
                rest &= rest - 1
                if elements[i] == c { next |= 1 << UInt64(i + 1) }
            }
            current = close(next)
            if current == 0 { break }
        }
        return current
    }

    /// Over every path strictly beneath `directory` (`directory/x…`): true when all of
    /// them match, false when none does, nil when some do. The directory's own path
    /// (`directory/`) is left out: creating or removing it is decided in its parent, as
    /// Landlock does.
    public func truth(beneath directory: String) -> Bool? {
        let n = elements.count
        // Positions from which only stars remain (the end itself is not beneath).
        let onlyStarsFrom = (elements.lastIndex { $0 != nil }).map { $0 + 1 } ?? 0
        let all: Bool, some: Bool
        if n < 64 {
            let m = mask(after: Self.slashed(directory))
            var tail: UInt64 = 0
            for i in onlyStarsFrom..<n { tail |= 1 << UInt64(i) }
            all = m & tail != 0
            some = m & ((1 << UInt64(n)) - 1) != 0
        } else {
            let s = states(after: Self.slashed(directory))
            all = s.contains { $0 >= onlyStarsFrom && $0 < n }
            some = s.contains { $0 < n }
        }
        return all ? true : (some ? nil : false)
    }

    private func closure(_ s: Set<Int>) -> Set<Int> {
        var out = s
        var todo = Array(s)
        while let i = todo.popLast() {
            if i < elements.count, elements[i] == nil, out.insert(i + 1).inserted { todo.append(i + 1) }
        }
        return out
    }

    /// Whether every path strictly beneath `directory` matches (see `truth(beneath:)`).
    public func matchesAll(beneath directory: String) -> Bool { truth(beneath: directory) == true }

    /// Whether some path strictly beneath `directory` could match.
    public func matchesSome(beneath directory: String) -> Bool { truth(beneath: directory) != false }

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
