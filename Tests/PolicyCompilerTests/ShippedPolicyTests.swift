// The policies in policies/: each compiles, validates against the vocabulary schema, and
// does what its comments say.

import Cedar
import Foundation
import PolicyCompiler
import Testing

@Suite struct ShippedPolicyTests {
    static let files = ["policies/default.cedar", "policies/ci-npm.cedar", "policies/strict.cedar",
                        "policies/examples/leash-style.cedar", "policies/examples/attribute-style.cedar"]

    @Test(arguments: files) func compilesWithoutDiagnostics(_ file: String) throws {
        let text = try readRepoFile(file)
        let result = PolicySourceCompiler.compile(source: text, file: file,
                                                  options: CompileOptions(agent: "claude", placeholders: testPlaceholders))
        #expect(result.policy != nil)
        #expect(result.diagnostics.filter { $0.severity != .note }.isEmpty, "\(result.diagnostics)")
    }

    @Test(arguments: files) func validatesAgainstTheSchema(_ file: String) throws {
        let schema = try Schema.parse(cedarschema: try readRepoFile("policies/leash.cedarschema"), file: "leash.cedarschema")
        let set = try CedarParser.parsePolicySet(try readRepoFile(file), file: file)
        let errors = Validator.validate(set, schema: schema).filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func schemaActionsMatchTheCompilersVocabulary() throws {
        let schema = try Schema.parse(cedarschema: try readRepoFile("policies/leash.cedarschema"), file: "leash.cedarschema")
        let schemaActions = Set(schema.actions.keys.map(\.id))
        let known = Set(Vocabulary.actions.map(\.name)).union(Vocabulary.groups.keys)
        #expect(schemaActions == known)
        for a in Vocabulary.actions {
            let uid = EntityUID("Action", a.name)
            let ancestors = Set((schema.actionAncestors[uid] ?? []).map(\.id))
            #expect(ancestors == Vocabulary.ancestors(ofAction: a.name), "groups of \(a.name)")
            #expect(schema.actions[uid]?.appliesTo?.resources.map(\.qualified) == [a.kind.entityType], "resource of \(a.name)")
        }
    }

    @Test func defaultPolicyIntent() throws {
        guard let d = Decider(try readRepoFile("policies/default.cedar"), file: "default.cedar") else { return }
        // Reads anywhere, except credential stores.
        #expect(d.allows("FileOpenReadOnly /etc/passwd"))
        #expect(d.allows("FileOpenReadOnly /work/proj/src/main.c"))
        for secret in ["/home/u/.ssh/id_rsa", "/home/u/.aws/credentials", "/home/u/.config/gcloud/credentials.db",
                       "/home/u/.kube/config", "/home/u/.docker/config.json", "/home/u/.netrc", "/home/u/.git-credentials",
                       "/home/u/.npmrc", "/home/u/.mozilla/firefox/x/logins.json", "/home/u/.password-store/a.gpg",
                       "/home/u/.bash_history", "/home/u/.azure/accessTokens.json", "/home/u/.gnupg/private-keys-v1.d/k"] {
            #expect(!d.allows("FileOpenReadOnly \(secret)"), "\(secret) must be denied")
        }
        // Each store comes back with its own flag, and only with it.
        #expect(d.allows("FileOpenReadOnly /home/u/.ssh/id_rsa", flags: ["approved_ssh_access"]))
        #expect(!d.allows("FileOpenReadOnly /home/u/.ssh/id_rsa", flags: ["approved_aws_credentials"]))
        #expect(d.allows("FileOpenReadOnly /home/u/.aws/credentials", flags: ["approved_aws_credentials"]))
        #expect(d.decide("FileOpenReadOnly /home/u/.ssh/id_rsa").1 == "ssh-keys")
        // Writes: working directory, temp, caches, agent config, devices; nowhere else.
        #expect(d.allows("FileCreate /work/proj/build/out.o"))
        #expect(d.allows("FileOpenReadWrite /tmp/x"))
        #expect(d.allows("FileMkdir /home/u/.npm/_cacache"))
        #expect(d.allows("FileOpenReadWrite /home/u/.cache/pip/http/x"))
        #expect(d.allows("FileOpenReadWrite /home/u/.claude/settings.json"))
        #expect(d.allows("FileOpenReadWrite /home/u/.claude.json"))
        #expect(d.allows("FileOpenReadWrite /dev/null"))
        #expect(d.allows("FileOpenReadWrite /dev/pts/3"))
        #expect(!d.allows("FileOpenReadWrite /home/u/.bashrc"))
        #expect(!d.allows("FileUnlink /etc/hosts"))
        #expect(!d.allows("FileOpenReadWrite /work/project-other/x"))
        #expect(!d.allows("FileOpenReadWrite /work/proj"))  // the directory itself is not under itself
        #expect(!d.allows("FileOpenReadWrite /work/proj/.ssh/authorized_keys"))  // forbid wins inside the workdir
        // Any exec.
        #expect(d.allows("ProcessExec /usr/bin/git"))
        #expect(d.allows("ProcessMmapExec /work/proj/node_modules/x/addon.node"))
        // Network: model APIs, npm, GitHub, loopback; nothing else.
        #expect(d.allows("NetworkConnect api.anthropic.com:443 ip=160.79.104.10"))
        #expect(d.allows("NetworkConnect api.openai.com:443 ip=162.159.140.245"))
        #expect(d.allows("NetworkConnect generativelanguage.googleapis.com:443 ip=142.250.1.95"))
        #expect(d.allows("NetworkConnect registry.npmjs.org:443 ip=104.16.1.35"))
        #expect(d.allows("NetworkConnect github.com:443 ip=140.82.112.3"))
        #expect(d.allows("NetworkConnect objects.githubusercontent.com:443 ip=185.199.108.133"))
        #expect(d.allows("NetworkConnect 127.0.0.1:8080"))
        #expect(d.allows("NetworkConnect [::1]:3000"))
        #expect(!d.allows("NetworkConnect evil.example:443 ip=203.0.113.7"))
        #expect(!d.allows("NetworkConnect api.anthropic.com:80 ip=160.79.104.10"))
        #expect(!d.allows("NetworkConnect 203.0.113.7:443"))
        #expect(!d.allows("NetworkSend 203.0.113.7:9999 udp"))
        #expect(d.allows("NetworkSend 203.0.113.53:53 udp"))
        #expect(!d.allows("UnixConnect /var/run/docker.sock"))
        #expect(d.allows("UnixConnect /run/dbus/system_bus_socket"))
    }

    @Test func ciNpmPolicyIntent() throws {
        guard let d = Decider(try readRepoFile("policies/ci-npm.cedar"), file: "ci-npm.cedar") else { return }
        #expect(d.allows("FileOpenReadOnly /work/proj/package-lock.json"))
        #expect(d.allows("FileCreate /work/proj/node_modules/left-pad/index.js"))
        #expect(d.allows("FileOpenReadWrite /home/u/.npm/_cacache/index-v5/x"))
        #expect(d.allows("ProcessExec /usr/bin/node"))
        #expect(d.allows("ProcessExec /work/proj/node_modules/.bin/tsc"))
        #expect(d.allows("ProcessMmapExec /work/proj/node_modules/re2/build/Release/re2.node"))
        #expect(!d.allows("ProcessMmapExec /work/proj/node_modules/re2/build/Release/evil.so"))
        #expect(d.allows("NetworkConnect registry.npmjs.org:443 ip=104.16.1.35"))
        #expect(!d.allows("NetworkConnect registry.npmjs.org:443 ip=104.16.1.35 udp"))
        #expect(!d.allows("NetworkConnect github.com:443 ip=140.82.112.3"))
        #expect(!d.allows("FileOpenReadOnly /home/u/.ssh/id_rsa"))
        #expect(!d.allows("FileOpenReadWrite /etc/passwd"))
        #expect(!d.allows("ProcessExec /home/u/bin/tool"))
    }

    @Test func strictPolicyIntent() throws {
        guard let d = Decider(try readRepoFile("policies/strict.cedar"), file: "strict.cedar") else { return }
        #expect(d.allows("FileOpenReadOnly /work/proj/README.md"))
        #expect(!d.allows("FileOpenReadOnly /home/u/notes.txt"))
        #expect(!d.allows("FileOpenReadOnly /work/proj/.env"))
        #expect(!d.allows("FileOpenReadOnly /work/proj/certs/server.key"))
        #expect(d.allows("FileOpenReadWrite /work/proj/src/a.swift"))
        #expect(!d.allows("FileOpenReadWrite /work/proj/.git/hooks/pre-commit"))
        #expect(d.allows("ProcessExec /usr/bin/swift"))
        #expect(!d.allows("ProcessExec /work/proj/run.sh"))
        #expect(d.allows("NetworkConnect api.anthropic.com:443 ip=160.79.104.10"))
        #expect(!d.allows("NetworkConnect api.openai.com:443 ip=162.159.140.245"))
        #expect(!d.allows("NetworkConnect 127.0.0.1:8080"))
    }

    @Test func attributeStyleExampleIntent() throws {
        guard let d = Decider(try readRepoFile("policies/examples/attribute-style.cedar"), file: "attribute-style.cedar") else { return }
        #expect(d.allows("FileOpenReadOnly /home/u/src/x"))
        #expect(!d.allows("FileOpenReadOnly /home/u/.ssh/id_ed25519"))
        #expect(d.allows("FileOpenReadOnly /home/u/.ssh/id_ed25519", flags: ["approved_ssh_access"]))
        #expect(d.allows("NetworkConnect api.github.com:443 ip=140.82.112.6"))
        #expect(!d.allows("NetworkConnect api.github.com:443 ip=10.1.2.3"))  // private address forbidden even for github
        #expect(d.allows("NetworkConnect 127.0.0.1:5432"))
        #expect(!d.allows("NetworkConnect 127.0.0.1:22"))
        // Another agent gets none of claude's permits.
        guard let other = Decider(try readRepoFile("policies/examples/attribute-style.cedar"), agent: "codex") else { return }
        #expect(!other.allows("FileOpenReadOnly /home/u/src/x"))
    }
}
