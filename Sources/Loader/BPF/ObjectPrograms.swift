#if canImport(Glibc)
import Glibc
#endif
import CLibbpf

extension BPFObject {
    /// The names of every program in the object, in section order.
    public var programNames: [String] {
        var names: [String] = []
        var p = bpf_object__next_program(raw, nil)
        while let program = p {
            names.append(String(cString: bpf_program__name(program)))
            p = bpf_object__next_program(raw, program)
        }
        return names
    }
}
