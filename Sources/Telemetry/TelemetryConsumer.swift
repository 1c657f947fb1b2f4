// The asynchronous consumer: its own thread polls the shared ring buffer and turns each
// record into a DecisionRecord for the audit log, the summary and the credential prompt.
// The sandboxed command never waits on it: the kernel only ever writes into the ring
// buffer, and a full buffer costs records (counted), never a delay.

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim
import Foundation
import Loader

public final class TelemetryConsumer: @unchecked Sendable {
    public let interpreter: EventInterpreter
    private let reader: EventRingReader
    private let lock = NSLock()
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?
    private var pollError: Error?
    /// Written by `stop`: the thread's wait ends at once instead of at its timeout (leash's
    /// exit waited up to 50 ms for it after every command).
    private var wake: [Int32] = [-1, -1]
    // Touched by the consumer thread while it runs, then by `stop`'s caller after it ended.
    private var summaryStore = DecisionSummary()
    private var receivedCount: UInt64 = 0
    private var malformedCount: UInt64 = 0
    private var firstMalformed: RawEvent.DecodeError?

    /// `onRecord` runs on the consumer thread for every record, in arrival order. With
    /// `everyRecord` false (no audit log to write them to), records that are not denials
    /// are only counted: resolving their paths, reading /proc for their programs and
    /// recomputing their rules was most of leash's own CPU time under npm install, and
    /// nothing would read the result. Denials are always interpreted whole.
    public init(ringFD: Int32, interpreter: EventInterpreter, everyRecord: Bool = true,
                onRecord: @escaping (DecisionRecord) -> Void) throws {
        self.interpreter = interpreter
        var handle: ((Result<RawEvent, RawEvent.DecodeError>) -> Void)?
        reader = try EventRingReader(ringFD: ringFD) { handle?($0) }
        handle = { [unowned self] result in
            switch result {
            case .success(let raw):
                self.receivedCount += 1
                if !everyRecord {
                    let decision = EventInterpreter.decision(of: raw)
                    if !decision.isDenial {
                        self.interpreter.note(raw, decision: decision)
                        self.summaryStore.add(action: self.interpreter.actionName(raw.header.action), decision: decision)
                        return
                    }
                }
                let record = self.interpreter.interpret(raw)
                self.summaryStore.add(record)
                onRecord(record)
            case .failure(let error):
                self.malformedCount += 1
                if self.firstMalformed == nil { self.firstMalformed = error }
            }
        }
    }

    deinit {
        if wake[0] >= 0 { close(wake[0]); close(wake[1]) }
    }

    public func start() {
        if wake[0] < 0 && leash_pipe_cloexec(&wake) != 0 { wake = [-1, -1] }
        let wakeFD = wake[0]
        let t = Thread { [self] in
            while !isStopRequested {
                do {
                    if wakeFD >= 0 { try reader.poll(timeoutMilliseconds: 1000, wakeFD: wakeFD) }
                    else { try reader.poll(timeoutMilliseconds: 50) }
                } catch {
                    lock.lock(); pollError = error; lock.unlock()
                    break
                }
            }
            finished.signal()
        }
        t.name = "leash-telemetry"
        thread = t
        t.start()
    }

    private var isStopRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopRequested
    }

    /// Stops the thread, then reads whatever is still in the ring buffer. Call once the
    /// sandboxed processes are gone (nothing new can arrive) and before reading the counters.
    public func stop() throws {
        if thread != nil {
            lock.lock(); stopRequested = true; lock.unlock()
            if wake[1] >= 0 {
                var byte: UInt8 = 1
                _ = write(wake[1], &byte, 1)
            }
            finished.wait()
            thread = nil
        }
        try reader.drain()
        lock.lock(); defer { lock.unlock() }
        if let pollError { throw pollError }
    }

    /// Handles what is in the ring buffer now, on the calling thread (for use without `start`).
    @discardableResult
    public func drain() throws -> Int { try reader.drain() }

    public var summary: DecisionSummary { summaryStore }
    public var received: UInt64 { receivedCount }
    public var malformed: UInt64 { malformedCount }
    public var firstDecodeError: RawEvent.DecodeError? { firstMalformed }
}
