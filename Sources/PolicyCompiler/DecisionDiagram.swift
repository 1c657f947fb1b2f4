// Builds the reduced decision diagram from the lowered rules. A node is identified by
// its residual: the (rule, formula) pairs that can still change the decision, forbids
// first, each group in rule order. Branching on a dimension substitutes the truth of its
// atoms for each of its values; equal residuals become the same node.
//
// The dimension to branch on is chosen from the residual (the first undecided rule's
// cheapest atom), so a policy of "forbid X unless flag" rules becomes a chain
// X? flag? Y? flag? … instead of a table over every combination.

struct DimensionValues {
    var dimension: Dimension
    /// Atoms this dimension decides.
    var atoms: Set<Int>
    /// For each value, the atoms (of this dimension) that are true.
    var trueAtoms: [Set<Int>]
    /// atom → values where it is true.
    var valuesWithAtom: [Int: [Int]]

    init(dimension: Dimension, atoms: Set<Int>, trueAtoms: [Set<Int>]) {
        self.dimension = dimension; self.atoms = atoms; self.trueAtoms = trueAtoms
        var idx: [Int: [Int]] = [:]
        for (c, s) in trueAtoms.enumerated() { for a in s { idx[a, default: []].append(c) } }
        valuesWithAtom = idx
    }

    var rank: Int {
        switch dimension.kind {
        case .automatonClass, .ip, .port, .proto: return 0
        case .automatonBit: return 1
        case .flag: return 2
        }
    }
}

final class DiagramBuilder {
    typealias Residual = [Int]  // flattened (rule, formula) pairs
    let store: FormulaStore
    let isPermit: [Bool]
    let dims: [DimensionValues]
    let dimOfAtom: [Int: Int]
    var nodes: [DecisionNode] = []
    var outcomes: [Outcome] = []
    var outcomeIndex: [Outcome: Int32] = [:]
    var leafOf: [Int32: Int32] = [:]
    var memo: [Residual: Int32] = [:]

    init(store: FormulaStore, isPermit: [Bool], dims: [DimensionValues]) {
        self.store = store; self.isPermit = isPermit; self.dims = dims
        var m: [Int: Int] = [:]
        for (i, d) in dims.enumerated() { for a in d.atoms { m[a] = i } }
        dimOfAtom = m
    }

    /// Forbids first, then permits, each in rule order.
    func root(_ formulas: [FormulaID]) -> Residual {
        var r: Residual = []
        for pass in [false, true] {
            for (i, f) in formulas.enumerated() where isPermit[i] == pass { r += [i, f] }
        }
        return canonical(r)
    }

    /// Drops rules that can no longer change the decision or its reported rule.
    func canonical(_ r: Residual) -> Residual {
        var out: Residual = []
        var i = 0
        while i < r.count {
            let (rule, f) = (r[i], r[i + 1])
            i += 2
            if f == FormulaStore.falseID { continue }
            out += [rule, f]
            // A certain forbid decides (earlier undecided forbids may still take its place
            // as the reported rule); a certain permit decides unless an earlier forbid fires.
            if f == FormulaStore.trueID { break }
        }
        return out
    }

    func substitute(_ r: Residual, _ value: (Int) -> Bool?) -> Residual {
        var out: Residual = []
        var memo: [FormulaID: FormulaID] = [:]
        var i = 0
        while i < r.count {
            out.append(r[i]); out.append(store.substitute(r[i + 1], memo: &memo, value))
            i += 2
        }
        return canonical(out)
    }

    func leaf(_ o: Outcome) -> Int32 {
        let oi: Int32
        if let k = outcomeIndex[o] { oi = k } else {
            outcomes.append(o); oi = Int32(outcomes.count - 1); outcomeIndex[o] = oi
        }
        if let n = leafOf[oi] { return n }
        nodes.append(DecisionNode(dimension: nil, defaultChild: -1, edgeValue: [], edgeChild: [], outcome: oi))
        leafOf[oi] = Int32(nodes.count - 1)
        return Int32(nodes.count - 1)
    }

    func build(_ residual: Residual) -> Int32 {
        if let n = memo[residual] { return n }
        let id: Int32
        if residual.isEmpty {
            id = leaf(Outcome(allow: false, rule: nil))
        } else if residual.count == 2 && residual[1] == FormulaStore.trueID {
            id = leaf(Outcome(allow: isPermit[residual[0]], rule: Int32(residual[0])))
        } else {
            // The first rule still undecided picks the dimension.
            var i = 0
            while residual[i + 1] == FormulaStore.trueID { i += 2 }
            var atoms = Set<Int>()
            store.atomsOf(residual[i + 1], into: &atoms)
            let pick = atoms.min { a, b in
                let (da, db) = (dims[dimOfAtom[a]!], dims[dimOfAtom[b]!])
                return (da.rank, a) < (db.rank, b)
            }!
            let d = dims[dimOfAtom[pick]!]
            // Per pair: its formula with every atom of d false, and the atoms of d it uses.
            // A value of d only changes the pairs that use one of its true atoms, so each
            // child is built from the pairs that survive "all false" plus the touched ones.
            let n = residual.count / 2
            var base = [FormulaID](repeating: 0, count: n)
            var pairsOfAtom: [Int: [Int]] = [:]
            var memoFalse: [FormulaID: FormulaID] = [:]
            for k in 0..<n {
                var atoms = Set<Int>()
                store.atomsOf(residual[2 * k + 1], into: &atoms)
                let mine = atoms.intersection(d.atoms)
                for a in mine { pairsOfAtom[a, default: []].append(k) }
                base[k] = mine.isEmpty ? residual[2 * k + 1]
                    : store.substitute(residual[2 * k + 1], memo: &memoFalse) { d.atoms.contains($0) ? false : nil }
            }
            let survivors = (0..<n).filter { base[$0] != FormulaStore.falseID }
            func child(_ overrides: [Int: FormulaID]) -> Residual {
                var out: Residual = []
                var ks = Set(survivors)
                ks.formUnion(overrides.keys)
                for k in ks.sorted() {
                    let f = overrides[k] ?? base[k]
                    if f == FormulaStore.falseID { continue }
                    out += [residual[2 * k], f]
                    if f == FormulaStore.trueID { break }
                }
                return out
            }
            let dflt = build(child([:]))
            var candidates = Set<Int>()
            for a in pairsOfAtom.keys { candidates.formUnion(d.valuesWithAtom[a] ?? []) }
            var edges: [(Int32, Int32)] = []
            for c in candidates.sorted() {
                let t = d.trueAtoms[c]
                var touched = Set<Int>()
                for a in t { if let ks = pairsOfAtom[a] { touched.formUnion(ks) } }
                var overrides: [Int: FormulaID] = [:]
                var memo: [FormulaID: FormulaID] = [:]
                for k in touched {
                    overrides[k] = store.substitute(residual[2 * k + 1], memo: &memo) { d.atoms.contains($0) ? t.contains($0) : nil }
                }
                let c2 = build(child(overrides))
                if c2 != dflt { edges.append((Int32(c), c2)) }
            }
            if edges.isEmpty {
                id = dflt
            } else {
                nodes.append(DecisionNode(dimension: d.dimension, defaultChild: dflt, edgeValue: edges.map(\.0),
                                          edgeChild: edges.map(\.1), outcome: -1))
                id = Int32(nodes.count - 1)
            }
        }
        memo[residual] = id
        return id
    }

    /// Longest root-to-leaf path.
    func maxDepth() -> Int {
        var depth = [Int](repeating: -1, count: nodes.count)
        func d(_ n: Int) -> Int {
            if depth[n] >= 0 { return depth[n] }
            let node = nodes[n]
            var best = 0
            if node.dimension != nil {
                best = 1 + ([node.defaultChild] + node.edgeChild).map { d(Int($0)) }.max()!
            }
            depth[n] = best
            return best
        }
        return nodes.indices.map(d).max() ?? 0
    }
}
