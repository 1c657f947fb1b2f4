#if canImport(Glibc)
import Glibc
#endif

enum ProcessInfoShim {
    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
