// Which Landlock access rights stand for which leash action, and which actions Landlock
// cannot see at all.

import CLeashShim

public enum LandlockRights {
    /// Rights a directory rule may carry but a file rule may not (the kernel says EINVAL).
    public static let directoryOnly: UInt64 = UInt64(LEASH_LL_FS_READ_DIR) | UInt64(LEASH_LL_FS_REMOVE_DIR) | UInt64(LEASH_LL_FS_REMOVE_FILE)
        | UInt64(LEASH_LL_FS_MAKE_CHAR) | UInt64(LEASH_LL_FS_MAKE_DIR) | UInt64(LEASH_LL_FS_MAKE_REG) | UInt64(LEASH_LL_FS_MAKE_SOCK)
        | UInt64(LEASH_LL_FS_MAKE_FIFO) | UInt64(LEASH_LL_FS_MAKE_BLOCK) | UInt64(LEASH_LL_FS_MAKE_SYM) | UInt64(LEASH_LL_FS_REFER)

    /// The file actions Landlock decides, each with the rights that stand for it. A right
    /// is granted beneath a path only where its action is allowed.
    public static let byAction: [(action: String, rights: UInt64)] = [
        ("FileOpenReadOnly", UInt64(LEASH_LL_FS_READ_FILE) | UInt64(LEASH_LL_FS_READ_DIR)),
        ("FileOpenReadWrite", UInt64(LEASH_LL_FS_WRITE_FILE)),
        ("FileCreate", UInt64(LEASH_LL_FS_MAKE_REG) | UInt64(LEASH_LL_FS_MAKE_CHAR) | UInt64(LEASH_LL_FS_MAKE_BLOCK)
            | UInt64(LEASH_LL_FS_MAKE_FIFO) | UInt64(LEASH_LL_FS_MAKE_SOCK)),
        ("FileUnlink", UInt64(LEASH_LL_FS_REMOVE_FILE)),
        ("FileRename", UInt64(LEASH_LL_FS_REFER)),
        ("FileMkdir", UInt64(LEASH_LL_FS_MAKE_DIR)),
        ("FileRmdir", UInt64(LEASH_LL_FS_REMOVE_DIR)),
        ("FileSymlink", UInt64(LEASH_LL_FS_MAKE_SYM)),
        ("FileTruncate", UInt64(LEASH_LL_FS_TRUNCATE)),
        ("ProcessExec", UInt64(LEASH_LL_FS_EXECUTE)),
    ]

    /// Every right the sandbox handles (denies unless granted). IOCTL_DEV is left alone:
    /// the policy vocabulary has no ioctl action, so a policy never denies one.
    public static var handled: UInt64 { byAction.reduce(0) { $0 | $1.rights } }

    /// File actions Landlock has no right for: allowed everywhere in the sandbox.
    public static let invisible: [String: String] = [
        "FileChmod": "Landlock has no right for chmod; it is not restricted",
        "FileChown": "Landlock has no right for chown; it is not restricted",
        "FileSetxattr": "Landlock has no right for setxattr/removexattr; they are not restricted",
        "ProcessMmapExec": "Landlock checks execve only, not mmap with PROT_EXEC; shared objects are not restricted",
        "UnixConnect": "Landlock cannot restrict connect() to a unix socket by path; it is not restricted",
    ]

    /// File actions Landlock decides only through another action's right.
    public static let borrowed: [String: String] = [
        "FileLink": "Landlock checks a hard link as a creation: it is decided by the FileCreate rules",
    ]

    /// Human names, for reports.
    public static func names(_ rights: UInt64) -> [String] {
        let all: [(UInt64, String)] = [
            (UInt64(LEASH_LL_FS_EXECUTE), "execute"), (UInt64(LEASH_LL_FS_WRITE_FILE), "write_file"),
            (UInt64(LEASH_LL_FS_READ_FILE), "read_file"), (UInt64(LEASH_LL_FS_READ_DIR), "read_dir"),
            (UInt64(LEASH_LL_FS_REMOVE_DIR), "remove_dir"), (UInt64(LEASH_LL_FS_REMOVE_FILE), "remove_file"),
            (UInt64(LEASH_LL_FS_MAKE_CHAR), "make_char"), (UInt64(LEASH_LL_FS_MAKE_DIR), "make_dir"),
            (UInt64(LEASH_LL_FS_MAKE_REG), "make_reg"), (UInt64(LEASH_LL_FS_MAKE_SOCK), "make_sock"),
            (UInt64(LEASH_LL_FS_MAKE_FIFO), "make_fifo"), (UInt64(LEASH_LL_FS_MAKE_BLOCK), "make_block"),
            (UInt64(LEASH_LL_FS_MAKE_SYM), "make_sym"), (UInt64(LEASH_LL_FS_REFER), "refer"),
            (UInt64(LEASH_LL_FS_TRUNCATE), "truncate"), (UInt64(LEASH_LL_FS_IOCTL_DEV), "ioctl_dev"),
        ]
        return all.filter { rights & $0.0 != 0 }.map(\.1)
    }
}
