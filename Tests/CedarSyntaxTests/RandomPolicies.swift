// Random well-formed policy trees, built directly (not from text), to test that the
// formatter prints every tree so that both leash and Cedar read it back unchanged.

@testable import CedarSyntax

struct RandomPolicies {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    let idents = ["a", "b", "x1", "_y", "principal", "permit", "when", "contains", "isEmpty", "ip", "User", "Z9"]
    let oddStrings = ["", " ", "a b", "if", "true", "has", "__cedar", "1a", "é", "😀", "\n", "\t\"\\'", "\0", "\u{7f}",
                      "\u{200b}", "\u{1}", "*", "\\*", "a*b", "::", "\u{feff}", "\r\n", "🇫🇷"]
    let typeNames = [Name(basename: "User"), Name(basename: "File"), Name(path: ["A"], basename: "B"),
                     Name(path: ["A", "B"], basename: "C"), Name(basename: "principal"), Name(basename: "when")]
    let actions = [EntityUID("Action", "read"), EntityUID("Action", ""), EntityUID("NS::Action", "w r"),
                   EntityUID("Action", "\"q\"")]

    mutating func string() -> String {
        rng.chance(50) ? rng.pick(idents) : rng.pick(oddStrings) + (rng.chance(30) ? rng.pick(oddStrings) : "")
    }

    mutating func uid() -> EntityUID { EntityUID(type: rng.pick(typeNames), id: string()) }

    mutating func long() -> Int64 {
        switch rng.below(6) {
        case 0: return Int64.min
        case 1: return Int64.max
        case 2: return -Int64(rng.below(10))
        default: return Int64(rng.below(1000))
        }
    }

    mutating func leaf() -> Expr {
        switch rng.below(6) {
        case 0: return Expr(.bool(rng.chance(50)))
        case 1: return Expr(.long(long()))
        case 2: return Expr(.string(string()))
        case 3: return Expr(.entity(uid()))
        default: return Expr(.variable(rng.pick(Variable.allCases)))
        }
    }

    mutating func expr(_ depth: Int) -> Expr {
        if depth <= 0 || rng.chance(15) { return leaf() }
        let d = depth - 1
        switch rng.below(19) {
        case 0: return Expr(.ifThenElse(expr(d), expr(d), expr(d)))
        case 1: return Expr(.and(expr(d), expr(d)))
        case 2: return Expr(.or(expr(d), expr(d)))
        case 3: return Expr(.unary(rng.pick([.not, .neg, .isEmpty]), expr(d)))
        case 4, 5:
            let ops: [BinaryOp] = [.eq, .neq, .lt, .le, .gt, .ge, .in, .add, .sub, .mul, .contains, .containsAll,
                                   .containsAny, .getTag, .hasTag]
            return Expr(.binary(rng.pick(ops), expr(d), expr(d)))
        case 6: return Expr(.getAttr(expr(d), string()))
        case 7: return Expr(.hasAttr(expr(d), string()))
        case 8:
            var els: [PatternElement] = []
            for _ in 0..<rng.below(5) {
                els.append(rng.chance(30) ? .wildcard : .char(rng.pick(Array("a*\\\"\n😀".unicodeScalars))))
            }
            return Expr(.like(expr(d), Pattern(els)))
        case 9: return Expr(.isType(expr(d), rng.pick(typeNames), in: rng.chance(50) ? expr(d) : nil))
        case 10: return Expr(.set((0..<rng.below(4)).map { _ in expr(d) }))
        case 11:
            var seen = Set<String>()
            var fields: [(String, Expr)] = []
            for _ in 0..<rng.below(4) {
                let k = string()
                if seen.insert(k).inserted { fields.append((k, expr(d))) }
            }
            return Expr(.record(fields))
        case 12:
            let f = rng.pick(Array(cedarExtensionFunctions))
            return Expr(.call(f, (0..<rng.below(3)).map { _ in expr(d) }))
        case 13:
            let m = rng.pick(Array(cedarExtensionMethods).sorted())
            return Expr(.call(m, (0..<(1 + rng.below(3))).map { _ in expr(d) }))
        case 14:
            // A run of one operator, longer than Cedar's four-in-a-row.
            var e = expr(d)
            let op: UnaryOp = rng.chance(50) ? .not : .neg
            for _ in 0..<(1 + rng.below(7)) { e = Expr(.unary(op, e)) }
            return e
        case 15:
            // The shape `x has a.b.c` is read as.
            let x = expr(d)
            var target = x
            var result = Expr(.hasAttr(x, rng.pick(idents)))
            guard case .hasAttr(_, let first) = result.kind else { return result }
            var last = first
            for _ in 0..<(1 + rng.below(3)) {
                target = Expr(.getAttr(target, last))
                last = rng.pick(idents)
                result = Expr(.and(result, Expr(.hasAttr(target, last))))
            }
            return result
        case 16: return Expr(.unary(.neg, Expr(.long(long()))))
        default: return leaf()
        }
    }

    mutating func entityOrSlot(_ slot: SlotID, allowSlot: Bool) -> EntityOrSlot {
        allowSlot && rng.chance(40) ? .slot(slot) : .entity(uid())
    }

    mutating func scope(_ slot: SlotID) -> ScopeConstraint {
        switch rng.below(5) {
        case 0: return .any
        case 1: return .eq(entityOrSlot(slot, allowSlot: true))
        case 2: return .in(entityOrSlot(slot, allowSlot: true))
        case 3: return .is(rng.pick(typeNames))
        default: return .isIn(rng.pick(typeNames), entityOrSlot(slot, allowSlot: true))
        }
    }

    mutating func policy(id: String) -> Policy {
        var p = Policy(id: id, effect: rng.chance(50) ? .permit : .forbid)
        var keys = Set<String>()
        for _ in 0..<rng.below(3) {
            let k = rng.pick(idents)
            if keys.insert(k).inserted { p.annotations.append(Annotation(key: k, value: rng.chance(30) ? nil : string())) }
        }
        p.principal = scope(.principal)
        p.resource = scope(.resource)
        switch rng.below(4) {
        case 0: p.action = .any
        case 1: p.action = .eq(rng.pick(actions))
        case 2: p.action = .in(rng.pick(actions))
        default: p.action = .inSet((0..<(2 + rng.below(2))).map { _ in rng.pick(actions) })
        }
        for _ in 0..<rng.below(3) {
            p.conditions.append(Condition(kind: rng.chance(50) ? .when : .unless, body: expr(1 + rng.below(5))))
        }
        return p
    }

    /// A set numbered `policy0…` in order, the way the parser numbers a file.
    mutating func policySet(count: Int) -> PolicySet {
        var set = PolicySet()
        for n in 0..<count {
            let p = policy(id: "policy\(n)")
            if p.isTemplate { set.templates.append(p) } else { set.policies.append(p) }
        }
        return set
    }
}
