// Reads the variable-length telemetry records (bpf/telemetry.h) from a ring buffer and hands
// each, decoded, to a handler on the calling thread: whoever polls decides the thread.

#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

public final class EventRingReader {
    public typealias Handler = (Result<RawEvent, RawEvent.DecodeError>) -> Void

    private final class Box {
        let handler: Handler
        init(_ handler: @escaping Handler) { self.handler = handler }
    }

    private let raw: OpaquePointer
    private let box: Box
    private let subject: String

    /// `ringFD` is a BPF_MAP_TYPE_RINGBUF map (TelemetryMaps.eventsFD, or an object's `events`).
    public init(ringFD: Int32, subject: String = "events", handler: @escaping Handler) throws {
        let box = Box(handler)
        LibbpfLog.reset()
        let callback: ring_buffer_sample_fn = { context, data, size in
            let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
            guard let data else { return 0 }
            box.handler(Result { try RawEvent.decode(UnsafeRawBufferPointer(start: data, count: Int(size))) }
                .mapError { $0 as! RawEvent.DecodeError })
            return 0
        }
        guard let rb = ring_buffer__new(ringFD, callback, Unmanaged.passUnretained(box).toOpaque(), nil) else {
            throw LibbpfLog.failure(.ringBuffer, subject)
        }
        raw = rb
        self.box = box
        self.subject = subject
    }

    deinit { ring_buffer__free(raw) }

    /// Waits up to `timeoutMilliseconds` for records and handles every available one.
    /// Returns how many were handled.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32) throws -> Int {
        let rc = ring_buffer__poll(raw, timeoutMilliseconds)
        if rc == -EINTR { return 0 }
        if rc < 0 { throw LibbpfLog.failure(.ringBuffer, subject, returned: rc) }
        return Int(rc)
    }

    /// Waits up to `timeoutMilliseconds` for records or for `wakeFD` to become readable,
    /// then handles every available record. Returns how many were handled.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32, wakeFD: Int32) throws -> Int {
        var fds = [pollfd(fd: ring_buffer__epoll_fd(raw), events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        let rc = Glibc.poll(&fds, 2, timeoutMilliseconds)
        if rc < 0 && errno != EINTR { throw LibbpfLog.failure(.ringBuffer, subject, returned: -errno) }
        return try drain()
    }

    /// Handles every record already in the buffer without waiting.
    @discardableResult
    public func drain() throws -> Int {
        let rc = ring_buffer__consume(raw)
        if rc < 0 { throw LibbpfLog.failure(.ringBuffer, subject, returned: rc) }
        return Int(rc)
    }
}
