import Testing

/// The BPF LSM suites that share LSMBench's one sandbox: they reload its policy, flip its
/// flags and drain its ring buffer, so they run one test at a time (suites otherwise run in
/// parallel). VM bench only.
@Suite("BPF LSM bench", .serialized, .enabled(if: Environment.bpfLSMUnavailable == nil,
                                              Comment(rawValue: Environment.bpfLSMUnavailable ?? "")))
enum LSMBenchSuites {}
