// Builds the kernel ruleset for a plan. The ruleset is made in leash; the child applies
// it between fork and exec (Sources/CLeashShim/sandbox.c).

#if canImport(Glibc)
import Glibc
#endif
import CLeashShim

public struct SandboxError: Error, CustomStringConvertible {
    public enum Kind: Sendable { case kernel, io, unsupported }
    public var kind: Kind
    public var message: String
    /// The errno behind the failure, 0 when there is none.
    public var code: Int32 = 0
    public var description: String { message }
    static func errno(_ kind: Kind, _ what: String, _ code: Int32) -> SandboxError {
        SandboxError(kind: kind, message: "\(what): \(String(cString: strerror(code))) (errno \(code))", code: code)
    }
}

public final class LandlockRuleset {
    public let fd: Int32

    /// Needs ABI 3 (truncate); ABI 7 is what this project's machines have.
    public static let minimumABI: Int32 = 3
    /// LANDLOCK_SCOPE_SIGNAL (linux/landlock.h, ABI 6).
    static let scopeSignal: UInt64 = 1 << 1

    public init(_ plan: LandlockPlan) throws {
        let abi = leash_landlock_abi_version()
        guard abi >= 0 else { throw SandboxError.errno(.unsupported, "Landlock is not available", Glibc.errno) }
        guard abi >= Self.minimumABI else {
            throw SandboxError(kind: .unsupported, message: "Landlock ABI \(abi) is too old: the landlock backend needs ABI \(Self.minimumABI) (truncate)")
        }
        // Signals to processes outside the sandbox (leash, the user's shell, other
        // sandboxes) are refused from ABI 6 on; the BPF LSM backend refuses them too.
        let r = leash_landlock_ruleset(plan.handledAccessFS, 0, abi >= 6 ? Self.scopeSignal : 0)
        guard r >= 0 else { throw SandboxError.errno(.kernel, "landlock_create_ruleset", Glibc.errno) }
        fd = r
        for g in plan.grants {
            let pathFD = leash_open_path(g.path)
            // A path that vanished since planning is simply not granted.
            if pathFD < 0 { continue }
            defer { close(pathFD) }
            var st = stat()
            fstat(pathFD, &st)
            let rights = (st.st_mode & S_IFMT) == S_IFDIR ? g.rights : g.rights & ~LandlockRights.directoryOnly
            if rights == 0 { continue }
            if leash_landlock_allow_path(fd, pathFD, rights) != 0 {
                throw SandboxError.errno(.kernel, "landlock_add_rule \(g.path)", Glibc.errno)
            }
        }
    }

    deinit { close(fd) }
}
