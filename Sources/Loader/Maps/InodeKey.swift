#if canImport(Glibc)
import Glibc
#endif
import CLeashShim

/// A file as BPF programs see it (`struct leash_inode_key` in leash_events.h).
public typealias InodeKey = leash_inode_key

extension InodeKey {
    /// The key of the file at `path` (following symlinks), with the device number
    /// converted to the kernel's internal encoding that `super_block.s_dev` holds.
    public init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileError(path: path, code: errno) }
        self.init(dev: leash_kernel_dev(info.st_dev), ino: UInt64(info.st_ino))
    }
}

/// A file that could not be examined.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    public var code: Int32

    public init(path: String, code: Int32) {
        self.path = path
        self.code = code
    }

    public var description: String { "'\(path)': \(String(cString: strerror(code))) (errno \(code))" }
}
