// A fixed-seed sample of the random schema/policy pairs of
// Tests/differential/validate_diff.py, checked in-process on every test run: the
// script generates the cases and asks cedarpy (the Rust implementation) for each
// verdict; leash's schema parser and validator must reach the same one. The long run
// is the script itself: `validate_diff.py --cases 10000`.

import CedarSyntax
import CedarValidator
import Foundation
import Testing

enum DifferentialSample {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("differential/validate_diff.py").path

    /// python3 with cedarpy importable; otherwise the sample cannot run (and is skipped, not passed).
    static let available: Bool = {
        guard FileManager.default.fileExists(atPath: script) else { return false }
        return (try? run(["python3", "-c", "import cedarpy"])) != nil
    }()

    static func run(_ args: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return data
    }

    struct Case {
        var policies: String
        var schema: String
        var json: Bool
        /// cedarpy's verdict; nil when cedarpy rejects the schema or the policies.
        var cedar: Bool?
    }

    static func cases(seed: String, count: Int) throws -> [Case] {
        let data = try run(["python3", script, "--emit", "--seed", seed, "--cases", String(count)])
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return Case(policies: o["policies"] as! String, schema: o["schema"] as! String,
                        json: (o["schemaFormat"] as? String) == "json", cedar: o["cedar"] as? Bool)
        }
    }

    /// leash's verdict; nil when the schema or the policies do not parse.
    static func verdict(_ c: Case) -> Bool? {
        do {
            let schema = try c.json ? Schema.parse(json: c.schema, file: "schema") : Schema.parse(cedarschema: c.schema, file: "schema")
            let policies = try CedarParser.parsePolicySet(c.policies, file: "policies")
            return Validator.validate(policies, schema: schema).isEmpty
        } catch {
            return nil
        }
    }
}

@Suite struct DifferentialSampleTests {
    @Test(.enabled(if: DifferentialSample.available, "needs python3 with cedarpy"))
    func fixedSeedSampleAgreesWithCedarpy() throws {
        let cases = try DifferentialSample.cases(seed: "suite-1", count: 400)
        #expect(cases.count == 400)
        // The sample must exercise both verdicts, or it proves little.
        #expect(cases.filter { $0.cedar == true }.count > 50)
        #expect(cases.filter { $0.cedar == false }.count > 50)
        var disagreements: [String] = []
        for c in cases where DifferentialSample.verdict(c) != c.cedar {
            disagreements.append("cedar says \(String(describing: c.cedar)):\n\(c.schema)\n\(c.policies)")
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements; first:\n\(disagreements.first ?? "")")
    }
}
