import CLeashShim
import Loader
import Testing

@Suite struct RawEventTests {
    @Test func roundTripsHeaderAndBothPaths() throws {
        let sent = event(action: "FileRename", path: "/work/a", path2: "/work/b", verdict: -13, comm: "mv")
        let bytes = sent.encoded()
        #expect(bytes.count == MemoryLayout<EventHeader>.size + 7 + 7)
        let got = try bytes.withUnsafeBytes { try RawEvent.decode($0) }
        #expect(String(decoding: got.path, as: UTF8.self) == "/work/a")
        #expect(String(decoding: got.path2, as: UTF8.self) == "/work/b")
        #expect(got.header.verdict == -13)
        #expect(got.header.path_len == 7 && got.header.path2_len == 7)
        #expect(got.comm == "mv")
    }

    @Test func aFullLengthPathSurvives() throws {
        let long = "/" + String(repeating: "d/", count: 2047)  // 4095 bytes: PATH_MAX less the NUL
        let got = try event(action: "FileOpenReadOnly", path: long).encoded().withUnsafeBytes { try RawEvent.decode($0) }
        #expect(got.path.count == 4095)
    }

    @Test func shortRecordIsATypedError() {
        let bytes = [UInt8](repeating: 0, count: 20)
        #expect(throws: RawEvent.DecodeError.tooShort(size: 20)) { try bytes.withUnsafeBytes { try RawEvent.decode($0) } }
    }

    @Test func lengthsThatDisagreeWithTheRecordSizeAreRejected() {
        var bytes = event(action: "FileUnlink", path: "/x").encoded()
        bytes.append(0)  // one byte more than the header declares
        let size = bytes.count
        #expect(throws: RawEvent.DecodeError.lengthMismatch(size: size, declared: size - 1)) {
            try bytes.withUnsafeBytes { try RawEvent.decode($0) }
        }
    }

    @Test func countersSumOverCPUs() {
        let a = EventCounts(sent: 3, lost: 1, lost_denies: 1, deduplicated: 7)
        let b = EventCounts(sent: 2, lost: 4, lost_denies: 0, deduplicated: 1)
        let sum = a + b
        #expect(sum.sent == 5 && sum.lost == 5 && sum.lost_denies == 1 && sum.deduplicated == 8)
    }
}
