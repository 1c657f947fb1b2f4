// Names of the x86_64 system calls bpf/telemetry_tp.bpf.c records, for the audit log.

enum SyscallNames {
    static let byNumber: [Int32: String] = [
        2: "open", 42: "connect", 44: "sendto", 46: "sendmsg", 59: "execve", 76: "truncate",
        82: "rename", 83: "mkdir", 84: "rmdir", 85: "creat", 86: "link", 87: "unlink",
        88: "symlink", 90: "chmod", 92: "chown", 94: "lchown", 133: "mknod", 257: "openat",
        258: "mkdirat", 259: "mknodat", 260: "fchownat", 263: "unlinkat", 264: "renameat",
        265: "linkat", 266: "symlinkat", 268: "fchmodat", 316: "renameat2", 322: "execveat",
        437: "openat2", 452: "fchmodat2",
    ]

    static func name(_ number: Int32) -> String { byNumber[number] ?? "syscall \(number)" }
}
