// Policies written for StrongDM's Leash: entity style, forbid and permit in both orders.
// Decisions follow Cedar (forbid wins), not Leash's first match.

import Cedar
import PolicyCompiler
import Testing

@Suite struct LeashCompatTests {
    static let permitSecretsDir = """
        permit (principal, action in [Action::"FileOpen", Action::"FileOpenReadOnly", Action::"FileOpenReadWrite"], resource)
        when { resource in [ Dir::"/var/app/" ] };
        """
    static let forbidSecrets = """
        forbid (principal, action == Action::"FileOpenReadWrite", resource)
        when { resource in [ Dir::"/var/app/secrets/" ] };
        """

    @Test(arguments: [true, false]) func filesForbidWinsInEitherOrder(_ permitFirst: Bool) {
        let text = permitFirst ? Self.permitSecretsDir + "\n" + Self.forbidSecrets : Self.forbidSecrets + "\n" + Self.permitSecretsDir
        guard let d = Decider(text) else { return }
        #expect(d.allows("FileOpenReadOnly /var/app/config.yml"))
        #expect(d.allows("FileOpenReadWrite /var/app/data/db"))
        #expect(d.allows("FileOpenReadOnly /var/app/secrets/key"))
        #expect(!d.allows("FileOpenReadWrite /var/app/secrets/key"))
        #expect(!d.allows("FileOpenReadOnly /var/application/x"))
        #expect(!d.allows("FileOpenReadOnly /var/app"))
    }

    @Test func directoriesWithAndWithoutTrailingSlashMeanTheSame() {
        guard let d = Decider("permit (principal, action == Action::\"FileOpenReadOnly\", resource) when { resource in [Dir::\"/workspace\"] };") else { return }
        #expect(d.allows("FileOpenReadOnly /workspace/a/b"))
        #expect(!d.allows("FileOpenReadOnly /workspace2/a"))
        #expect(!d.allows("FileOpenReadOnly /workspace"))
    }

    @Test(arguments: [true, false]) func execForbidWinsInEitherOrder(_ permitFirst: Bool) {
        let p = "permit (principal, action == Action::\"ProcessExec\", resource) when { resource in [ Dir::\"/bin/\", Dir::\"/usr/bin/\" ] };"
        let f = "forbid (principal, action == Action::\"ProcessExec\", resource) when { resource in [ File::\"/usr/bin/nmap\" ] };"
        guard let d = Decider(permitFirst ? p + "\n" + f : f + "\n" + p) else { return }
        #expect(d.allows("ProcessExec /usr/bin/git"))
        #expect(!d.allows("ProcessExec /usr/bin/nmap"))
        #expect(!d.allows("ProcessExec /opt/tool"))
        #expect(!d.allows("ProcessMmapExec /usr/bin/git"))  // a different action
    }

    @Test(arguments: [true, false]) func hostsForbidWinsInEitherOrder(_ permitFirst: Bool) {
        let p = "permit (principal, action == Action::\"NetworkConnect\", resource) when { resource in [ Host::\"api.internal\", Host::\"*.corp.example\", Host::\"db.internal:5432\", Host::\"10.9.8.7\" ] };"
        let f = "forbid (principal, action == Action::\"NetworkConnect\", resource) when { resource in [ Host::\"*.facebook.com\", Host::\"bad.corp.example\" ] };"
        guard let d = Decider(permitFirst ? p + "\n" + f : f + "\n" + p) else { return }
        #expect(d.allows("NetworkConnect api.internal:443 ip=10.0.0.1"))
        #expect(d.allows("NetworkConnect api.internal:8443 ip=10.0.0.1"))
        #expect(d.allows("NetworkConnect git.corp.example:22 ip=10.0.0.2"))
        #expect(d.allows("NetworkConnect a.b.corp.example:22 ip=10.0.0.2"))
        #expect(!d.allows("NetworkConnect corp.example:443 ip=10.0.0.2"))  // *.x is subdomains only
        #expect(!d.allows("NetworkConnect bad.corp.example:443 ip=10.0.0.3"))
        #expect(d.allows("NetworkConnect db.internal:5432 ip=10.0.0.4"))
        #expect(!d.allows("NetworkConnect db.internal:5433 ip=10.0.0.4"))
        #expect(d.allows("NetworkConnect 10.9.8.7:80"))
        #expect(d.allows("NetworkConnect somename:80 ip=10.9.8.7"))  // Host::"ip" is an ancestor too
        #expect(!d.allows("NetworkConnect www.facebook.com:443 ip=157.240.1.35"))
        #expect(!d.allows("NetworkConnect example.org:443 ip=93.184.216.34"))
    }

    @Test func mcpToolOnServer() {
        let text = """
            permit (principal, action == Action::"McpCall", resource);
            forbid (principal, action == Action::"McpCall", resource == MCP::Tool::"execute-shell")
            when { resource in [ MCP::Server::"mcp.example.com" ] };
            """
        guard let d = Decider(text) else { return }
        #expect(!d.allows("McpCall mcp.example.com/execute-shell"))
        #expect(d.allows("McpCall mcp.example.com/search"))
        #expect(d.allows("McpCall other.example/execute-shell"))
    }

    @Test func fileOpenGroupEqualityMatchesNothingAsCedarSays() {
        // Leash treats FileOpen as "any open"; in Cedar it is a group, and == on a group
        // matches no request. The compiler warns, and the decision follows Cedar.
        guard let d = Decider("permit (principal, action == Action::\"FileOpen\", resource) when { resource in Dir::\"/w/\" };") else { return }
        #expect(!d.allows("FileOpenReadOnly /w/a"))
        guard let e = Decider("permit (principal, action in Action::\"FileOpen\", resource) when { resource in Dir::\"/w/\" };") else { return }
        #expect(e.allows("FileOpenReadOnly /w/a"))
        #expect(e.allows("FileOpenReadWrite /w/a"))
        #expect(!e.allows("FileUnlink /w/a"))
    }
}
