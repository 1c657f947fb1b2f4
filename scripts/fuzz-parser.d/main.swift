// The parser fuzzer's driver (built and run by scripts/fuzz-parser). Runs N inputs from
// FuzzInputs and checks each with FuzzCheck. A watchdog thread aborts if one input
// takes longer than the time bound (a hang); a signal handler writes the input being
// parsed when the process crashes. Either way the input is saved to a file to replay.

#if canImport(Glibc)
import Glibc
#endif
import CedarSyntax

var count = 1_000_000
var seed: UInt64 = 0x1EA5_0000_0000_0001
var limitMillis = 2_000
var outPath = "fuzz-parser-failure.cedar"
var printIndex: Int? = nil
var replayPath: String? = nil
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--seed": seed = UInt64(args.popFirst() ?? "") ?? seed
    case "--time-limit-ms": limitMillis = Int(args.popFirst() ?? "") ?? limitMillis
    case "--out": outPath = args.popFirst() ?? outPath
    case "--print-input": printIndex = Int(args.popFirst() ?? "")
    case "--replay": replayPath = args.popFirst()
    default:
        guard let n = Int(String(a.filter { $0 != "_" })), n > 0 else {
            print("usage: fuzz-parser [N] [--seed S] [--time-limit-ms MS] [--out FILE] [--print-input I] [--replay FILE]")
            exit(64)
        }
        count = n
    }
}

// `--print-input N` writes input N of the sequence and stops, to replay one input.
if let printIndex {
    var gen = FuzzInputs(seed: seed)
    for _ in 0..<printIndex { _ = gen.next() }
    print(gen.next(), terminator: "")
    exit(0)
}

// `--replay FILE` checks one saved input and says how long it took.
if let replayPath {
    guard let f = fopen(replayPath, "rb") else { print("cannot read \(replayPath)"); exit(74) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        bytes += buf[0..<n]
    }
    fclose(f)
    let input = String(decoding: bytes, as: UTF8.self)
    let t0 = nowNanos()
    let outcome = FuzzCheck.check(input)
    print("\(outcome) in \((nowNanos() - t0) / 1_000_000) ms")
    exit(0)
}

// The input being parsed, reachable from the signal handler and the watchdog.
let capacity = 1 << 22
let current = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
nonisolated(unsafe) var currentLength = 0
nonisolated(unsafe) var currentIndex = 0
nonisolated(unsafe) var startedAt: UInt64 = 0
let outFD = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
nonisolated(unsafe) var outFDGlobal = outFD

func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

// The time limit is on the CPU time of the thread doing the parsing, not on the wall
// clock: on a loaded machine a process can wait seconds for a core, and that is no hang.
var mainClock = clockid_t()
pthread_getcpuclockid(pthread_self(), &mainClock)
nonisolated(unsafe) var mainClockGlobal = mainClock

func mainThreadCPUNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(mainClockGlobal, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Async-signal-safe: only write(2) and _exit(2).
func dumpAndExit(_ message: StaticString, status: Int32) -> Never {
    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
    _ = write(outFDGlobal, current, currentLength)
    _exit(status)
}

// Crashes, including stack overflow (hence the alternate signal stack).
let altSize = 1 << 16
var alt = stack_t()
alt.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: altSize, alignment: 16)
alt.ss_size = altSize
sigaltstack(&alt, nil)
for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
        dumpAndExit("fuzz-parser: CRASH; the input is saved in the --out file (default .build-fuzz-parser/failure.cedar)\n", status: 3)
    }
    action.sa_flags = Int32(SA_ONSTACK)
    sigaction(sig, &action, nil)
}

// Hangs.
var watchdog = pthread_t()
pthread_create(&watchdog, nil, { _ in
    while true {
        usleep(50_000)
        let s = startedAt
        if s != 0, mainThreadCPUNanos() &- s > UInt64(limitMillis) * 1_000_000 {
            dumpAndExit("fuzz-parser: HANG (an input exceeded the CPU time limit); the input is saved in the --out file (default .build-fuzz-parser/failure.cedar)\n", status: 4)
        }
    }
}, nil)

var inputs = FuzzInputs(seed: seed)
var parsed = 0, rejected = 0, diagnostics = 0
var slowest: UInt64 = 0
var checking: UInt64 = 0
var slowestIndex = 0, slowestSize = 0
let begin = nowNanos()
for n in 0..<count {
    let input = inputs.next()
    let bytes = Array(input.utf8)
    let len = min(bytes.count, capacity)
    bytes.withUnsafeBufferPointer { current.update(from: $0.baseAddress!, count: len) }
    currentLength = len
    currentIndex = n
    let t0 = mainThreadCPUNanos()
    startedAt = t0
    let outcome = FuzzCheck.check(input)
    startedAt = 0
    let took = mainThreadCPUNanos() - t0
    checking += took
    if took > slowest { slowest = took; slowestIndex = n; slowestSize = len }
    switch outcome {
    case .parsed: parsed += 1
    case .rejected(let d): rejected += 1; diagnostics += d
    case .violation(let why):
        _ = write(outFD, current, currentLength)
        print("fuzz-parser: input #\(n) (seed \(seed)) violates the parser's contract: \(why)")
        print("the input is saved in \(outPath)")
        exit(1)
    }
    if (n + 1) % 100_000 == 0 {
        print("\(n + 1) inputs: \(parsed) parsed, \(rejected) rejected")
        fflush(stdout)
    }
}
let seconds = Double(nowNanos() - begin) / 1e9
close(outFD)
unlink(outPath)
print("fuzz-parser: \(count) inputs (seed \(seed)) in \(Double(Int(seconds * 10)) / 10) s wall, \(Double(Int(Double(checking) / 1e8)) / 10) s CPU checking: \(parsed) parsed, \(rejected) rejected with \(diagnostics) diagnostics, 0 crashes, 0 hangs (limit \(limitMillis) ms); slowest input #\(slowestIndex) (\(slowestSize) bytes) \(slowest / 1_000_000) ms CPU")
