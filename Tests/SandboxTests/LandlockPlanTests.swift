import CLeashShim
import Foundation
import PolicyCompiler
@testable import Sandbox
import Testing

let read = UInt64(LEASH_LL_FS_READ_FILE)
let readDir = UInt64(LEASH_LL_FS_READ_DIR)
let write = UInt64(LEASH_LL_FS_WRITE_FILE)
let makeReg = UInt64(LEASH_LL_FS_MAKE_REG)

@Suite struct LandlockPlanTests {
    /// Landlock checks a hard link as a creation and a same-directory rename as a creation
    /// plus a removal: denying FileLink or FileRename where those are allowed is a gap.
    @Test func linkAndRenameDeniedWhereCreateIsAllowedAreGaps() throws {
        let p = try plan("""
            @id("write-w") permit (principal, action in Action::"FileWrite", resource) when { resource in Dir::"/w/" }
                unless { action in [Action::"FileChmod", Action::"FileChown", Action::"FileSetxattr", Action::"FileLink", Action::"FileRename"] };
            \(allowUnrestrictable)
            """, tree: tree)
        #expect(Set(p.gaps.map(\.action)) == ["FileLink", "FileRename"])
        #expect(p.needsConsent)
        let same = try plan("""
            @id("write-w") permit (principal, action in Action::"FileWrite", resource) when { resource in Dir::"/w/" };
            @id("no-secret") forbid (principal, action in Action::"FileWrite", resource) when { resource in Dir::"/w/secret/" };
            \(allowUnrestrictable)
            """, tree: tree)
        // (chmod, chown and setxattr are gaps of their own: Landlock has no right for them.)
        #expect(Set(same.gaps.map(\.action)).isDisjoint(with: ["FileLink", "FileRename"]), "\(same.gaps)")
    }

    let tree = FakeTree(["/home/u/docs/a.txt", "/home/u/notes.txt", "/home/u/.ssh/id_rsa", "/home/u/proj/.ssh/key",
                         "/etc/passwd", "/usr/bin/ls", "/w/src/main.c", "/w/.env"])

    @Test func aSubtreeRuleIsExactAndOneGrant() throws {
        let p = try plan("""
            @id("read-etc") permit (principal, action == Action::"FileOpenReadOnly", resource) when { resource in Dir::"/etc/" };
            @id("write-w") permit (principal, action in Action::"FileWrite", resource) when { resource in Dir::"/w/" }
                unless { action in [Action::"FileChmod", Action::"FileChown", Action::"FileSetxattr"] };
            \(allowUnrestrictable)
            """, tree: tree)
        let byID = Dictionary(uniqueKeysWithValues: p.rules.map { ($0.id, $0) })
        #expect(byID["read-etc"]?.status == .exact)
        #expect(byID["write-w"]?.status == .exact, "\(byID["write-w"]?.reasons ?? [])")
        #expect(p.gaps.isEmpty)
        #expect(!p.needsConsent)
        #expect(p.grants.contains { $0.path == "/etc" && $0.rights == read | readDir && $0.isDirectory })
        #expect(rights(p, at: "/w/src/main.c") & (write | makeReg) == write | makeReg)
        #expect(rights(p, at: "/home/u/notes.txt") == 0)
    }

    /// "Read everything except ~/.ssh": siblings along the path are granted, the carve-out is
    /// not, and the permit says entries created later in the expanded directories are denied.
    @Test func aCarveOutIsExpandedIntoSiblings() throws {
        let p = try plan("""
            @id("read-all") permit (principal, action == Action::"FileOpenReadOnly", resource);
            @id("no-ssh") forbid (principal, action == Action::"FileOpenReadOnly", resource) when { resource in Dir::"/home/u/.ssh/" };
            \(allowUnrestrictable)
            """, tree: tree)
        #expect(rights(p, at: "/home/u/docs/a.txt") & read != 0)
        #expect(rights(p, at: "/home/u/notes.txt") & read != 0)
        #expect(rights(p, at: "/etc/passwd") & read != 0)
        #expect(rights(p, at: "/home/u/.ssh/id_rsa") & read == 0)
        #expect(Set(p.expandedDirectories) == ["/", "/home", "/home/u"])
        let readAll = p.rules.first { $0.id == "read-all" }!
        #expect(readAll.status == .approximated)
        #expect(readAll.reasons.contains { $0.contains("entries created there after start are denied") })
        #expect(p.rules.first { $0.id == "no-ssh" }?.status == .exact)
    }

    /// `*/.ssh/*` is pinned to the .ssh directories that exist under the search roots.
    @Test func anUnanchoredPatternIsPinnedToWhatExists() throws {
        let p = try plan("""
            @id("read-all") permit (principal, action == Action::"FileOpenReadOnly", resource);
            @id("ssh") forbid (principal, action == Action::"FileOpenReadOnly", resource) when { resource.path like "*/.ssh/*" };
            \(allowUnrestrictable)
            """, tree: tree)
        #expect(Set(p.anchors[#""*/.ssh/*""#] ?? []) == ["/home/u/.ssh/", "/home/u/proj/.ssh/"])
        #expect(rights(p, at: "/home/u/.ssh/id_rsa") & read == 0)
        #expect(rights(p, at: "/home/u/proj/.ssh/key") & read == 0)
        #expect(rights(p, at: "/home/u/docs/a.txt") & read != 0)
        let ssh = p.rules.first { $0.id == "ssh" }!
        #expect(ssh.status == .approximated)
        #expect(ssh.reasons.contains { $0.contains("has no anchor") && $0.contains("2 places") })
    }

    @Test func rightsLandlockLacksAreNotEnforceable() throws {
        let p = try plan("""
            @id("chmod-w") permit (principal, action == Action::"FileChmod", resource) when { resource in Dir::"/w/" };
            """, tree: tree)
        #expect(p.rules[0].status == .notEnforceable)
        #expect(p.gaps.map(\.action).contains("FileChmod"))
        #expect(!p.gaps.map(\.action).contains("NetworkConnect"), "the cgroup programs deny network requests")
        #expect(p.needsConsent)
    }

    @Test func creatingOneNamedFileCannotBeGranted() throws {
        let p = try plan("""
            @id("one") permit (principal, action == Action::"FileCreate", resource) when { resource == File::"/w/out.txt" };
            \(allowUnrestrictable)
            """, tree: tree)
        #expect(p.rules[0].status == .approximated)
        #expect(p.rules[0].reasons.contains { $0.contains("single name") })
        #expect(rights(p, at: "/w/out.txt") & makeReg == 0)
    }

    @Test func flagsAreFixedFalseAndNoted() throws {
        let p = try plan("""
            @id("read-all") permit (principal, action == Action::"FileOpenReadOnly", resource);
            @id("ssh") forbid (principal, action == Action::"FileOpenReadOnly", resource) when { resource in Dir::"/home/u/.ssh/" }
                unless { context.approved_ssh };
            \(allowUnrestrictable)
            """, tree: tree)
        let ssh = p.rules.first { $0.id == "ssh" }!
        #expect(ssh.status == .exact)
        #expect(ssh.notes.contains { $0.contains("context.approved_ssh") })
        #expect(rights(p, at: "/home/u/.ssh/id_rsa") & read == 0)
    }

    @Test func networkAndMcpRulesAreReportedAsSuch() throws {
        let p = try plan("""
            @id("net") permit (principal, action == Action::"NetworkConnect", resource) when { resource.port == 443 };
            @id("mcp") permit (principal, action == Action::"McpCall", resource);
            """, tree: tree)
        // The cgroup socket programs decide every connect by the policy engine: exact.
        let net = p.rules.first { $0.id == "net" }
        #expect(net?.status == .exact)
        #expect(net?.notes.contains { $0.contains("cgroup connect/sendmsg programs") } == true)
        #expect(p.rules.first { $0.id == "mcp" }?.status == .notApplicable)
        #expect(p.rules.first { $0.id == "mcp" }?.needsConsent == false)
    }
}

@Suite struct PatternBeneathTests {
    @Test func subtreePatterns() {
        let p = GlobPattern(["/", "t", "m", "p", "/", nil])
        #expect(p.matchesAll(beneath: "/tmp"))
        #expect(p.matchesAll(beneath: "/tmp/a"))
        #expect(!p.matchesAll(beneath: "/"))
        #expect(p.matchesSome(beneath: "/"))
        #expect(!p.matchesSome(beneath: "/usr"))
        #expect(p.subtreeRoot == "/tmp")
    }

    @Test func theDirectoryItselfIsNotBeneathIt() {
        #expect(!GlobPattern(literal: "/tmp/").matchesSome(beneath: "/tmp"))
        #expect(GlobPattern(literal: "/tmp/a").matchesSome(beneath: "/tmp"))
        #expect(!GlobPattern(literal: "/tmp/a").matchesAll(beneath: "/tmp"))
    }

    @Test func unanchoredPatterns() {
        let p = GlobPattern([nil, "/", ".", "s", "s", "h", "/", nil])
        #expect(p.isUnanchored)
        #expect(p.matchesAll(beneath: "/home/u/.ssh"))
        #expect(p.matchesSome(beneath: "/usr"))
        #expect(!p.matchesAll(beneath: "/home/u"))
        #expect(p.subtreeRoot == nil)
    }

    /// The planner hands each directory's narrowed condition down the tree: beneath that
    /// directory it must give the same answers as the whole condition.
    @Test func aNarrowedConditionAgreesBeneathItsDirectory() {
        var rng = SystemRandomNumberGenerator()
        let names = ["a", "b", ".s"]
        func randomPath(_ depth: Int) -> String { "/" + (0..<depth).map { _ in names.randomElement(using: &rng)! }.joined(separator: "/") }
        func randomPattern() -> GlobPattern {
            var e: [Unicode.Scalar?] = []
            for part in randomPath(Int.random(in: 1...3, using: &rng)).unicodeScalars { e.append(part) }
            if Bool.random(using: &rng) { e.append("/"); e.append(nil) }
            if Int.random(in: 0..<4, using: &rng) == 0 { e.insert(nil, at: 0) }
            return GlobPattern(e)
        }
        func randomCondition(_ depth: Int) -> LoweredCondition {
            if depth == 0 || Int.random(in: 0..<3, using: &rng) == 0 { return .path(randomPattern()) }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .not(randomCondition(depth - 1))
            case 1: return .and((0..<Int.random(in: 2...3, using: &rng)).map { _ in randomCondition(depth - 1) })
            default: return .or((0..<Int.random(in: 2...3, using: &rng)).map { _ in randomCondition(depth - 1) })
            }
        }
        var narrowedAway = 0
        for _ in 0..<3_000 {
            let c = randomCondition(3)
            let dir = randomPath(Int.random(in: 0...2, using: &rng))
            let n = c.narrowed(beneath: dir)
            if n.pathPatterns.count < c.pathPatterns.count { narrowedAway += 1 }
            for _ in 0..<5 {
                let below = (dir == "/" ? "" : dir) + randomPath(Int.random(in: 1...2, using: &rng))
                #expect(n.holds(forPath: below) == c.holds(forPath: below), "\(c) beneath \(dir) at \(below)")
                #expect(n.beneath(below) == c.beneath(below), "\(c) beneath \(dir), subtree \(below)")
            }
            #expect(n.beneath(dir) == c.beneath(dir), "\(c) beneath \(dir)")
        }
        #expect(narrowedAway > 300, "narrowing removed atoms in only \(narrowedAway) of 3,000 cases")
    }

    /// The planner skips the matcher for a file without the pattern's longest literal run:
    /// that must never skip a file the pattern matches.
    @Test func everyMatchContainsTheLongestLiteralRun() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = ["/", ".", "a", "b", "é"]
        var matched = 0
        for _ in 0..<20_000 {
            let pattern = GlobPattern((0..<Int.random(in: 0...6, using: &rng)).map { _ in
                Int.random(in: 0..<4, using: &rng) == 0 ? nil : alphabet.randomElement(using: &rng)! })
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...8, using: &rng) { text.append(alphabet.randomElement(using: &rng)!) }
            let path = String(text)
            if pattern.matches(path) {
                matched += 1
                #expect(GlobPattern.contains(path, pattern.longestLiteralUTF8), "\(pattern) matches \(path)")
            }
        }
        #expect(matched > 100)
        #expect(!GlobPattern.contains("/home/u/.sshx", GlobPattern([nil, "/", ".", "s", "s", "h", "/", nil]).longestLiteralUTF8))
        #expect(GlobPattern.contains("/home/u/.ssh/id", GlobPattern([nil, "/", ".", "s", "s", "h", "/", nil]).longestLiteralUTF8))
    }
}

@Suite struct EnvironmentFilterTests {
    @Test func passesTheAllowlistAndApiKeysAndWithholdsSecrets() {
        let r = EnvironmentFilter().filter(["PATH": "/bin", "LC_TIME": "C", "ANTHROPIC_API_KEY": "k", "AWS_SECRET_ACCESS_KEY": "s",
                                            "GITHUB_TOKEN": "t", "HOME": "/h"])
        #expect(Dictionary(uniqueKeysWithValues: r.environment) == ["PATH": "/bin", "LC_TIME": "C", "ANTHROPIC_API_KEY": "k", "HOME": "/h"])
        #expect(r.withheld == ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"])
        #expect(r.withheld.allSatisfy(EnvironmentFilter.looksSecret))
    }

    @Test func envNamesPassWhatWouldBeWithheld() {
        let r = EnvironmentFilter(extra: ["GITHUB_TOKEN"]).filter(["GITHUB_TOKEN": "t", "NPM_TOKEN": "n"])
        #expect(r.environment.map(\.0) == ["GITHUB_TOKEN"])
        #expect(r.withheld == ["NPM_TOKEN"])
    }
}

@Suite struct DefaultPolicyTests {
    @Test func theEmbeddedPolicyIsTheShippedFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policies/default.cedar")
        #expect(DefaultPolicy.source == (try String(contentsOf: url, encoding: .utf8)))
        #expect(try compile(DefaultPolicy.source).rules.count > 10)
    }
}
