import PolicyCompiler
import Sandbox
import Testing

@Suite struct LoweredConditionTests {
    @Test func readsTheCompilersTextBack() throws {
        let c = try LoweredCondition.parse(#"((path like "/tmp/*" && !(path like "/tmp/")) || path like "/a\*b" || context.approved_x)"#)
        #expect(c == .or([.and([.path(GlobPattern([ "/", "t", "m", "p", "/", nil])), .not(.path(GlobPattern(literal: "/tmp/")))]),
                          .path(GlobPattern(literal: "/a*b")), .flag("approved_x")]))
    }

    @Test func keepsNonPathAtomsWhole() throws {
        let c = try LoweredCondition.parse(#"(port == 443 && ip in 127.0.0.0/8)"#)
        #expect(c == .and([.other("port == 443"), .other("ip in 127.0.0.0/8")]))
    }

    @Test func rejectsTextItCannotRead() {
        #expect(throws: LoweredConditionSyntaxError.self) { try LoweredCondition.parse(#"(path like "/x" &&"#) }
        #expect(throws: LoweredConditionSyntaxError.self) { try LoweredCondition.parse(#"(a && b || c)"#) }
    }

    /// Every rule of the shipped default policy reads back, and for sample paths the
    /// read-back conditions decide as the compiler's simulator does (flags off).
    @Test func agreesWithTheSimulatorOnTheDefaultPolicy() throws {
        let compiled = try compile(DefaultPolicy.source.replacingOccurrences(of: "${WORKDIR}", with: "/w")
            .replacingOccurrences(of: "${HOME}", with: "/home/u"))
        let sim = Simulator(compiled)
        let paths = ["/home/u/.ssh/id_rsa", "/w/a.txt", "/etc/passwd", "/tmp/x", "/home/u/.npmrc", "/dev/null",
                     "/home/u/.agent.json", "/home/u/.agent.json.tmp1", "/x/.aws/credentials", "/w/.git-credentials", "/usr/bin/ls"]
        for action in ["FileOpenReadOnly", "FileOpenReadWrite", "FileCreate", "ProcessExec"] {
            var permits: [LoweredCondition] = [], forbids: [LoweredCondition] = []
            for r in compiled.rules {
                guard let text = r.lowered[action] else { continue }
                let c = try LoweredCondition.parse(text)
                if r.effect == "forbid" { forbids.append(c) } else { permits.append(c) }
            }
            let allowed = LoweredCondition.and([.or(permits), .not(.or(forbids))])
            for p in paths {
                let d = try sim.decide(OperationRequest(action: action, resource: .file(path: p)))
                #expect(allowed.holds(forPath: p) == d.allow, "\(action) \(p)")
            }
        }
    }
}
