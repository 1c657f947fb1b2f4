// "Did you mean …?" for misspelled words, and hints for habits from other languages.

enum Suggestions {
    /// The candidate closest to `word` by edit distance, if it is close enough to be a
    /// likely typo (at most one edit per three characters, and at most two).
    static func closest(to word: String, in candidates: [String]) -> String? {
        let w = Array(word.lowercased().unicodeScalars)
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(w, Array(c.lowercased().unicodeScalars))
            if d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        guard let (c, d) = best, d > 0 || word != c, d <= min(2, max(1, word.count / 3)) else { return nil }
        return c
    }

    static func note(for word: String, in candidates: [String]) -> [String] {
        closest(to: word, in: candidates).map { ["help: did you mean `\($0)`?"] } ?? []
    }

    /// Edit distance counting a swap of two neighbours as one edit (`wehn` → `when`).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// A hint for a character Cedar does not use, written by habit from another language.
    static func hint(forInvalid text: String, next: UInt8?) -> [String] {
        switch text {
        case "&": return ["help: Cedar's `and` is `&&`"]
        case "|": return ["help: Cedar's `or` is `||`"]
        case "'": return ["help: Cedar strings use double quotes: \"…\""]
        case "/" where next == UInt8(ascii: "*"): return ["help: Cedar has only `//` comments, to the end of the line"]
        case "%", "/": return ["help: Cedar's arithmetic is `+`, `-` and `*` only"]
        default: return []
        }
    }
}
