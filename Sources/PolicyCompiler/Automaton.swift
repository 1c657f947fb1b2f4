// A deterministic automaton over the UTF-8 bytes of one string dimension (paths, host
// names, MCP names) that answers, for every `like` pattern of the policy at once, which
// patterns the whole string matches. The kernel walks it one byte at a time: cost is the
// length of the string, never the number of rules.
//
// Table format (what the loader writes into maps):
//   trans  hash map  {u32 state, u8 byte} -> u32 next      only where next != dflt[state]
//   dflt   array     state -> u32 next                     the transition for every other byte
//   class  array     state -> u32 class                    which end-anchored patterns accept here
//   emit   array     state -> u64 bits                     unanchored `*X*` patterns seen so far
// The walk starts at `start`: for each byte, state = trans/dflt, mask |= emit[state]
// (emit[start] counts too). After the last byte `class[state]` is the string's class and
// `mask` says which `*X*` patterns occur in it.
//
// Why emit bits: a pattern `*X*` stays true once X has been seen. Folding that into the
// state would make one state per combination of patterns seen (2^k). `*X*` matches s iff
// some prefix of s matches `*X`, so the automaton tracks `*X` (which does not stay true)
// and ORs a bit into a mask when it accepts; at most 64 such patterns per automaton.
// Likewise the compiler keeps pattern families apart so that no automaton is a product of
// unrelated families: prefix patterns (`/a/*`) and literals form a trie walked forwards;
// suffix patterns (`*.pem`, `*.github.com`) form a trie walked backwards over the same
// bytes (`reversed`); `*X*` patterns share an Aho-Corasick-like automaton with emit bits;
// each pattern with an inner `*` gets its own.
//
// Cedar's `like` works on Unicode scalars; matching the UTF-8 bytes is the same for valid
// UTF-8 because every literal in a pattern is a whole encoded scalar.

public struct StringAutomaton: Codable, Sendable {
    public var dim: StringDim
    /// Atom ids of the patterns, in the order the classes refer to them.
    public var patternAtoms: [Int]
    public var start: Int32
    public var defaultNext: [Int32]
    /// Explicit transitions, sorted by (state, byte).
    public var edgeState: [Int32]
    public var edgeByte: [UInt8]
    public var edgeNext: [Int32]
    public var stateClass: [Int32]
    /// Class → indices into patternAtoms that match.
    public var classes: [[Int32]]
    /// Per state, emit bits; bit i stands for `emitAtoms[i]`.
    public var emit: [UInt64]
    public var emitAtoms: [Int]
    /// Walk the string from its last byte to its first.
    public var reversed: Bool

    public var stateCount: Int { defaultNext.count }
}

struct AutomatonTooLarge: Error { var states: Int }

enum AutomatonBuilder {
    /// Subset construction over the union of the patterns' NFAs.
    /// `emitters` are `*X*` patterns: tracked as `*X`, reported through emit bits.
    static func build(dim: StringDim, patterns: [(atom: Int, pattern: GlobPattern)], emitters: [(atom: Int, pattern: GlobPattern)] = [],
                      reversed: Bool = false, maxStates: Int) throws(AutomatonTooLarge) -> StringAutomaton {
        // Each pattern as bytes, -1 for `*`.
        var elems: [[Int16]] = []
        for (_, p) in patterns + emitters.map({ ($0.atom, GlobPattern(Array($0.pattern.elements.dropLast()))) }) {
            var e: [Int16] = []
            for x in p.elements {
                if let c = x { for b in String(Character(c)).utf8 { e.append(Int16(b)) } } else if e.last != -1 { e.append(-1) }
            }
            elems.append(reversed ? e.reversed() : e)
        }
        let classic = patterns.count
        var offset: [Int32] = [], owner: [Int32] = [], pos: [Int16] = []
        for (i, e) in elems.enumerated() {
            offset.append(Int32(owner.count))
            for k in 0...e.count { owner.append(Int32(i)); pos.append(Int16(k)) }
        }
        func elem(_ s: Int32) -> Int16? {
            let e = elems[Int(owner[Int(s)])], k = Int(pos[Int(s)])
            return k < e.count ? e[k] : nil
        }
        func closure(_ xs: [Int32]) -> [Int32] {
            var out = Set<Int32>()
            for var s in xs {
                while out.insert(s).inserted, elem(s) == -1 { s += 1 }
            }
            return out.sorted()
        }
        var states: [[Int32]] = []
        var index: [[Int32]: Int32] = [:]
        func intern(_ set: [Int32]) throws(AutomatonTooLarge) -> Int32 {
            if let i = index[set] { return i }
            guard states.count < maxStates else { throw AutomatonTooLarge(states: states.count) }
            states.append(set); index[set] = Int32(states.count - 1)
            return Int32(states.count - 1)
        }
        let start = try intern(closure(offset))
        var defaultNext: [Int32] = [], edgeState: [Int32] = [], edgeByte: [UInt8] = [], edgeNext: [Int32] = []
        var i = 0
        while i < states.count {
            let set = states[i]
            var stay: [Int32] = []
            var byByte: [Int16: [Int32]] = [:]
            for s in set {
                guard let e = elem(s) else { continue }
                if e == -1 { stay.append(s) } else { byByte[e, default: []].append(s + 1) }
            }
            let dflt = try intern(closure(stay))
            defaultNext.append(dflt)
            for b in byByte.keys.sorted() {
                let next = try intern(closure(stay + byByte[b]!))
                if next != dflt { edgeState.append(Int32(i)); edgeByte.append(UInt8(b)); edgeNext.append(next) }
            }
            i += 1
        }
        var classIndex: [[Int32]: Int32] = [:]
        var classes: [[Int32]] = []
        var stateClass: [Int32] = []
        var emit: [UInt64] = []
        for set in states {
            let all = set.filter { elem($0) == nil }.map { owner[Int($0)] }
            emit.append(all.filter { Int($0) >= classic }.reduce(UInt64(0)) { $0 | (1 << UInt64(Int($1) - classic)) })
            let accepting = all.filter { Int($0) < classic }.sorted()
            if let c = classIndex[accepting] { stateClass.append(c); continue }
            classes.append(accepting); classIndex[accepting] = Int32(classes.count - 1)
            stateClass.append(Int32(classes.count - 1))
        }
        return StringAutomaton(dim: dim, patternAtoms: patterns.map(\.atom), start: start, defaultNext: defaultNext,
                               edgeState: edgeState, edgeByte: edgeByte, edgeNext: edgeNext,
                               stateClass: stateClass, classes: classes, emit: emit, emitAtoms: emitters.map(\.atom), reversed: reversed)
    }
}

/// A walker over a loaded automaton, as the kernel does it: one lookup per byte.
struct AutomatonWalker {
    let automaton: StringAutomaton
    let edges: [UInt64: Int32]

    init(_ a: StringAutomaton) {
        automaton = a
        var e: [UInt64: Int32] = [:]
        e.reserveCapacity(a.edgeState.count)
        for k in 0..<a.edgeState.count { e[UInt64(UInt32(a.edgeState[k])) << 8 | UInt64(a.edgeByte[k])] = a.edgeNext[k] }
        edges = e
    }

    /// The string's class and the emit bits collected along the walk.
    func walk(_ s: String) -> (cls: Int, mask: UInt64) {
        var state = automaton.start
        var mask = automaton.emit[Int(state)]
        let bytes = automaton.reversed ? Array(s.utf8.reversed()) : Array(s.utf8)
        for b in bytes {
            state = edges[UInt64(UInt32(state)) << 8 | UInt64(b)] ?? automaton.defaultNext[Int(state)]
            mask |= automaton.emit[Int(state)]
        }
        return (Int(automaton.stateClass[Int(state)]), mask)
    }
}

/// Which automaton each pattern goes to (see the header comment for why).
enum AutomatonPlan {
    struct Group {
        var classic: [(atom: Int, pattern: GlobPattern)] = []
        var emitters: [(atom: Int, pattern: GlobPattern)] = []
        var reversed = false
        var isEmpty: Bool { classic.isEmpty && emitters.isEmpty }
    }

    static func plan(_ pats: [(atom: Int, pattern: GlobPattern)]) -> [Group] {
        var literals: [(atom: Int, pattern: GlobPattern)] = [], prefixes = literals, suffixes = literals
        var infix = [Group()]
        var complex: [Group] = []
        for p in pats {
            let e = p.pattern.elements
            // (Elements are optionals: test values, not `first`/`last`, which are optional twice.)
            let lead = !e.isEmpty && e[0] == nil
            let trail = e.count > (lead ? 1 : 0) && e[e.count - 1] == nil
            let inner = e.dropFirst(lead ? 1 : 0).dropLast(trail ? 1 : 0).contains { $0 == nil }
            switch (lead, trail, inner) {
            case (false, false, false): literals.append(p)
            case (false, true, false): prefixes.append(p)
            case (true, false, false): suffixes.append(p)
            case (true, true, false):
                if infix[infix.count - 1].emitters.count == 64 { infix.append(Group()) }
                infix[infix.count - 1].emitters.append(p)
            default: complex.append(Group(classic: [p]))
            }
        }
        // Literals go with the family they are most likely tested with.
        var forward = Group(classic: prefixes), backward = Group(classic: suffixes, reversed: true)
        if prefixes.isEmpty && !suffixes.isEmpty { backward.classic += literals } else { forward.classic += literals }
        return ([forward, backward] + infix + complex).filter { !$0.isEmpty }
    }
}
