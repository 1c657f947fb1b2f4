import CLeashShim
import Loader
import Testing

/// The telemetry contract (struct leash_event and its companions in leash_events.h) has the
/// same layout in the compiled BPF object as in Swift. Listed in SharedLayoutTests'
/// completeness check too.
@Suite struct TelemetryLayoutTests {
    static let expected: [SharedLayoutTests.Expected] = [
        .init(name: "leash_event", object: .telemetryTP, size: MemoryLayout<leash_event>.size, fields: [
            ("time_ns", MemoryLayout<leash_event>.offset(of: \.time_ns)),
            ("cgroup_id", MemoryLayout<leash_event>.offset(of: \.cgroup_id)),
            ("sandbox_id", MemoryLayout<leash_event>.offset(of: \.sandbox_id)),
            ("policy_id", MemoryLayout<leash_event>.offset(of: \.policy_id)),
            ("pid", MemoryLayout<leash_event>.offset(of: \.pid)),
            ("tid", MemoryLayout<leash_event>.offset(of: \.tid)),
            ("ppid", MemoryLayout<leash_event>.offset(of: \.ppid)),
            ("action", MemoryLayout<leash_event>.offset(of: \.action)),
            ("verdict", MemoryLayout<leash_event>.offset(of: \.verdict)),
            ("rule", MemoryLayout<leash_event>.offset(of: \.rule)),
            ("mode_flags", MemoryLayout<leash_event>.offset(of: \.mode_flags)),
            ("op_flags", MemoryLayout<leash_event>.offset(of: \.op_flags)),
            ("syscall", MemoryLayout<leash_event>.offset(of: \.syscall)),
            ("dirfd", MemoryLayout<leash_event>.offset(of: \.dirfd)),
            ("family", MemoryLayout<leash_event>.offset(of: \.family)),
            ("protocol", MemoryLayout<leash_event>.offset(of: \.protocol)),
            ("port", MemoryLayout<leash_event>.offset(of: \.port)),
            ("path_len", MemoryLayout<leash_event>.offset(of: \.path_len)),
            ("path2_len", MemoryLayout<leash_event>.offset(of: \.path2_len)),
            ("_pad", MemoryLayout<leash_event>.offset(of: \._pad)),
            ("_pad2", MemoryLayout<leash_event>.offset(of: \._pad2)),
            ("addr", MemoryLayout<leash_event>.offset(of: \.addr)),
            ("comm", MemoryLayout<leash_event>.offset(of: \.comm)),
        ]),
        .init(name: "leash_event_counts", object: .telemetryTP, size: MemoryLayout<leash_event_counts>.size, fields: [
            ("sent", MemoryLayout<leash_event_counts>.offset(of: \.sent)),
            ("lost", MemoryLayout<leash_event_counts>.offset(of: \.lost)),
            ("lost_denies", MemoryLayout<leash_event_counts>.offset(of: \.lost_denies)),
            ("deduplicated", MemoryLayout<leash_event_counts>.offset(of: \.deduplicated)),
        ]),
        .init(name: "leash_allow_key", object: .telemetryTP, size: MemoryLayout<leash_allow_key>.size, fields: [
            ("object_hash", MemoryLayout<leash_allow_key>.offset(of: \.object_hash)),
            ("sandbox_id", MemoryLayout<leash_allow_key>.offset(of: \.sandbox_id)),
            ("policy_id", MemoryLayout<leash_allow_key>.offset(of: \.policy_id)),
            ("action", MemoryLayout<leash_allow_key>.offset(of: \.action)),
            ("_pad", MemoryLayout<leash_allow_key>.offset(of: \._pad)),
        ]),
    ]

    @Test(arguments: expected.indices)
    func sameLayoutInBTFAndSwift(index: Int) throws {
        let want = Self.expected[index]
        let btf = try BPFObject(embedded: want.object).structLayout(want.name)
        #expect(btf.size == want.size, "struct \(want.name): BTF size \(btf.size), Swift size \(want.size)")
        #expect(btf.fields.map(\.name) == want.fields.map(\.0), "struct \(want.name): field names or order differ")
        for (name, offset) in want.fields {
            let bpfOffset = btf.fields.first { $0.name == name }?.byteOffset
            #expect(bpfOffset == offset, "struct \(want.name).\(name): BTF offset \(String(describing: bpfOffset)), Swift offset \(String(describing: offset))")
        }
    }

    /// The header is 8-byte aligned in size so the strings that follow it start aligned,
    /// and the maps Swift creates for sharing match the sizes the BPF side declares.
    @Test func headerSizeAndSharedMapSizes() throws {
        #expect(MemoryLayout<leash_event>.size == 112)
        #expect(MemoryLayout<leash_event>.size % 8 == 0)
        #expect(Int(LEASH_EVENT_PATH_MAX) == 4096)
        #expect(TelemetryMaps.ringBytes == 16 * 1024 * 1024)
    }
}
