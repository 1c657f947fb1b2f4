// leash's parser, JSON form and formatter against Cedar's own (cedarpy), on the corpus.

import Foundation
import Testing
@testable import CedarSyntax

@Suite(.enabled(if: CedarpyOracle.available, "needs python3 with cedarpy"))
struct OracleTests {
    static var sources: [String] {
        Corpus.policies + Corpus.conditions.map { "permit(principal, action, resource) when { \($0) };" }
    }

    @Test func acceptsExactlyWhatCedarAcceptsWithTheSameJSON() throws {
        let sources = Self.sources
        let answers = try CedarpyOracle.run(sources)
        #expect(answers.count == sources.count)
        var accepted = 0
        for (src, cedar) in zip(sources, answers) {
            let ours = Result { try CedarParser.parsePolicySet(src) }
            switch ours {
            case .success(let set):
                #expect(cedar.ok, "leash accepts but Cedar rejects (\(cedar.error ?? "")): \(src)")
                if cedar.ok, let est = cedar.est {
                    accepted += 1
                    #expect(JSONCompare.same(PolicyJSON.export(set), est),
                            "JSON differs for \(src)\nleash: \(PolicyJSON.export(set))\ncedar: \(est)")
                }
            case .failure(let e):
                #expect(!cedar.ok, "leash rejects but Cedar accepts: \(src)\n\(e)")
                if let d = e as? DiagnosticError { #expect(!d.diagnostics.isEmpty) }
            }
        }
        #expect(accepted > 100)
    }

    /// Mutated and random input (kept shallow, which Cedar's recursive conversions need):
    /// the same verdict as Cedar on every one, and the same JSON for those accepted.
    @Test func fuzzedInputsGetCedarsVerdict() throws {
        var gen = FuzzInputs(seed: 99, maxDeep: 40)
        let inputs = (0..<5_000).map { _ in gen.next() }
        let answers = try CedarpyOracle.run(inputs)
        #expect(answers.count == inputs.count)
        var accepted = 0, failures = 0
        for (src, cedar) in zip(inputs, answers) where failures < 10 {
            let ours = try? CedarParser.parsePolicySet(src)
            if (ours != nil) != cedar.ok {
                failures += 1
                Issue.record("leash \(ours != nil ? "accepts" : "rejects"), Cedar \(cedar.ok ? "accepts" : "rejects: \(cedar.error ?? "")"):\n\(src)")
            } else if let ours, let est = cedar.est {
                accepted += 1
                if !JSONCompare.same(PolicyJSON.export(ours), est) {
                    failures += 1
                    Issue.record("JSON differs for:\n\(src)")
                }
            }
        }
        #expect(accepted > 200)
    }

    /// Escape sequences, valid and not, in every place a string literal can stand.
    @Test func escapesEverywhereGetCedarsVerdict() throws {
        var rng = SplitMix64(seed: 3)
        let fragments = ["\\n", "\\r", "\\t", "\\\\", "\\0", "\\'", "\\\"", "\\*", "*", "\\x2a", "\\x2A", "\\x7f",
                         "\\x80", "\\x0", "\\xg1", "\\u{2a}", "\\u{0}", "\\u{}", "\\u{_1}", "\\u{1_}", "\\u{10FFFF}",
                         "\\u{110000}", "\\u{D7FF}", "\\u{DFFF}", "\\u{1234567}", "\\u{000001}", "\\u", "\\u{", "\\u{41",
                         "\\U{41}", "\\a", "\\b", "\\f", "\\ ", "\\\t", "a", "é", "😀", "\u{0}", "\u{1}", "\t", "\u{7f}",
                         "\u{200b}", "\\x", "\\$", "\\{"]
        var inputs: [String] = []
        for _ in 0..<3_000 {
            var s = ""
            for _ in 0..<(1 + rng.below(4)) { s += rng.pick(fragments) }
            inputs.append(rng.pick([
                "permit(principal, action, resource) when { \"\(s)\" == \"x\" };",
                "permit(principal, action, resource) when { principal like \"\(s)\" };",
                "permit(principal == User::\"\(s)\", action, resource);",
                "@a(\"\(s)\") permit(principal, action, resource);",
                "permit(principal, action, resource) when { principal has \"\(s)\" };",
                "permit(principal, action, resource) when { {\"\(s)\": 1} };",
                "permit(principal, action, resource) when { context[\"\(s)\"] };",
            ]))
        }
        let answers = try CedarpyOracle.run(inputs)
        var accepted = 0
        for (src, cedar) in zip(inputs, answers) {
            let ours = try? CedarParser.parsePolicySet(src)
            #expect((ours != nil) == cedar.ok, "leash and Cedar disagree (\(cedar.error ?? "Cedar accepts")): \(src)")
            if let ours, let est = cedar.est {
                accepted += 1
                #expect(JSONCompare.same(PolicyJSON.export(ours), est), "JSON differs: \(src)")
                #expect((try? CedarParser.parsePolicySet(CedarFormatter.format(ours))) == ours, "round trip: \(src)")
            }
        }
        #expect(accepted > 300)
    }

    @Test func formattedTextMeansTheSameToCedar() throws {
        let sets = Self.sources.compactMap { try? CedarParser.parsePolicySet($0) }
        let formatted = sets.map { CedarFormatter.format($0) }
        let answers = try CedarpyOracle.run(formatted)
        for ((set, text), cedar) in zip(zip(sets, formatted), answers) {
            #expect(cedar.ok, "Cedar rejects formatted text: \(text) — \(cedar.error ?? "")")
            if let est = cedar.est {
                #expect(JSONCompare.same(PolicyJSON.export(set), est), "meaning changed: \(text)")
            }
        }
    }

    /// leash's layout is Cedar's own for these texts: Cedar's formatter leaves leash's
    /// canonical text unchanged.
    @Test func cedarsFormatterLeavesCanonicalTextUnchanged() throws {
        let texts = Self.sources.compactMap { try? CedarParser.parsePolicySet($0) }
            .filter { !($0.policies + $0.templates).isEmpty }
            .map { CedarFormatter.format($0) }
        #expect(texts.count > 100)
        let answers = try CedarpyOracle.run(texts, format: true)
        for (text, cedar) in zip(texts, answers) {
            #expect(cedar.est == text, "Cedar lays this out differently:\n\(text)\n---\n\(cedar.est ?? cedar.error ?? "")")
        }
    }

    @Test func importsCedarsJSONBackToTheSameTree() throws {
        let sources = Self.sources
        let answers = try CedarpyOracle.run(sources)
        for (src, cedar) in zip(sources, answers) {
            guard let est = cedar.est else { continue }
            let imported = try PolicyJSON.importPolicies(json: est)
            #expect(JSONCompare.same(PolicyJSON.export(imported), est), "JSON round trip differs for \(src)")
            if let parsed = try? CedarParser.parsePolicySet(src) {
                #expect(imported.policies.map(\.conditions) == parsed.policies.map(\.conditions), "\(src)")
            }
        }
    }
}
