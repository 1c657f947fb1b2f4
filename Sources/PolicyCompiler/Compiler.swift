// The compiler's entry point: partial evaluation of every rule for every action, then
// the tables. Rejections are collected per rule so one run reports every problem.

import CedarSyntax

public struct CompileOptions: Sendable {
    /// The agent the sandbox runs (`principal == Agent::"claude"`).
    public var agent: String
    /// Most flags one decision may depend on (its truth table has 2^n entries).
    public var maxFlagsPerDecision: Int
    public var maxAutomatonStates: Int
    public init(agent: String = "agent", maxFlagsPerDecision: Int = 12, maxAutomatonStates: Int = 4_000_000) {
        self.agent = agent; self.maxFlagsPerDecision = maxFlagsPerDecision; self.maxAutomatonStates = maxAutomatonStates
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
        let policies = policySet.policies
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
        var dims: [Dimension: DimensionClasses] = [:]
        for sd in StringDim.allCases {
            var pats: [(atom: Int, pattern: GlobPattern)] = []
            for (i, a) in store.atoms.enumerated() { if case .string(let d, let p) = a, d == sd { pats.append((i, p)) } }
            do {
                let a = try AutomatonBuilder.build(dim: sd, patterns: pats, maxStates: options.maxAutomatonStates)
                automata.append(a)
                let trueAtoms = a.classes.map { Set($0.map { a.patternAtoms[Int($0)] }) }
                dims[Dimension(sd)] = DimensionClasses(dimension: Dimension(sd), atoms: Set(pats.map(\.atom)), trueAtoms: trueAtoms)
            } catch {
                let culprits = pats.filter { $0.pattern.elements.dropFirst().dropLast().contains(where: { $0 == nil }) }
                report(Diagnostic(.error, "the \(sd.rawValue) patterns need more than \(error.states) automaton states; patterns with inner wildcards: \(culprits.prefix(5).map { $0.pattern.description }.joined(separator: ", "))",
                                  at: SourceRange(file: file, start: .unknown, end: .unknown),
                                  notes: ["help: split or anchor the patterns with inner `*` so they can be matched in bounded kernel memory"]))
                return CompileResult(policy: nil, diagnostics: sorted(diags))
            }
        }
        let (ipTable, ipDim) = IPClasses.build(store)
        dims[.ip] = ipDim
        let (portTable, portDim) = PortClasses.build(store)
        dims[.port] = portDim
        var protoAtoms: [Set<Int>] = []
        var protoAll = Set<Int>()
        for pr in Vocabulary.protocols {
            var s = Set<Int>()
            for (i, a) in store.atoms.enumerated() { if case .proto(let x) = a { protoAll.insert(i); if x == pr { s.insert(i) } } }
            protoAtoms.append(s)
        }
        dims[.proto] = DimensionClasses(dimension: .proto, atoms: protoAll, trueAtoms: protoAtoms)

        // Diagram.
        let effects = policies.map { $0.effect == .permit }
        let builder = DiagramBuilder(store: store, effects: effects, flagBit: flagBit, maxFlags: options.maxFlagsPerDecision)
        var roots: [Int32] = []
        for (ai, action) in Vocabulary.actions.enumerated() {
            var residual: [Int] = []
            for (ri, f) in lowered[ai].enumerated() where f != FormulaStore.falseID { residual += [ri, f] }
            let order: [Dimension]
            switch action.kind {
            case .file: order = [.path]
            case .host: order = [.host, .ip, .port, .proto]
            case .mcp: order = [.mcpServer, .mcpTool]
            }
            do {
                roots.append(try builder.build(residual, dims: order.map { dims[$0]! }, level: 0))
            } catch {
                let r = error.rules.first.map { policies[$0].range } ?? SourceRange(file: file, start: .unknown, end: .unknown)
                report(Diagnostic(.error, "one \(action.name) decision depends on \(error.flags.count) context flags (\(error.flags.joined(separator: ", "))); at most \(options.maxFlagsPerDecision) are supported",
                                  at: r, notes: ["rules involved: " + error.rules.map { policies[$0].id }.joined(separator: ", ")]))
                return CompileResult(policy: nil, diagnostics: sorted(diags))
            }
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
                                      protocols: Vocabulary.protocols, nodes: builder.nodes, verdicts: builder.verdicts,
                                      outcomes: builder.outcomes, sourceFile: file)
        return CompileResult(policy: compiled, diagnostics: sorted(diags))
    }

    static func sorted(_ ds: [Diagnostic]) -> [Diagnostic] {
        ds.enumerated().sorted { a, b in
            let x = a.element.range.start, y = b.element.range.start
            return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
        }.map(\.element)
    }
}
