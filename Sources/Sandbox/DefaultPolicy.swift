// policies/default.cedar, compiled into the binary (SwiftPM's embedInCode resource via the
// symlink in Resources/), so `leash run` without --policy never looks for a file.

public enum DefaultPolicy {
    public static let fileName = "<default policy>"
    public static var source: String { String(decoding: PackageResources.default_cedar, as: UTF8.self) }
}
