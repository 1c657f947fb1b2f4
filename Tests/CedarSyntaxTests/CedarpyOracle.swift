// Asks cedarpy (Python bindings of the Rust cedar-policy crate, Cedar's reference
// implementation) about many policy texts in one Python process.

import Foundation

struct OracleAnswer: Decodable {
    /// Whether Cedar parsed the text.
    var ok: Bool
    /// Cedar's JSON (EST) form of the policy set when it parsed (or, for `format`,
    /// Cedar's formatted text).
    var est: String?
    var error: String?
}

enum CedarpyOracle {
    static let script = #"""
import sys, json
import cedarpy
out = []
request = json.load(sys.stdin)
for src in request["items"]:
    try:
        if request["mode"] == "format":
            out.append({"ok": True, "est": cedarpy.format_policies(src)})
        else:
            out.append({"ok": True, "est": cedarpy.policies_to_json_str(src)})
    except Exception as e:
        out.append({"ok": False, "error": str(e)})
json.dump(out, sys.stdout)
"""#

    static let available: Bool = {
        (try? run(["permit(principal, action, resource);"]))?.first?.ok == true
    }()

    /// Parses each text with cedarpy, in order; `format: true` asks for Cedar's own
    /// formatting of each text instead of its JSON form.
    static func run(_ sources: [String], format: Bool = false) throws -> [OracleAnswer] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        struct Request: Encodable { var mode: String; var items: [String] }
        let data = try JSONEncoder().encode(Request(mode: format ? "format" : "parse", items: sources))
        // Write on another thread so a large answer cannot deadlock the pipe.
        let writer = Thread {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return try JSONDecoder().decode([OracleAnswer].self, from: answer)
    }
}
