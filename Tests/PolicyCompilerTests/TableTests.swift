// The pieces the kernel will walk: automata against Cedar's `like`, the bundle format,
// and independence of decision cost from the number of rules.

import Cedar
import PolicyCompiler
import Testing

@Suite struct TableTests {
    @Test func bundleRoundTripsAndRefusesDamage() throws {
        guard let d = Decider("permit (principal, action in Action::\"FileOpen\", resource) when { resource.path like \"/etc/*\" };") else { return }
        let bytes = try PolicyBundle.encode(d.compiled)
        #expect(Array(bytes[0..<8]) == Array("LEASHPOL".utf8))
        let back = try PolicyBundle.decode(bytes)
        let sim = Simulator(back)
        #expect(try sim.decide(RequestText.parse("FileOpenReadOnly /etc/hosts")).allow)
        #expect(try !sim.decide(RequestText.parse("FileOpenReadOnly /usr/x")).allow)
        var flipped = bytes
        flipped[bytes.count - 5] ^= 0x01
        #expect(throws: BundleError.badChecksum) { try PolicyBundle.decode(flipped) }
        var version = bytes
        version[8] = 99
        #expect(throws: BundleError.unsupportedVersion(99)) { try PolicyBundle.decode(version) }
        #expect(throws: BundleError.badMagic) { try PolicyBundle.decode(Array("NOTLEASH".utf8) + bytes[8...]) }
        #expect(throws: BundleError.lengthMismatch) { try PolicyBundle.decode(Array(bytes.dropLast())) }
    }

    @Test func likePatternsAgreeWithCedarLike() throws {
        // The automata decide `like` for many patterns at once; compare each against Cedar's
        // own `like` on strings built from the same alphabet.
        var rng = SplitMix64(seed: 99)
        let alphabet: [Character] = ["/", "a", "b", ".", "é", "*"]
        func word(_ n: Int) -> String { String((0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }) }
        var patterns: [String] = []
        for _ in 0..<40 { patterns.append(word(Int.random(in: 0...5, using: &rng))) }
        let policy = patterns.enumerated().map { i, p in
            "@id(\"p\(i)\") permit (principal, action == Action::\"FileOpenReadOnly\", resource) when { resource.path like \"\(p)\" && context.f\(i) };"
        }.joined(separator: "\n")
        guard let d = Decider(policy) else { return }
        for _ in 0..<300 {
            let s = "/" + word(Int.random(in: 0...8, using: &rng)).replacingOccurrences(of: "*", with: "x")
            let i = Int.random(in: 0..<patterns.count, using: &rng)
            // With only flag i on, the decision is exactly "s matches pattern i".
            let allowed = d.allows("FileOpenReadOnly \(s)", flags: ["f\(i)"])
            let expr = try CedarParser.parseExpression("\"\(s)\" like \"\(patterns[i])\"")
            guard case .like(_, let pat) = expr.kind else { Issue.record("not a like"); continue }
            let glob = GlobPattern(pat.elements.map { if case .char(let c) = $0 { return c } else { return nil } })
            #expect(allowed == glob.matches(s), "\(s) like \(patterns[i])")
        }
    }

    @Test func decisionPathDoesNotGrowWithExactAndPrefixRules() {
        func depth(_ n: Int) -> Int? {
            var text = ""
            for i in 0..<n {
                text += "permit (principal, action == Action::\"FileOpenReadOnly\", resource) when { resource in Dir::\"/data/p\(i)/\" };\n"
                text += "forbid (principal, action == Action::\"FileOpenReadOnly\", resource) when { resource == File::\"/data/p\(i)/secret\" };\n"
                text += "permit (principal, action == Action::\"NetworkConnect\", resource) when { resource in Host::\"*.h\(i).example\" && resource.port == \(1000 + i) };\n"
            }
            return compileOrRecord(text)?.0.maxDepth
        }
        let small = depth(10), large = depth(400)
        #expect(small != nil && small == large, "longest diagram path: \(String(describing: small)) vs \(String(describing: large))")
    }
}
