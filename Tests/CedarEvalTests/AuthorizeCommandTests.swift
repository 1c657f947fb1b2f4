// `leash cedar authorize` end to end: runs the built leash binary on files and checks
// its output lines and exit status. Needs a built leash (`swift build`), found through
// $LEASH or as the newest .build*/debug/leash of this package.

import Foundation
import Testing

let leashBinary: String? = {
    if let p = ProcessInfo.processInfo.environment["LEASH"], FileManager.default.isExecutableFile(atPath: p) { return p }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let builds = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    let candidates = builds.filter { $0.hasPrefix(".build") }.map { root.appendingPathComponent($0).appendingPathComponent("debug/leash").path }
        .filter { FileManager.default.isExecutableFile(atPath: $0) }
    func mtime(_ p: String) -> Date { (try? FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? .distantPast }
    return candidates.max { mtime($0) < mtime($1) }
}()

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Writes the given files into a fresh folder and runs `leash cedar authorize` there.
func authorize(_ files: [String: String], _ args: [String]) throws -> CommandResult {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("leash-authorize-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: leashBinary!)
    p.arguments = ["cedar", "authorize"] + args
    p.currentDirectoryURL = dir
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CommandResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

@Suite(.enabled(if: leashBinary != nil, "needs a built leash binary"))
struct AuthorizeCommandTests {
    static let policies = """
        permit(principal in Team::"eng", action == Action::"view", resource);
        forbid(principal, action, resource) when { context.risk > 5 };
        permit(principal == ?principal, action, resource);
        permit(principal, action, resource) when { principal.nope };
        """
    static let entities = #"[{"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [{"type": "Team", "id": "eng"}]}]"#
    static let args = ["--policies", "p.cedar", "--entities", "e.json", "--request-json", "r.json"]

    @Test func answersEachRequestOnItsOwnLine() throws {
        let requests = """
            [{"principal": "User::\\"alice\\"", "action": {"type": "Action", "id": "view"}, "resource": "Photo::\\"p\\"", "context": {"risk": 1}},
             {"principal": {"__entity": {"type": "User", "id": "alice"}}, "action": "Action::\\"view\\"", "resource": "Photo::\\"p\\"", "context": {"risk": 9}}]
            """
        let r = try authorize(["p.cedar": Self.policies, "e.json": Self.entities, "r.json": requests], Self.args)
        #expect(r.status == 1, "a deny among the answers: \(r.stderr)")
        #expect(r.lines == [
            #"{"decision":"allow","reasons":["policy0"],"errors":[{"policy":"policy3","message":"User::\"alice\" does not have the attribute \"nope\""}]}"#,
            #"{"decision":"deny","reasons":["policy1"],"errors":[{"policy":"policy3","message":"User::\"alice\" does not have the attribute \"nope\""}]}"#,
        ])
        let single = #"{"principal": "User::\"alice\"", "action": "Action::\"view\"", "resource": "Photo::\"p\"", "context": {"risk": 0}}"#
        let one = try authorize(["p.cedar": Self.policies, "e.json": Self.entities, "r.json": single], Self.args)
        #expect(one.status == 0 && one.lines.count == 1 && one.lines[0].hasPrefix(#"{"decision":"allow""#))
    }

    @Test func templateLinksApplyUnderTheirIDs() throws {
        let request = #"{"principal": "User::\"bob\"", "action": "Action::\"edit\"", "resource": "Photo::\"p\"", "context": {"risk": 0}}"#
        let links = #"[{"template_id": "policy2", "link_id": "bob-anything", "args": {"?principal": "User::\"bob\""}}]"#
        let files = ["p.cedar": Self.policies, "e.json": Self.entities, "r.json": request, "l.json": links]
        let unlinked = try authorize(files, Self.args)
        #expect(unlinked.lines.first?.hasPrefix(#"{"decision":"deny","reasons":[]"#) == true)
        let linked = try authorize(files, Self.args + ["--template-links", "l.json"])
        #expect(linked.status == 0)
        #expect(linked.lines.first?.hasPrefix(#"{"decision":"allow","reasons":["bob-anything"]"#) == true, "\(linked.stdout)")
        let wrong = #"[{"template_id": "policy0", "link_id": "x", "args": {}}]"#
        #expect(try authorize(files.merging(["l.json": wrong]) { $1 }, Self.args + ["--template-links", "l.json"]).status == 65)
    }

    @Test func badInputExitsWithAClearMessage() throws {
        let good = #"{"principal": "User::\"alice\"", "action": "Action::\"view\"", "resource": "Photo::\"p\""}"#
        let badRequest = try authorize(["p.cedar": Self.policies, "e.json": Self.entities,
                                        "r.json": #"{"principal": "User::alice", "action": "Action::\"view\"", "resource": "Photo::\"p\""}"#], Self.args)
        #expect(badRequest.status == 65 && badRequest.stdout.isEmpty && badRequest.stderr.contains("request.principal"))
        let badPolicy = try authorize(["p.cedar": "permit(principal, action, resource) when { 1 + };", "e.json": Self.entities, "r.json": good], Self.args)
        #expect(badPolicy.status == 65 && badPolicy.stderr.hasPrefix("p.cedar:1:"), "\(badPolicy.stderr)")
        let badEntities = try authorize(["p.cedar": Self.policies, "e.json": #"[{"uid": {"type": "U", "id": "a"}, "attrs": {"x": null}, "parents": []}]"#, "r.json": good], Self.args)
        #expect(badEntities.status == 65 && badEntities.stderr.contains("attrs.x"))
        let missing = try authorize(["p.cedar": Self.policies, "e.json": Self.entities], Self.args)
        #expect(missing.status == 74)
        #expect(try authorize([:], ["--policies", "p.cedar"]).status == 64)
    }

    @Test func schemaTypesEntitiesAndChecksRequests() throws {
        let schema = """
            entity Team; entity User in [Team] { ip: ipaddr }; entity Photo;
            action read; action view in [read] appliesTo { principal: User, resource: Photo, context: { risk: Long } };
            """
        let policies = #"permit(principal, action in Action::"read", resource) when { principal.ip.isLoopback() && context.risk < 3 };"#
        let entities = #"[{"uid": {"type": "User", "id": "alice"}, "attrs": {"ip": "127.0.0.1"}, "parents": []}]"#
        let request = #"{"principal": "User::\"alice\"", "action": "Action::\"view\"", "resource": "Photo::\"p\"", "context": {"risk": 1}}"#
        var files = ["p.cedar": policies, "e.json": entities, "r.json": request, "s.cedarschema": schema]
        let ok = try authorize(files, Self.args + ["--schema", "s.cedarschema"])
        #expect(ok.status == 0 && ok.lines == [#"{"decision":"allow","reasons":["policy0"],"errors":[]}"#], "\(ok.stdout)\(ok.stderr)")
        // Without the schema the address is a plain string and the action has no group.
        let untyped = try authorize(files, Self.args)
        #expect(untyped.status == 1)
        files["r.json"] = #"{"principal": "Photo::\"x\"", "action": "Action::\"view\"", "resource": "Photo::\"p\"", "context": {"risk": 1}}"#
        #expect(try authorize(files, Self.args + ["--schema", "s.cedarschema"]).status == 65)
        files["r.json"] = request
        files["e.json"] = #"[{"uid": {"type": "User", "id": "alice"}, "attrs": {"ip": "127.0.0.1", "extra": 1}, "parents": []}]"#
        #expect(try authorize(files, Self.args + ["--schema", "s.cedarschema"]).status == 65)
    }
}
