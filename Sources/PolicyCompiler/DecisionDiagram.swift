// Builds the reduced decision diagram from the lowered rules. A node is identified by
// its residual rule set: (rule, formula) pairs still undecided at that point. Branching
// on a dimension substitutes the truth of that dimension's atoms for each class of
// requests; equal residual sets become the same node.

struct DimensionClasses {
    var dimension: Dimension
    /// Atoms this dimension decides.
    var atoms: Set<Int>
    /// For each class, the atoms (of this dimension) that are true.
    var trueAtoms: [Set<Int>]
    /// atom → classes where it is true.
    var classesWithAtom: [Int: [Int]]

    init(dimension: Dimension, atoms: Set<Int>, trueAtoms: [Set<Int>]) {
        self.dimension = dimension; self.atoms = atoms; self.trueAtoms = trueAtoms
        var idx: [Int: [Int]] = [:]
        for (c, s) in trueAtoms.enumerated() { for a in s { idx[a, default: []].append(c) } }
        classesWithAtom = idx
    }
}

struct TooManyFlags: Error { var flags: [String]; var rules: [Int] }

final class DiagramBuilder {
    typealias Residual = [Int]  // flattened (rule, formula) pairs, sorted by rule
    let store: FormulaStore
    let effects: [Bool]  // rule → is permit
    let flagBit: [Int: Int32]  // atom id → bit
    let maxFlags: Int
    var nodes: [DecisionNode] = []
    var verdicts: [Verdict] = []
    var verdictIndex: [Verdict: Int32] = [:]
    var outcomes: [Outcome] = []
    var outcomeIndex: [Outcome: Int32] = [:]
    var memo: [String: [Residual: Int32]] = [:]
    var verdictNodes: [Int32: Int32] = [:]

    init(store: FormulaStore, effects: [Bool], flagBit: [Int: Int32], maxFlags: Int) {
        self.store = store; self.effects = effects; self.flagBit = flagBit; self.maxFlags = maxFlags
    }

    func atomsOf(_ r: Residual) -> Set<Int> {
        var s = Set<Int>()
        var i = 1
        while i < r.count { store.atomsOf(r[i], into: &s); i += 2 }
        return s
    }

    func substitute(_ r: Residual, _ value: (Int) -> Bool?) -> Residual {
        var out: Residual = []
        var memo: [FormulaID: FormulaID] = [:]
        var i = 0
        while i < r.count {
            let f = store.substitute(r[i + 1], memo: &memo, value)
            if f != FormulaStore.falseID { out.append(r[i]); out.append(f) }
            i += 2
        }
        return out
    }

    /// The node deciding `residual` using `dims[level...]` and then the flags.
    func build(_ residual: Residual, dims: [DimensionClasses], level: Int) throws(TooManyFlags) -> Int32 {
        let key = dims[level...].map(\.dimension.rawValue).joined(separator: ",")
        if let n = memo[key]?[residual] { return n }
        let id: Int32
        if level == dims.count {
            id = try verdictNode(residual)
        } else {
            let d = dims[level]
            let used = atomsOf(residual).intersection(d.atoms)
            if used.isEmpty {
                id = try build(residual, dims: dims, level: level + 1)
            } else {
                let base = substitute(residual) { d.atoms.contains($0) ? false : nil }
                let dflt = try build(base, dims: dims, level: level + 1)
                var candidates = Set<Int>()
                for a in used { candidates.formUnion(d.classesWithAtom[a] ?? []) }
                var edges: [(Int32, Int32)] = []
                for c in candidates.sorted() {
                    let t = d.trueAtoms[c]
                    guard !t.isDisjoint(with: used) else { continue }
                    let r = substitute(residual) { d.atoms.contains($0) ? t.contains($0) : nil }
                    let child = try build(r, dims: dims, level: level + 1)
                    if child != dflt { edges.append((Int32(c), child)) }
                }
                nodes.append(DecisionNode(dimension: d.dimension, defaultChild: dflt, edgeClass: edges.map(\.0),
                                          edgeChild: edges.map(\.1), verdict: -1))
                id = Int32(nodes.count - 1)
            }
        }
        memo[key, default: [:]][residual] = id
        return id
    }

    func verdictNode(_ residual: Residual) throws(TooManyFlags) -> Int32 {
        let flagAtoms = atomsOf(residual).sorted { flagBit[$0]! < flagBit[$1]! }
        if flagAtoms.count > maxFlags {
            var rules: [Int] = []
            var i = 0
            while i < residual.count { rules.append(residual[i]); i += 2 }
            throw TooManyFlags(flags: flagAtoms.map { store.atoms[$0].description }, rules: rules)
        }
        var outs: [Int32] = []
        for bits in 0..<(1 << flagAtoms.count) {
            var permits: [Int32] = [], forbids: [Int32] = []
            var i = 0
            while i < residual.count {
                let on = store.evaluate(residual[i + 1]) { a in
                    guard let k = flagAtoms.firstIndex(of: a) else { return false }
                    return bits & (1 << k) != 0
                }
                if on { if effects[residual[i]] { permits.append(Int32(residual[i])) } else { forbids.append(Int32(residual[i])) } }
                i += 2
            }
            let o = forbids.isEmpty && !permits.isEmpty ? Outcome(allow: true, rules: permits) : Outcome(allow: false, rules: forbids)
            if let k = outcomeIndex[o] { outs.append(k) } else {
                outcomes.append(o); outcomeIndex[o] = Int32(outcomes.count - 1); outs.append(Int32(outcomes.count - 1))
            }
        }
        var v = Verdict(flags: flagAtoms.map { flagBit[$0]! }, outcomes: outs)
        // A table whose entries are all equal does not depend on its flags.
        if Set(outs).count == 1 { v = Verdict(flags: [], outcomes: [outs[0]]) }
        let vi: Int32
        if let k = verdictIndex[v] { vi = k } else {
            verdicts.append(v); vi = Int32(verdicts.count - 1); verdictIndex[v] = vi
        }
        if let n = verdictNodes[vi] { return n }
        nodes.append(DecisionNode(dimension: nil, defaultChild: -1, edgeClass: [], edgeChild: [], verdict: vi))
        verdictNodes[vi] = Int32(nodes.count - 1)
        return Int32(nodes.count - 1)
    }
}
