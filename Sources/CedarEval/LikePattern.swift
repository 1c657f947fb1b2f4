// Cedar's `like`: glob matching with `*` as the only wildcard. The parser has already
// turned `\*` into a literal star, so the pattern is a list of characters and wildcards.

import CedarSyntax

/// `like`: `*` matches any run of characters (Unicode scalars), everything else itself.
public func matchesPattern(_ text: String, _ pattern: Pattern) -> Bool {
    let s = Array(text.unicodeScalars)
    let p = pattern.elements
    // Greedy matching with backtracking to the last star: linear in practice.
    var i = 0, j = 0
    var star = -1, mark = 0
    while i < s.count {
        if j < p.count, case .char(let c) = p[j], c == s[i] {
            i += 1; j += 1
        } else if j < p.count, case .wildcard = p[j] {
            star = j; mark = i; j += 1
        } else if star >= 0 {
            j = star + 1; mark += 1; i = mark
        } else {
            return false
        }
    }
    while j < p.count, case .wildcard = p[j] { j += 1 }
    return j == p.count
}
