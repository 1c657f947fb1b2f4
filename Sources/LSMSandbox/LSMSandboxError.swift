// What can go wrong when the BPF LSM backend sets up or runs a sandbox.

import Loader

public struct LSMSandboxError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The kernel refused the programs, a map or a pin (errno in `code`).
        case kernel
        /// The command could not be started (errno in `code`: ENOENT, EACCES, ...).
        case spawn
        /// The policy does not fit the kernel engine.
        case policy
    }
    public var kind: Kind
    public var message: String
    public var code: Int32

    public init(_ kind: Kind, _ message: String, code: Int32 = 0) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    /// Wraps an error from the loader or the policy store.
    static func kernel(_ what: String, _ error: Error) -> LSMSandboxError {
        if let e = error as? LoaderError { return LSMSandboxError(.kernel, "\(what): \(e)", code: e.code) }
        if let e = error as? KernelPolicyError {
            if case .tables = e { return LSMSandboxError(.policy, "\(what): \(e)") }
            if case .map(_, _, let code) = e { return LSMSandboxError(.kernel, "\(what): \(e)", code: code) }
        }
        return LSMSandboxError(.kernel, "\(what): \(error)")
    }

    public var description: String { message }
}
