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
// Likewise the compiler keeps anchored patterns (`/a/b`, `/a/*`: a trie) and unanchored
// ones (`*.pem`, `*/.ssh/*`) in separate automata, and gives each pattern with an inner
// `*` its own, so that no automaton is a product of unrelated pattern families.
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

    public var stateCount: Int { defaultNext.count }
}

struct AutomatonTooLarge: Error { var states: Int }

enum AutomatonBuilder {
    /// Subset construction over the union of the patterns' NFAs.
    /// `emitters` are `*X*` patterns: tracked as `*X`, reported through emit bits.
    static func build(dim: StringDim, patterns: [(atom: Int, pattern: GlobPattern)], emitters: [(atom: Int, pattern: GlobPattern)] = [],
                      maxStates: Int) throws(AutomatonTooLarge) -> StringAutomaton {
        // Each pattern as bytes, -1 for `*`.
        var elems: [[Int16]] = []
        for (_, p) in patterns + emitters.map({ ($0.atom, GlobPattern(Array($0.pattern.elements.dropLast()))) }) {
            var e: [Int16] = []
            for x in p.elements {
                if let c = x { for b in String(Character(c)).utf8 { e.append(Int16(b)) } } else if e.last != -1 { e.append(-1) }
            }
            elems.append(e)
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
                               stateClass: stateClass, classes: classes, emit: emit, emitAtoms: emitters.map(\.atom))
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
        for b in s.utf8 {
            state = edges[UInt64(UInt32(state)) << 8 | UInt64(b)] ?? automaton.defaultNext[Int(state)]
            mask |= automaton.emit[Int(state)]
        }
        return (Int(automaton.stateClass[Int(state)]), mask)
    }
}

/// Which automaton each pattern goes to (see the header comment for why).
enum AutomatonPlan {
    struct Group { var classic: [(atom: Int, pattern: GlobPattern)] = []; var emitters: [(atom: Int, pattern: GlobPattern)] = [] }

    static func plan(_ pats: [(atom: Int, pattern: GlobPattern)]) -> [Group] {
        var anchored = Group(), unanchored = [Group()]
        var complex: [Group] = []
        for p in pats {
            let e = p.pattern.elements
            // (Elements are optionals: test values, not `first`/`last`, which are optional twice.)
            let leadingStar = !e.isEmpty && e[0] == nil
            let trailingStar = !e.isEmpty && e[e.count - 1] == nil
            let body = trailingStar ? Array(e.dropLast()) : e
            if !leadingStar, !body.contains(where: { $0 == nil }) {
                anchored.classic.append(p)                      // `/a/b`, `/a/*`
            } else if leadingStar, !body.dropFirst().contains(where: { $0 == nil }) {
                if e.count > 1 && trailingStar {                // `*X*`
                    if unanchored[unanchored.count - 1].emitters.count == 64 { unanchored.append(Group()) }
                    unanchored[unanchored.count - 1].emitters.append(p)
                } else {                                        // `*X`, `*`
                    unanchored[0].classic.append(p)
                }
            } else {
                complex.append(Group(classic: [p]))             // inner `*`: one automaton each
            }
        }
        return ([anchored] + unanchored + complex).filter { !$0.classic.isEmpty || !$0.emitters.isEmpty }
    }
}
