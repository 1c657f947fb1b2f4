// Compiles bpf/*.bpf.c and embeds the objects in the target it is applied to (Loader),
// so a plain `swift build` from a fresh clone produces a `leash` binary that carries its
// BPF programs. The work itself is in scripts/bpf-embed; this only wires inputs and outputs.
import Foundation
import PackagePlugin

@main
struct BPFEmbed: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let bpfDirectory = package.appending(path: "bpf")
        let shimInclude = package.appending(path: "Sources/CLeashShim/include")
        let script = package.appending(path: "scripts/bpf-embed")
        let work = context.pluginWorkDirectoryURL
        let output = work.appending(path: "EmbeddedBPFObjects.swift")

        let files = FileManager.default
        let programs = try files.contentsOfDirectory(atPath: bpfDirectory.path)
            .filter { $0.hasSuffix(".bpf.c") }
            .sorted()
            .map { bpfDirectory.appending(path: $0) }
        let headers = try [bpfDirectory, shimInclude].flatMap { dir in
            try files.contentsOfDirectory(atPath: dir.path)
                .filter { $0.hasSuffix(".h") && $0 != "vmlinux.h" }
                .map { dir.appending(path: $0) }
        }
        // The toolchain's clang has the BPF target; the script falls back to PATH.
        let clang = (try? context.tool(named: "clang").url.path) ?? "clang"

        return [
            .buildCommand(
                displayName: "Compiling and embedding \(programs.count) BPF programs",
                executable: URL(fileURLWithPath: "/bin/bash"),
                arguments: [script.path, output.path, work.path, shimInclude.path, clang] + programs.map(\.path),
                inputFiles: [script] + programs + headers,
                outputFiles: [output])
        ]
    }
}
