import CLeashShim
import Foundation
import Loader
import Testing

/// Every struct in leash_policy.h has the same size and field offsets in the compiled
/// policy probe's BTF (what BPF reads) as in Swift's import of the header (what the
/// loader writes). Needs no privileges: the object is opened, not loaded.
@Suite struct PolicyLayoutTests {
    struct Expected {
        var name: String
        var size: Int
        var fields: [(String, Int?)]
    }

    static func layout<T>(_ name: String, _ type: T.Type, _ fields: [(String, PartialKeyPath<T>)]) -> Expected {
        Expected(name: name, size: MemoryLayout<T>.size, fields: fields.map { ($0.0, MemoryLayout<T>.offset(of: $0.1)) })
    }

    static let expected: [Expected] = [
        layout("leash_sandbox", leash_sandbox.self, [("flags", \.flags), ("policy", \.policy), ("mode", \.mode)]),
        layout("leash_request", leash_request.self, [
            ("flags", \.flags), ("policy", \.policy), ("action", \.action), ("str_len", \.str_len), ("tool_len", \.tool_len),
            ("family", \.family), ("proto", \.proto), ("port", \.port), ("_pad", \._pad), ("addr", \.addr), ("str", \.str), ("tool", \.tool),
        ]),
        layout("leash_decision", leash_decision.self, [("rule", \.rule), ("allow", \.allow), ("status", \.status), ("steps", \.steps)]),
        layout("leash_probe_args", leash_probe_args.self, [("decision", \.decision), ("request", \.request), ("sandbox", \.sandbox), ("_pad", \._pad)]),
        layout("leash_policy_info", leash_policy_info.self, [
            ("roots", \.roots), ("automaton_count", \.automaton_count), ("port_count", \.port_count),
            ("ip4_default", \.ip4_default), ("ip6_default", \.ip6_default), ("proto_tcp", \.proto_tcp), ("proto_udp", \.proto_udp),
            ("proto_other", \.proto_other), ("max_depth", \.max_depth), ("ip4_length_count", \.ip4_length_count),
            ("ip6_length_count", \.ip6_length_count), ("ip4_lengths", \.ip4_lengths), ("ip6_lengths", \.ip6_lengths),
        ]),
        layout("leash_automaton_key", leash_automaton_key.self, [("policy", \.policy), ("automaton", \.automaton)]),
        layout("leash_automaton", leash_automaton.self, [("start", \.start), ("dim", \.dim), ("reversed", \.reversed), ("state_count", \.state_count)]),
        layout("leash_state_key", leash_state_key.self, [("policy", \.policy), ("automaton", \.automaton), ("state", \.state)]),
        layout("leash_state", leash_state.self, [("emit", \.emit), ("next_default", \.next_default), ("class_", \.class_),
                                                 ("flags", \.flags), ("_pad", \._pad)]),
        layout("leash_transition_key", leash_transition_key.self, [("policy", \.policy), ("automaton", \.automaton), ("state", \.state), ("byte", \.byte)]),
        layout("leash_port_key", leash_port_key.self, [("policy", \.policy), ("index", \.index)]),
        layout("leash_port_interval", leash_port_interval.self, [("start", \.start), ("class_", \.class_)]),
        layout("leash_ip_key", leash_ip_key.self, [("policy", \.policy), ("family", \.family), ("prefixlen", \.prefixlen), ("addr", \.addr)]),
        layout("leash_node_key", leash_node_key.self, [("policy", \.policy), ("node", \.node)]),
        layout("leash_node", leash_node.self, [
            ("kind", \.kind), ("index", \.index), ("bit", \.bit), ("default_child", \.default_child), ("rule", \.rule), ("allow", \.allow),
        ]),
        layout("leash_edge_key", leash_edge_key.self, [("policy", \.policy), ("node", \.node), ("value", \.value)]),
    ]

    @Test(arguments: expected.indices)
    func sameLayoutInBTFAndSwift(index: Int) throws {
        let want = Self.expected[index]
        let btf = try PolicyProbe.openObject().structLayout(want.name)
        #expect(btf.size == want.size, "struct \(want.name): BTF size \(btf.size), Swift size \(want.size)")
        #expect(btf.fields.map(\.name) == want.fields.map(\.0), "struct \(want.name): field names or order differ")
        for (name, offset) in want.fields {
            let bpfOffset = btf.fields.first { $0.name == name }?.byteOffset
            #expect(bpfOffset == offset, "struct \(want.name).\(name): BTF offset \(String(describing: bpfOffset)), Swift offset \(String(describing: offset))")
        }
    }

    /// A struct added to the header without an entry above would escape the check.
    @Test func everyPolicyStructIsChecked() throws {
        let text = try String(contentsOf: repositoryFile("Sources/CLeashShim/include/leash_policy.h"), encoding: .utf8)
        let declared = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("struct leash_"), line.hasSuffix("{") else { return nil }
            return line.dropFirst("struct ".count).split(separator: " ").first.map(String.init)
        })
        #expect(declared.count >= 16)
        #expect(declared == Set(Self.expected.map(\.name)))
    }
}
