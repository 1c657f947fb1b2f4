// Known credential stores, each with the context flag that approves it (the flags the
// default policy's forbid rules are `unless`-ed on, policies/default.cedar).

public struct CredentialStore: Sendable, Hashable {
    public enum Match: Sendable, Hashable {
        /// Anything beneath a directory of this name, anywhere: `.ssh` matches `/x/.ssh/id_rsa`.
        case directory(String)
        /// A file with this trailing path, anywhere: `.docker/config.json`.
        case file(String)
    }

    public var name: String
    public var description: String
    public var flag: String
    public var matches: [Match]

    /// The first matching part of `path`, for display: `~/.ssh` or `/root/.ssh`.
    public func matchedPrefix(_ path: String) -> String? {
        for m in matches {
            switch m {
            case .directory(let d):
                if let r = path.range(of: "/\(d)/") { return String(path[..<r.upperBound].dropLast()) }
            case .file(let f):
                if path.hasSuffix("/" + f) { return path }
            }
        }
        return nil
    }

    public func matches(_ path: String) -> Bool { matchedPrefix(path) != nil }
}

public enum CredentialStores {
    public static let all: [CredentialStore] = [
        .init(name: "ssh", description: "SSH keys", flag: "approved_ssh_access", matches: [.directory(".ssh")]),
        .init(name: "aws", description: "AWS credentials", flag: "approved_aws_credentials", matches: [.directory(".aws")]),
        .init(name: "gcloud", description: "GCP credentials", flag: "approved_gcloud_credentials", matches: [.directory(".config/gcloud")]),
        .init(name: "azure", description: "Azure credentials", flag: "approved_azure_credentials", matches: [.directory(".azure")]),
        .init(name: "kube", description: "Kubernetes credentials", flag: "approved_kube_config", matches: [.directory(".kube")]),
        .init(name: "docker", description: "Docker registry credentials", flag: "approved_docker_auth", matches: [.file(".docker/config.json")]),
        .init(name: "netrc", description: "netrc passwords", flag: "approved_netrc", matches: [.file(".netrc"), .file("_netrc")]),
        .init(name: "git", description: "git and GitHub credentials", flag: "approved_git_credentials",
              matches: [.file(".git-credentials"), .file(".config/git/credentials"), .directory(".config/gh")]),
        .init(name: "packages", description: "package registry tokens", flag: "approved_package_tokens",
              matches: [.file(".npmrc"), .file(".yarnrc.yml"), .file(".pypirc"), .file(".cargo/credentials"),
                        .file(".cargo/credentials.toml"), .file(".gem/credentials")]),
        .init(name: "gpg", description: "GPG keys", flag: "approved_gpg_keys", matches: [.directory(".gnupg")]),
        .init(name: "passwords", description: "password stores", flag: "approved_password_store",
              matches: [.directory(".password-store"), .directory(".local/share/keyrings"), .directory(".config/op")]),
    ]

    public static func store(for path: String) -> CredentialStore? { all.first { $0.matches(path) } }

    /// `~/…` for paths under `home`.
    public static func display(_ path: String, home: String?) -> String {
        guard let home, !home.isEmpty, home != "/" else { return path }
        if path == home { return "~" }
        if path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
        return path
    }
}
