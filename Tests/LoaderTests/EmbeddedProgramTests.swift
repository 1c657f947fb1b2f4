import Loader
import Testing

@Suite struct EmbeddedProgramTests {
    @Test(arguments: EmbeddedProgram.allCases)
    func isABPFELFObject(program: EmbeddedProgram) throws {
        let bytes = try program.bytes()
        #expect(Array(bytes.prefix(4)) == [0x7f, 0x45, 0x4c, 0x46], "ELF magic")
        // e_machine at offset 18, little-endian: EM_BPF is 247.
        #expect(bytes.count > 20 && UInt16(bytes[18]) | UInt16(bytes[19]) << 8 == 247)
    }

    @Test func programsAndMapsHaveTheNamesTheLoaderUses() throws {
        let fileOpen = try BPFObject(embedded: .fileOpen)
        _ = try fileOpen.program("leash_file_open")
        _ = try fileOpen.map("scoped_cgroups")
        _ = try fileOpen.map("denied_inodes")
        _ = try fileOpen.map("events")
        let connect = try BPFObject(embedded: .connect4)
        _ = try connect.program("leash_connect4")
        _ = try connect.map("denied_destinations")
        _ = try BPFObject(embedded: .lsmProbe).program("leash_lsm_probe")
        let exec = try BPFObject(embedded: .execTrace)
        _ = try exec.program("leash_exec_trace")
        _ = try exec.map("scoped_cgroups")
    }

    @Test func unknownNamesAreTypedErrors() throws {
        let object = try BPFObject(embedded: .lsmProbe)
        #expect(throws: LoaderError(.findProgram, "lsm_probe.nope", code: ENOENT)) { try object.program("nope") }
        #expect(throws: LoaderError(.findMap, "lsm_probe.nope", code: ENOENT)) { try object.map("nope") }
    }
}

#if canImport(Glibc)
import Glibc
#endif
