// policies/default.cedar, compiled into the binary (SwiftPM's embedInCode resource via the
// symlink in Resources/), so `leash run` without --policy never looks for a file.

public enum DefaultPolicy {
    /// The name rules' locations use: the built-in copy is exactly the repository's file, so
    /// `policies/default.cedar:83:1` is a place a user can open.
    public static let fileName = "policies/default.cedar"
    public static var source: String { String(decoding: PackageResources.default_cedar, as: UTF8.self) }
}
