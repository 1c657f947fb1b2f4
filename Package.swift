// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "leash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "leash", targets: ["leash"]),
        .library(name: "Cedar", targets: ["Cedar"]),
    ],
    targets: [
        // The Cedar language, pure Swift, no kernel. Three layers and one umbrella import.
        .target(name: "CedarSyntax"),  // AST, parser, diagnostics, formatter, JSON (EST) form
        .target(name: "CedarEval", dependencies: ["CedarSyntax"]),  // values, entities, authorizer
        .target(name: "CedarValidator", dependencies: ["CedarSyntax", "CedarEval"]),  // schemas, type checker
        .target(name: "Cedar", dependencies: ["CedarSyntax", "CedarEval", "CedarValidator"]),
        // Lowers Cedar policies into the tables the kernel programs read.
        .target(name: "PolicyCompiler", dependencies: ["Cedar"]),
        // libbpf from Debian (libbpf-dev), through pkg-config.
        .systemLibrary(name: "CLibbpf", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        // The one C shim: structs shared with bpf/*.bpf.c and calls Swift cannot make directly.
        .target(name: "CLeashShim", dependencies: ["CLibbpf"]),
        // Compiles bpf/*.bpf.c at build time and embeds the objects in Loader.
        .plugin(name: "BPFEmbed", capability: .buildTool()),
        // Loads BPF programs and maps, probes the kernel.
        .target(name: "Loader", dependencies: ["CLibbpf", "CLeashShim", "PolicyCompiler"], plugins: ["BPFEmbed"]),
        // The fallback backend where BPF LSM cannot load: Landlock, environment scrubbing, `leash run`.
        .target(name: "Sandbox", dependencies: ["PolicyCompiler", "CedarSyntax", "CLeashShim"],
                resources: [.embedInCode("Resources/default.cedar")]),
        // The BPF LSM backend of `leash run`: sandbox membership, hooks, policy maps.
        .target(name: "LSMSandbox", dependencies: ["Loader", "PolicyCompiler", "CLeashShim", "Sandbox"]),
        // leash's DNS resolver: binds allowed names' answers to addresses before the client sees them.
        .target(name: "Resolver", dependencies: ["Loader", "PolicyCompiler", "CLeashShim"]),
        // Decision events from either backend: the audit log (JSONL) and the exit summary.
        .target(name: "Telemetry", dependencies: ["Loader", "PolicyCompiler", "CLeashShim"]),
        .executableTarget(name: "leash", dependencies: ["Cedar", "PolicyCompiler", "Loader", "Sandbox", "LSMSandbox", "Resolver", "Telemetry"]),
        // Times the Cedar engine for Benchmarks/cedar/run.py (which times cedarpy beside it).
        .executableTarget(name: "cedar-bench", dependencies: ["Cedar"], path: "Benchmarks/CedarBench"),
        .testTarget(name: "CedarSyntaxTests", dependencies: ["CedarSyntax"]),
        .testTarget(name: "CedarEvalTests", dependencies: ["CedarEval", "CedarSyntax"]),
        .testTarget(name: "CedarValidatorTests", dependencies: ["CedarValidator", "CedarEval", "CedarSyntax"]),
        .testTarget(name: "PolicyCompilerTests", dependencies: ["PolicyCompiler", "Cedar", "PolicyTestSupport"]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "PolicyCompiler", "Cedar", "CLeashShim"]),
        // Random (policy, request) cases shared by the table unit tests and the kernel tests.
        .target(name: "PolicyTestSupport", dependencies: ["PolicyCompiler"], path: "Tests/PolicyTestSupport"),
        .testTarget(name: "LoaderTests", dependencies: ["Loader", "CLeashShim", "PolicyCompiler", "Cedar", "PolicyTestSupport"]),
        .testTarget(name: "ResolverTests", dependencies: ["Resolver", "PolicyCompiler"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "PolicyCompiler", "Loader", "CLeashShim"]),
        // Real-kernel tests (root): host-kernel suites, and BPF LSM suites the VM bench runs.
        .testTarget(name: "KernelTests", dependencies: ["Loader", "CLeashShim", "PolicyCompiler", "Cedar", "PolicyTestSupport", "LSMSandbox", "Resolver", "Telemetry", "Sandbox"]),
    ],
    swiftLanguageModes: [.v5]
)
