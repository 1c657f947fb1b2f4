// The compiler's entry point: partial evaluation of every rule for every action, then
// the tables. Rejections are collected per rule so one run reports every problem.

import CedarSyntax

public struct CompileOptions: Sendable {
    /// The agent the sandbox runs (`principal == Agent::"claude"`).
    public var agent: String
    public var maxAutomatonStates: Int
    /// Values for `${NAME}` placeholders (WORKDIR, HOME, …); `${AGENT}` is the agent.
    public var placeholders: [String: String]
    public init(agent: String = "agent", placeholders: [String: String] = [:], maxAutomatonStates: Int = 2_000_000) {
        self.agent = agent; self.placeholders = placeholders
        self.maxAutomatonStates = maxAutomatonStates
    }
}

public struct CompileResult: Sendable {
    public var policy: CompiledPolicy?
    /// Errors, warnings and notes, in source order.
    public var diagnostics: [Diagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

public enum PolicyCompiler {
    /// Lowers a parsed policy set. `source` is only used for locations already in the AST.
    public static func compile(_ policySet: PolicySet, file: String, options: CompileOptions = CompileOptions()) -> CompileResult {
        var diags: [Diagnostic] = []
        var seen = Set<String>()
        func report(_ d: Diagnostic) {
            let key = "\(d.range.file):\(d.range.start.line):\(d.range.start.column):\(d.message)"
            if seen.insert(key).inserted { diags.append(d) }
        }
        for t in policySet.templates {
            report(Diagnostic(.error, "templates (policies with ?resource or ?principal slots) are not supported by the compiler", at: t.range))
        }
        var values = options.placeholders
        values["AGENT"] = values["AGENT"] ?? options.agent
        let (expanded, placeholderDiags) = Placeholders.expand(policySet, values: values, file: file)
        for d in placeholderDiags { report(d) }
        let policies = expanded.policies
        for p in policies { for d in HeadChecks.check(p) { report(d) } }

        let store = FormulaStore()
        let principal = EntityUID(type: Name(basename: Vocabulary.principalType), id: options.agent)
        var lowered: [[FormulaID]] = Array(repeating: [], count: Vocabulary.actions.count)
        var rejected = Set<Int>()
        for (ai, action) in Vocabulary.actions.enumerated() {
            let pe = PartialEvaluator(store: store, kind: action.kind, action: action.name, principal: principal)
            for (ri, p) in policies.enumerated() {
                if rejected.contains(ri) { lowered[ai].append(FormulaStore.falseID); continue }
                do {
                    lowered[ai].append(try pe.satisfied(p))
                } catch {
                    rejected.insert(ri)
                    report(error.diagnostic)
                    lowered[ai].append(FormulaStore.falseID)
                }
            }
        }
        if diags.contains(where: { $0.severity == .error }) { return CompileResult(policy: nil, diagnostics: sorted(diags)) }

        // Flags, numbered by name so the bit of a flag does not depend on rule order.
        var flagNames: [String] = []
        for a in store.atoms { if case .flag(let f) = a { flagNames.append(f) } }
        flagNames.sort()
        var flagBit: [Int: Int32] = [:]
        for (i, a) in store.atoms.enumerated() { if case .flag(let f) = a { flagBit[i] = Int32(flagNames.firstIndex(of: f)!) } }
        if flagNames.count > 64 {
            report(Diagnostic(.error, "the policy uses \(flagNames.count) context flags; a sandbox has 64", at: SourceRange(file: file, start: .unknown, end: .unknown)))
            return CompileResult(policy: nil, diagnostics: sorted(diags))
        }

        // Dimensions.
        var automata: [StringAutomaton] = []
        var dims: [DimensionValues] = []
        for sd in StringDim.allCases {
            var pats: [(atom: Int, pattern: GlobPattern)] = []
            for (i, a) in store.atoms.enumerated() { if case .string(let d, let p) = a, d == sd { pats.append((i, p)) } }
            do {
                var built: [StringAutomaton] = []
                for group in AutomatonPlan.plan(pats) {
                    built.append(try AutomatonBuilder.build(dim: sd, patterns: group.classic, emitters: group.emitters,
                                                            reversed: group.reversed, maxStates: options.maxAutomatonStates))
                }
                for a in built {
                    let index = automata.count
                    automata.append(a)
                    if !a.patternAtoms.isEmpty {
                        dims.append(DimensionValues(dimension: Dimension(kind: .automatonClass, index: index),
                                                    atoms: Set(a.patternAtoms),
                                                    trueAtoms: a.classes.map { Set($0.map { a.patternAtoms[Int($0)] }) }))
                    }
                    for (b, atom) in a.emitAtoms.enumerated() {
                        dims.append(DimensionValues(dimension: Dimension(kind: .automatonBit, index: index, bit: b),
                                                    atoms: [atom], trueAtoms: [[], [atom]]))
                    }
                }
            } catch {
                report(Diagnostic(.error, "the \(sd.rawValue) patterns need more than \(error.states) automaton states",
                                  at: SourceRange(file: file, start: .unknown, end: .unknown),
                                  notes: ["help: patterns with several inner `*` are matched by one automaton each; anchor or split them"]))
                return CompileResult(policy: nil, diagnostics: sorted(diags))
            }
        }
        let (ipTable, ipDim) = IPClasses.build(store)
        let (portTable, portDim) = PortClasses.build(store)
        dims += [ipDim, portDim]
        var protoAtoms: [Set<Int>] = []
        var protoAll = Set<Int>()
        for pr in Vocabulary.protocols {
            var s = Set<Int>()
            for (i, a) in store.atoms.enumerated() { if case .proto(let x) = a { protoAll.insert(i); if x == pr { s.insert(i) } } }
            protoAtoms.append(s)
        }
        dims.append(DimensionValues(dimension: Dimension(kind: .proto), atoms: protoAll, trueAtoms: protoAtoms))
        for (atom, bit) in flagBit {
            dims.append(DimensionValues(dimension: Dimension(kind: .flag, index: Int(bit)), atoms: [atom], trueAtoms: [[], [atom]]))
        }

        // Diagram.
        let builder = DiagramBuilder(store: store, isPermit: policies.map { $0.effect == .permit }, dims: dims)
        var roots: [Int32] = []
        for ai in Vocabulary.actions.indices {
            roots.append(builder.build(builder.root(lowered[ai])))
        }

        var rules: [RuleInfo] = []
        for (ri, p) in policies.enumerated() {
            var l: [String: String] = [:]
            for (ai, action) in Vocabulary.actions.enumerated() where lowered[ai][ri] != FormulaStore.falseID {
                l[action.name] = store.render(lowered[ai][ri])
            }
            rules.append(RuleInfo(index: ri, policyID: p.annotation("id") ?? p.id, effect: p.effect.rawValue,
                                  file: p.range.file.isEmpty ? file : p.range.file,
                                  line: p.range.start.line, column: p.range.start.column, lowered: l))
            if l.isEmpty {
                report(Diagnostic(.warning, "this rule applies to no request for agent \"\(options.agent)\"", at: p.range))
            }
        }
        let compiled = CompiledPolicy(agent: options.agent, flags: flagNames, actions: Vocabulary.actions.map(\.name),
                                      roots: roots, rules: rules, automata: automata, ipTable: ipTable, portTable: portTable,
                                      protocols: Vocabulary.protocols, nodes: builder.nodes, outcomes: builder.outcomes,
                                      maxDepth: builder.maxDepth(), sourceFile: file)
        return CompileResult(policy: compiled, diagnostics: sorted(diags))
    }

    static func sorted(_ ds: [Diagnostic]) -> [Diagnostic] {
        ds.enumerated().sorted { a, b in
            let x = a.element.range.start, y = b.element.range.start
            return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
        }.map(\.element)
    }
}
