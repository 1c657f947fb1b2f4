// Address and port classes. Ranges that contain an address form a chain, so the longest
// range containing it decides which range atoms are true: that is exactly what a BPF
// LPM trie returns. Ports split into intervals at every bound a rule names.
//
// Kernel tables:
//   ip4_lpm / ip6_lpm  BPF_MAP_TYPE_LPM_TRIE {u32 prefixlen, u8 addr[4|16]} -> u32 class
//                      (a miss means the family's default class)
//   port_starts        array of u16 interval starts, ascending; binary search (<= 17 steps)

enum IPClasses {
    static func build(_ store: FormulaStore) -> (IPTable, DimensionValues) {
        var ranges: [(atom: Int, net: IPNet)] = []
        var v6Atom: Int? = nil
        var all = Set<Int>()
        for (i, a) in store.atoms.enumerated() {
            switch a {
            case .ipIn(let n): ranges.append((i, n.network)); all.insert(i)
            case .ipFamilyV6: v6Atom = i; all.insert(i)
            default: break
            }
        }
        var entries: [IPNet] = []
        for r in ranges where !entries.contains(r.net) { entries.append(r.net) }
        func trueAtoms(_ net: IPNet?, v6: Bool) -> Set<Int> {
            var s = Set<Int>()
            if v6, let a = v6Atom { s.insert(a) }
            if let net { for r in ranges where net.isIn(r.net) { s.insert(r.atom) } }
            return s
        }
        var classes: [Set<Int>] = [trueAtoms(nil, v6: false), trueAtoms(nil, v6: true)]
        var entryClass: [Int32] = []
        for e in entries {
            classes.append(trueAtoms(e, v6: e.isV6))
            entryClass.append(Int32(classes.count - 1))
        }
        let table = IPTable(v4Default: 0, v6Default: 1, entries: entries, entryClass: entryClass, classCount: classes.count)
        return (table, DimensionValues(dimension: Dimension(kind: .ip), atoms: all, trueAtoms: classes))
    }

    static func classOf(_ ip: IPNet, _ t: IPTable) -> Int {
        var best = -1, bestLen = -1
        for (i, e) in t.entries.enumerated() where ip.isIn(e) && e.prefix > bestLen { best = i; bestLen = e.prefix }
        if best >= 0 { return Int(t.entryClass[best]) }
        return Int(ip.isV6 ? t.v6Default : t.v4Default)
    }
}

enum PortClasses {
    static func build(_ store: FormulaStore) -> (PortTable, DimensionValues) {
        var cuts = Set<Int>([0])
        var atoms: [(Int, Int, Int)] = []
        for (i, a) in store.atoms.enumerated() {
            if case .port(let lo, let hi) = a {
                atoms.append((i, lo, hi)); cuts.insert(lo)
                if hi < 65535 { cuts.insert(hi + 1) }
            }
        }
        var classes: [Set<Int>] = []
        var index: [Set<Int>: Int32] = [:]
        var starts: [Int32] = [], classOf: [Int32] = []
        for c in cuts.sorted() {
            let s = Set(atoms.filter { $0.1 <= c && c <= $0.2 }.map(\.0))
            let k: Int32
            if let x = index[s] { k = x } else { classes.append(s); k = Int32(classes.count - 1); index[s] = k }
            if classOf.last == k { continue }
            starts.append(Int32(c)); classOf.append(k)
        }
        return (PortTable(starts: starts, classOf: classOf),
                DimensionValues(dimension: Dimension(kind: .port), atoms: Set(atoms.map(\.0)), trueAtoms: classes))
    }

    static func classOf(_ port: Int, _ t: PortTable) -> Int {
        var lo = 0, hi = t.starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(t.starts[mid]) <= port { lo = mid } else { hi = mid - 1 }
        }
        return Int(t.classOf[lo])
    }
}
