#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

/// Owns a libbpf ring buffer consumer on a BPF program's `events` map and collects the
/// `DecisionEvent`s it delivers.
public final class DecisionEventReader {
    private final class Inbox {
        var events: [DecisionEvent] = []
        var malformed = 0
    }

    private let raw: OpaquePointer
    private let inbox: Inbox
    private let map: BPFMap

    public init(map: BPFMap) throws {
        let inbox = Inbox()
        LibbpfLog.reset()
        let callback: ring_buffer_sample_fn = { context, data, size in
            let inbox = Unmanaged<Inbox>.fromOpaque(context!).takeUnretainedValue()
            guard let data, size == MemoryLayout<DecisionEvent>.size else {
                inbox.malformed += 1
                return 0
            }
            inbox.events.append(data.loadUnaligned(as: DecisionEvent.self))
            return 0
        }
        guard let rb = ring_buffer__new(map.fd, callback, Unmanaged.passUnretained(inbox).toOpaque(), nil) else {
            throw LibbpfLog.failure(.ringBuffer, "\(map.object.name).\(map.name)")
        }
        self.raw = rb
        self.inbox = inbox
        self.map = map
    }

    deinit { ring_buffer__free(raw) }

    /// Waits up to `timeoutMilliseconds` for events and returns every event received so far.
    public func poll(timeoutMilliseconds: Int32) throws -> [DecisionEvent] {
        let rc = ring_buffer__poll(raw, timeoutMilliseconds)
        if rc < 0 && rc != -EINTR { throw LibbpfLog.failure(.ringBuffer, "\(map.object.name).\(map.name)", returned: rc) }
        return inbox.events
    }

    /// Records whose size did not match `DecisionEvent` (a layout disagreement).
    public var malformedCount: Int { inbox.malformed }
}
