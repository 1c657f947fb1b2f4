// cedar-bench: times leash's Cedar engine on inputs written by Benchmarks/cedar/run.py,
// which times cedarpy (the Rust engine) on the very same files. Prints one JSON object.
//
//   cedar-bench parse FILE ITERATIONS
//   cedar-bench authorize POLICIES ENTITIES REQUEST ITERATIONS
//
// Times are wall-clock nanoseconds per iteration; each iteration of `authorize` answers
// the request once against already-parsed policies and entities, as a sandbox would.

import Cedar
import Foundation

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func stats(_ xs: [UInt64]) -> [String: Any] {
    let s = xs.sorted()
    return ["median_ns": s[s.count / 2], "min_ns": s.first!, "max_ns": s.last!, "samples": s.count]
}

func emit(_ obj: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
    print(String(data: data, encoding: .utf8)!)
}

func read(_ path: String) -> String {
    guard let s = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write("cedar-bench: cannot read \(path)\n".data(using: .utf8)!)
        exit(74)
    }
    return s
}

let args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "parse" where args.count == 3:
    let text = read(args[1])
    let iterations = Int(args[2]) ?? 5
    var samples: [UInt64] = []
    var count = 0
    for _ in 0..<iterations {
        let t0 = now()
        let set = try CedarParser.parsePolicySet(text, file: args[1])
        samples.append(now() - t0)
        count = set.policies.count + set.templates.count
    }
    emit(["what": "parse", "policies": count].merging(stats(samples)) { a, _ in a })

case "authorize" where args.count == 5:
    let set = try CedarParser.parsePolicySet(read(args[1]), file: args[1])
    let entities = try Entities(json: read(args[2]))
    let r = try JSONSerialization.jsonObject(with: read(args[3]).data(using: .utf8)!) as! [String: Any]
    func uid(_ k: String) throws -> EntityUID { try CedarParser.parseEntityUID(r[k] as! String) }
    let request = Request(principal: try uid("principal"), action: try uid("action"), resource: try uid("resource"))
    let iterations = Int(args[4]) ?? 1000
    let (active, linkErrors) = Authorizer.activePolicies(set)
    let authorizer = Authorizer()
    var decision = Decision.deny
    // Warm up, then time batches so that the clock's own cost stays negligible.
    for _ in 0..<min(iterations, 100) {
        decision = authorizer.isAuthorized(request, active: active, entities: entities, extraErrors: linkErrors).decision
    }
    var samples: [UInt64] = []
    let batch = max(1, iterations / 20)
    for _ in 0..<20 {
        let t0 = now()
        for _ in 0..<batch {
            decision = authorizer.isAuthorized(request, active: active, entities: entities, extraErrors: linkErrors).decision
        }
        samples.append((now() - t0) / UInt64(batch))
    }
    emit(["what": "authorize", "policies": active.count, "decision": decision.rawValue]
        .merging(stats(samples)) { a, _ in a })

default:
    FileHandle.standardError.write("""
        usage: cedar-bench parse FILE ITERATIONS
               cedar-bench authorize POLICIES ENTITIES REQUEST ITERATIONS

        """.data(using: .utf8)!)
    exit(64)
}
