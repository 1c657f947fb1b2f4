// Shipped policies have to name places that differ per sandbox: the working directory,
// the user's home, the agent's own config directory. They are written as `${WORKDIR}`,
// `${HOME}` and `${AGENT}` inside string literals, entity ids and `like` patterns, which
// keeps the file plain Cedar (it validates as is), and are replaced before lowering.
// A placeholder with no value is an error: compiling the literal text would quietly
// narrow the policy.

import CedarSyntax

public enum Placeholders {
    public static func expand(_ set: PolicySet, values: [String: String], file: String) -> (PolicySet, [Diagnostic]) {
        var diags: [Diagnostic] = []
        var out = set
        func sub(_ s: String, _ range: SourceRange) -> String {
            guard s.contains("${") else { return s }
            var result = ""
            var rest = Substring(s)
            while let open = rest.range(of: "${") {
                result += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstIndex(of: "}") else { result += rest[open.lowerBound...]; rest = ""; break }
                let name = String(rest[open.upperBound..<close])
                if let v = values[name] { result += v } else {
                    diags.append(Diagnostic(.error, "no value for placeholder ${\(name)}", at: range,
                                            notes: ["known placeholders: " + values.keys.sorted().map { "${\($0)}" }.joined(separator: ", ")]))
                    result += "${\(name)}"
                }
                rest = rest[rest.index(after: close)...]
            }
            return result + rest
        }
        func uid(_ u: EntityUID, _ r: SourceRange) -> EntityUID { EntityUID(type: u.type, id: sub(u.id, r)) }
        func scope(_ c: ScopeConstraint, _ r: SourceRange) -> ScopeConstraint {
            switch c {
            case .eq(.entity(let u)): return .eq(.entity(uid(u, r)))
            case .in(.entity(let u)): return .in(.entity(uid(u, r)))
            case .isIn(let n, .entity(let u)): return .isIn(n, .entity(uid(u, r)))
            default: return c
            }
        }
        func expr(_ e: Expr) -> Expr {
            var k = e.kind
            switch e.kind {
            case .string(let s): k = .string(sub(s, e.range))
            case .entity(let u): k = .entity(uid(u, e.range))
            case .ifThenElse(let a, let b, let c): k = .ifThenElse(expr(a), expr(b), expr(c))
            case .and(let a, let b): k = .and(expr(a), expr(b))
            case .or(let a, let b): k = .or(expr(a), expr(b))
            case .unary(let o, let a): k = .unary(o, expr(a))
            case .binary(let o, let a, let b): k = .binary(o, expr(a), expr(b))
            case .getAttr(let a, let n): k = .getAttr(expr(a), n)
            case .hasAttr(let a, let n): k = .hasAttr(expr(a), n)
            case .like(let a, let p): k = .like(expr(a), pattern(p, e.range))
            case .isType(let a, let n, let i): k = .isType(expr(a), n, in: i.map(expr))
            case .set(let xs): k = .set(xs.map(expr))
            case .record(let kv): k = .record(kv.map { ($0.0, expr($0.1)) })
            case .call(let n, let xs): k = .call(n, xs.map(expr))
            default: break
            }
            return Expr(k, range: e.range)
        }
        // A placeholder inside a pattern is literal text; `*` in its value stays literal too.
        func pattern(_ p: Pattern, _ r: SourceRange) -> Pattern {
            var out: [PatternElement] = []
            var literal = ""
            func flush() { for c in sub(literal, r).unicodeScalars { out.append(.char(c)) }; literal = "" }
            for el in p.elements {
                switch el {
                case .char(let c): literal.unicodeScalars.append(c)
                case .wildcard: flush(); out.append(.wildcard)
                }
            }
            flush()
            return Pattern(out)
        }
        for i in out.policies.indices {
            var p = out.policies[i]
            p.principal = scope(p.principal, p.principalRange)
            p.resource = scope(p.resource, p.resourceRange)
            p.conditions = p.conditions.map { Condition(kind: $0.kind, body: expr($0.body), range: $0.range) }
            out.policies[i] = p
        }
        return (out, diags)
    }
}
