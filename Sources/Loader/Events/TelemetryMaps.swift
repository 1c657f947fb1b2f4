// The three maps every leash BPF object reports through (see bpf/telemetry.h): created
// once here, then handed to each object before it loads so all of them share one ring
// buffer, one set of counters and one allow-dedup table.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import CLibbpf

public final class TelemetryMaps {
    /// Must equal bpf/telemetry.h's definitions: libbpf refuses to reuse a map whose type,
    /// sizes or entry count differ from the object's own definition.
    public static let ringBytes: UInt32 = 16 * 1024 * 1024
    public static let allowSeenEntries: UInt32 = 65536
    /// The names an object defines for them, by including bpf/telemetry.h.
    public static let sharedNames = ["events", "event_counts", "allow_seen"]

    public let eventsFD: Int32
    public let countsFD: Int32
    public let allowSeenFD: Int32

    /// `ringBytes` other than the default is for tests that need a small buffer to overflow
    /// (an object's own ring size is replaced by the shared map's when it reuses it).
    public init(ringBytes: UInt32 = TelemetryMaps.ringBytes) throws {
        func create(_ type: bpf_map_type, _ name: String, key: Int, value: Int, entries: UInt32) throws -> Int32 {
            var options = bpf_map_create_opts()
            options.sz = MemoryLayout<bpf_map_create_opts>.size
            LibbpfLog.reset()
            let fd = bpf_map_create(type, name, UInt32(key), UInt32(value), entries, &options)
            if fd < 0 { throw LibbpfLog.failure(.mapCreate, name, returned: fd) }
            return fd
        }
        let events = try create(BPF_MAP_TYPE_RINGBUF, "events", key: 0, value: 0, entries: ringBytes)
        let counts: Int32
        do {
            counts = try create(BPF_MAP_TYPE_PERCPU_ARRAY, "event_counts", key: 4,
                                value: MemoryLayout<EventCounts>.size, entries: 1)
        } catch { close(events); throw error }
        let seen: Int32
        do {
            seen = try create(BPF_MAP_TYPE_LRU_HASH, "allow_seen", key: MemoryLayout<AllowKey>.size,
                              value: 1, entries: Self.allowSeenEntries)
        } catch { close(events); close(counts); throw error }
        eventsFD = events
        countsFD = counts
        allowSeenFD = seen
    }

    deinit {
        close(eventsFD)
        close(countsFD)
        close(allowSeenFD)
    }

    /// The counters summed over every possible CPU.
    public func counts() throws -> EventCounts { try EventCounts.read(percpuArrayFD: countsFD, subject: "event_counts") }
}

extension EventCounts {
    /// Reads entry 0 of a per-CPU array of `leash_event_counts` and sums the CPUs.
    public static func read(percpuArrayFD fd: Int32, subject: String) throws -> EventCounts {
        let cpus = Int(libbpf_num_possible_cpus())
        guard cpus > 0 else { throw LoaderError(.mapLookup, subject, code: Int32(-cpus)) }
        // The kernel rounds each CPU's value up to 8 bytes.
        let stride = (MemoryLayout<EventCounts>.size + 7) & ~7
        var buffer = [UInt8](repeating: 0, count: stride * cpus)
        var key: UInt32 = 0
        LibbpfLog.reset()
        let rc = buffer.withUnsafeMutableBytes { bpf_map_lookup_elem(fd, &key, $0.baseAddress) }
        if rc != 0 { throw LibbpfLog.failure(.mapLookup, subject, returned: rc) }
        return buffer.withUnsafeBytes { bytes in
            (0..<cpus).reduce(EventCounts()) { sum, cpu in sum + bytes.loadUnaligned(fromByteOffset: cpu * stride, as: EventCounts.self) }
        }
    }
}

extension BPFObject {
    /// Makes this object use `maps` for the telemetry maps it defines. Call after opening
    /// and before `load()`; names the object does not define are skipped.
    public func shareTelemetryMaps(_ maps: TelemetryMaps) throws {
        let fds = [maps.eventsFD, maps.countsFD, maps.allowSeenFD]
        for (name, fd) in zip(TelemetryMaps.sharedNames, fds) {
            guard let map = bpf_object__find_map_by_name(raw, name) else { continue }
            LibbpfLog.reset()
            let rc = bpf_map__reuse_fd(map, fd)
            if rc != 0 { throw LibbpfLog.failure(.mapShare, "\(self.name).\(name)", returned: rc) }
        }
    }
}

extension BPFMap {
    /// This map's counters summed over CPUs, for an object that was not given shared maps.
    public func eventCounts() throws -> EventCounts { try EventCounts.read(percpuArrayFD: fd, subject: "\(object.name).\(name)") }
}
