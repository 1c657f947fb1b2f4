import CLeashShim
import Foundation
import Loader
import Testing

/// Every struct in leash_events.h must have the same size and field offsets in the
/// compiled BPF objects (their BTF) as in Swift's import of the same header.
@Suite struct SharedLayoutTests {
    struct Expected {
        var name: String
        var object: EmbeddedProgram
        var size: Int
        var fields: [(String, Int?)]
    }

    static let expected: [Expected] = [
        Expected(name: "leash_inode_key", object: .fileOpen, size: MemoryLayout<leash_inode_key>.size, fields: [
            ("dev", MemoryLayout<leash_inode_key>.offset(of: \.dev)),
            ("ino", MemoryLayout<leash_inode_key>.offset(of: \.ino)),
        ]),
        Expected(name: "leash_ipv4_key", object: .connect4, size: MemoryLayout<leash_ipv4_key>.size, fields: [
            ("addr", MemoryLayout<leash_ipv4_key>.offset(of: \.addr)),
            ("port", MemoryLayout<leash_ipv4_key>.offset(of: \.port)),
            ("_pad", MemoryLayout<leash_ipv4_key>.offset(of: \._pad)),
        ]),
    ]
        // Every program that fills the event struct carries its own copy of it.
        + [.fileOpen, .connect4, .execTrace].map {
        Expected(name: "leash_decision_event", object: $0, size: MemoryLayout<leash_decision_event>.size,
                 fields: decisionEventFields)
    }

    static let decisionEventFields: [(String, Int?)] = [
            ("cgroup_id", MemoryLayout<leash_decision_event>.offset(of: \.cgroup_id)),
            ("dev", MemoryLayout<leash_decision_event>.offset(of: \.dev)),
            ("ino", MemoryLayout<leash_decision_event>.offset(of: \.ino)),
            ("pid", MemoryLayout<leash_decision_event>.offset(of: \.pid)),
            ("hook", MemoryLayout<leash_decision_event>.offset(of: \.hook)),
            ("verdict", MemoryLayout<leash_decision_event>.offset(of: \.verdict)),
            ("_pad", MemoryLayout<leash_decision_event>.offset(of: \._pad)),
        ]

    @Test(arguments: expected.indices)
    func sameLayoutInBTFAndSwift(index: Int) throws {
        let want = Self.expected[index]
        let object = try BPFObject(embedded: want.object)
        let btf = try object.structLayout(want.name)
        #expect(btf.size == want.size, "struct \(want.name): BTF size \(btf.size), Swift size \(want.size)")
        #expect(btf.fields.map(\.name) == want.fields.map(\.0), "struct \(want.name): field names or order differ")
        for (name, offset) in want.fields {
            let bpfOffset = btf.fields.first { $0.name == name }?.byteOffset
            #expect(bpfOffset == offset, "struct \(want.name).\(name): BTF offset \(String(describing: bpfOffset)), Swift offset \(String(describing: offset))")
        }
    }

    /// A struct added to the header without an entry above would escape the check.
    @Test func everySharedStructIsChecked() throws {
        let header = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CLeashShim/include/leash_events.h")
        let text = try String(contentsOf: header, encoding: .utf8)
        let declared = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("struct leash_"), line.hasSuffix("{") else { return nil }
            return line.dropFirst("struct ".count).split(separator: " ").first.map(String.init)
        })
        #expect(!declared.isEmpty)
        #expect(declared == Set((Self.expected + TelemetryLayoutTests.expected).map(\.name)))
    }
}
