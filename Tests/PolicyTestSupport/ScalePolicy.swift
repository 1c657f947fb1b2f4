// Rules of the families the compile benchmark uses (Benchmarks/compile/run.py): the
// compiler's scale tests and the in-kernel engine's cost by policy size read the same text.

public enum ScalePolicy {
    public static func text(rules n: Int) -> String {
        var text = ""
        for i in 0..<n {
            switch i % 5 {
            case 0: text += "permit (principal, action in Action::\"FileOpen\", resource) when { resource in Dir::\"/data/team\(i % 97)/p\(i)/\" };\n"
            case 1: text += "forbid (principal, action in Action::\"FileAccess\", resource) when { resource == File::\"/data/team\((i - 1) % 97)/p\(i - 1)/secret\" };\n"
            case 2: text += "permit (principal, action == Action::\"NetworkConnect\", resource) when { resource in Host::\"*.svc\(i).example\" && resource.port == \(1000 + i % 5000) };\n"
            case 3: text += "permit (principal, action == Action::\"ProcessExec\", resource) when { resource.path like \"/opt/tool\(i)/bin/*\" };\n"
            default: text += "forbid (principal, action == Action::\"NetworkConnect\", resource) when { resource.ip.isInRange(ip(\"10.\(i % 256).\(i / 256 % 256).0/24\")) };\n"
            }
        }
        return text
    }
}
