// Lowers the file rules of a compiled policy to Landlock, which can only allow rights
// beneath paths. Allowed = (some permit) and not (some forbid), per action, with context
// flags false (a Landlock ruleset cannot change after start). A directory where that is
// the same for the whole subtree is one rule; where it is not (a carve-out inside an
// allowed tree), the directory is expanded: its existing entries are decided one by one,
// so entries created there after start are denied. Patterns with no anchor (`*/.ssh/*`)
// are first pinned to the matching places that exist under the search roots.

import CLeashShim
import PolicyCompiler

public struct LandlockGrant: Codable, Sendable, Equatable {
    public var path: String
    public var rights: UInt64
    public var isDirectory: Bool
}

public struct LandlockRuleReport: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Landlock decides every request of the rule as Cedar would.
        case exact
        /// Some requests are decided differently, in the ways listed.
        case approximated
        /// Landlock cannot restrict what the rule is about.
        case notEnforceable = "not-enforceable"
        /// Not a kernel rule (MCP tool calls are the MCP proxy's).
        case notApplicable = "not-applicable"
    }
    public var index: Int
    public var id: String
    public var effect: String
    public var location: String
    public var status: Status
    /// How the rule is approximated or why it cannot be enforced.
    public var reasons: [String]
    /// Facts that do not change a decision at start (e.g. flags fixed to false).
    public var notes: [String]
    /// Whether starting a sandbox with this rule needs --allow-approximate.
    public var needsConsent: Bool { status == .approximated || status == .notEnforceable }
}

public struct LandlockPlan: Codable, Sendable {
    public var handledAccessFS: UInt64
    public var grants: [LandlockGrant]
    public var rules: [LandlockRuleReport]
    /// Directories expanded entry by entry (new entries there are denied).
    public var expandedDirectories: [String]
    /// Where each unanchored pattern was pinned.
    public var anchors: [String: [String]]
    /// Actions the policy denies somewhere (if only by default) that Landlock cannot deny.
    public var gaps: [LandlockGap]
    public var approximations: [LandlockRuleReport] { rules.filter(\.needsConsent) }
    /// Whether `leash run` needs --allow-approximate.
    public var needsConsent: Bool { !approximations.isEmpty || !gaps.isEmpty }
}

/// An action whose denials this backend cannot carry out, so requests the policy denies
/// (by a forbid or by default) would be allowed.
public struct LandlockGap: Codable, Sendable {
    public var action: String
    public var reason: String
}

public struct LandlockPlanner {
    public var tree: FileTree
    /// Where patterns starting with `*` are looked for (home directories, the workdir).
    public var searchRoots: [String]
    public var searchDepth = 4
    public var searchBudget = 20_000
    /// Where cgroup file systems are mounted. The network rules hold only while the
    /// sandbox stays in leash's cgroup, and a write to another cgroup's cgroup.procs
    /// would move it out.
    public var cgroupMounts: [String] = []

    public init(tree: FileTree = LiveFileTree(), searchRoots: [String]) {
        self.tree = tree; self.searchRoots = searchRoots
    }

    public func plan(_ policy: CompiledPolicy) throws -> LandlockPlan {
        // Conditions per rule per action.
        var conditions: [[String: LoweredCondition]] = []
        for r in policy.rules {
            var c: [String: LoweredCondition] = [:]
            for (a, text) in r.lowered { c[a] = try LoweredCondition.parse(text) }
            conditions.append(c)
        }
        // Pin unanchored patterns.
        var anchors: [String: [String]] = [:]
        var pinned: [GlobPattern: LoweredCondition] = [:]
        let hasUnanchored = conditions.contains { $0.values.contains { $0.pathPatterns.contains(where: \.isUnanchored) } }
        let space = hasUnanchored ? searchSpace() : []
        for c in conditions { for cond in c.values { for p in cond.pathPatterns where p.isUnanchored && pinned[p] == nil {
            let found = pin(p, in: space)
            anchors[p.description] = found.map { $0.1 ? $0.0 + "/" : $0.0 }
            pinned[p] = .or(found.map { path, isDir in .path(GlobPattern(literal: isDir ? GlobPattern.slashed(path) : path).appendingStar(isDir)) })
        } } }
        let anchored = conditions.map { $0.mapValues { $0.mapPaths { p in pinned[p] ?? .path(p) } } }

        // Expand per action.
        var rights: [String: UInt64] = [:]  // path -> rights
        var isDir: [String: Bool] = [:]
        var expanded: [String: Set<String>] = [:]  // action -> expanded directories
        for (action, r) in LandlockRights.byAction {
            var permits: [LoweredCondition] = [], forbids: [LoweredCondition] = []
            for (i, rule) in policy.rules.enumerated() {
                guard let c = anchored[i][action] else { continue }
                if rule.effect == "forbid" { forbids.append(c) } else { permits.append(c) }
            }
            let permitted = LoweredCondition.or(permits)
            let allowed = LoweredCondition.and([permitted, .not(.or(forbids))])
            var partial = Set<String>()
            expand("/", allowed, depth: 0) { path, dir in
                rights[path, default: 0] |= dir ? r : (r & ~LandlockRights.directoryOnly)
                isDir[path] = dir
            } partial: { d in
                partial.insert(d)
                // Inside a tree the policy lets the sandbox read, a carve-out would make
                // `ls` fail on every directory along its path: listing names is let
                // through there (reported on the permit); contents stay denied.
                if action == "FileOpenReadOnly" && permitted.beneath(d) == .some(true) {
                    rights[d, default: 0] |= UInt64(LEASH_LL_FS_READ_DIR)
                    isDir[d] = true
                }
            }
            expanded[action] = partial
        }
        let grants = rights.keys.sorted().compactMap { p -> LandlockGrant? in
            let r = rights[p]!
            return r == 0 ? nil : LandlockGrant(path: p, rights: r, isDirectory: isDir[p] ?? false)
        }

        // Reports: each reason once per rule, with the actions it concerns.
        var reports: [LandlockRuleReport] = []
        let linkSameAsCreate = allowedCondition("FileLink", anchored, policy) == allowedCondition("FileCreate", anchored, policy)
        let overDenials = overDenials(anchored, policy)
        let expandedTrees = expanded.mapValues(ExpandedTree.init)
        let rank: [LandlockRuleReport.Status: Int] = [.exact: 0, .notApplicable: 1, .approximated: 2, .notEnforceable: 3]
        for (i, rule) in policy.rules.enumerated() {
            var status = LandlockRuleReport.Status.exact
            var reasons: [(text: String, actions: [String])] = [], notes: [String] = []
            func worsen(_ s: LandlockRuleReport.Status, _ action: String, _ why: String) {
                if rank[s]! > rank[status]! { status = s }
                if let k = reasons.firstIndex(where: { $0.text == why }) { reasons[k].actions.append(action) }
                else { reasons.append((why, [action])) }
            }
            for action in rule.lowered.keys.sorted(by: { a, b in actionOrder(a) < actionOrder(b) }) {
                let cond = conditions[i][action]!
                guard let info = Vocabulary.action(action) else { continue }
                switch info.kind {
                case .mcp: worsen(.notApplicable, action, "decided by the MCP proxy, not the kernel"); continue
                case .host:
                    // Enforced beside Landlock by the cgroup socket programs with the policy
                    // engine's tables (Sources/Resolver, bpf/sandbox_net.bpf.c): exact per connect.
                    let n = "network rules are enforced by cgroup connect/sendmsg programs; names by leash's resolver (an address answered for an allowed name admits every name on it; a UDP socket that connects is decided once, as NetworkConnect)"
                    if !notes.contains(n) { notes.append(n) }
                    continue
                case .file, .host: break
                }
                // Allowed everywhere by this rule: not restricting the action is exactly right.
                // Forbids on such an action are reported on the forbid and in the gaps.
                if rule.effect == "permit" && cond == .constant(true) && (LandlockRights.invisible[action] != nil || info.kind == .host) { continue }
                if let why = LandlockRights.invisible[action] { worsen(.notEnforceable, action, why); continue }
                // A link is exactly a creation for Landlock: only a FileLink condition that
                // differs from FileCreate's is approximated (the denial side is a gap below).
                if let why = LandlockRights.borrowed[action], !linkSameAsCreate { worsen(.approximated, action, why) }
                let r = LandlockRights.byAction.first { $0.action == action }?.rights ?? 0
                for f in Set(cond.flags).sorted() {
                    let n = "context.\(f) is false for the whole run: a Landlock ruleset cannot change after start, so an approval needs a restart"
                    if !notes.contains(n) { notes.append(n) }
                }
                for p in cond.pathPatterns {
                    if p.isUnanchored {
                        let where_ = anchors[p.description] ?? []
                        worsen(.approximated, action, "\(p) has no anchor: enforced only at the \(where_.count) place\(where_.count == 1 ? "" : "s") that existed at start under \(searchRoots.joined(separator: ", ")) (depth \(searchDepth))\(where_.isEmpty ? "" : ": " + where_.prefix(5).joined(separator: ", ") + (where_.count > 5 ? ", …" : "")); others, and ones created later, are not protected")
                    } else if p.subtreeRoot != nil {
                        continue
                    } else if let lit = p.literalPath {
                        // `D/`: the directory itself, which a `resource in Dir::"D/"` rule excludes.
                        if lit.hasSuffix("/") { continue }
                        if r & LandlockRights.directoryOnly != 0 && rule.effect == "permit" {
                            worsen(.approximated, action, "\(lit) is a single name: Landlock grants creation, removal and renaming per directory, so they are denied")
                        } else if tree.kind(lit) == .missing && rule.effect == "permit" {
                            worsen(.approximated, action, "\(lit) does not exist at start, so it is denied")
                        }
                    } else {
                        worsen(.approximated, action, "\(p) is matched against the entries that existed at start; entries created later are denied")
                    }
                }
                // Landlock asks some actions for other actions' rights too: where this permit
                // allows one and the policy does not allow the other, Landlock denies it.
                if rule.effect == "permit" && (action == "FileRename" || action == "FileLink") {
                    let n = "Landlock refuses (EXDEV) a rename or hard link into another directory where the file would gain a right it does not have where it is"
                    if !notes.contains(n) { notes.append(n) }
                }
                if rule.effect == "permit" {
                    for over in overDenials where over.action == action
                        && somewhere(anchored[i][action]!, lacks: over.alsoNeeds) {
                        worsen(.approximated, action, over.why)
                    }
                }
                // A directory expanded entry by entry, for a forbid or for this permit's own
                // exceptions (`unless`), denies entries created there after start.
                if rule.effect == "permit", let tree = expandedTrees[action] {
                    let hit = tree.createdLaterAllowed(by: anchored[i][action]!)
                    if !hit.isEmpty {
                        worsen(.approximated, action, "carve-outs are expanded at start in \(hit.prefix(4).joined(separator: ", "))\(hit.count > 4 ? ", …" : ""): entries created there after start are denied" + (action == "FileOpenReadOnly" ? ", and names inside the carve-outs can be listed (not read)" : ""))
                    }
                }
            }
            reports.append(LandlockRuleReport(index: rule.index, id: rule.policyID, effect: rule.effect, location: rule.location,
                                              status: status, reasons: reasons.map { "\($0.actions.joined(separator: ", ")): \($0.text)" }, notes: notes))
        }
        // Denials nothing here can carry out: an action is safe only if the policy allows it everywhere.
        var gaps: [LandlockGap] = []
        for info in Vocabulary.actions where info.kind != .mcp {
            let invisible = LandlockRights.invisible[info.name]  // network actions: the cgroup programs
            guard let why = invisible else { continue }
            var permits: [LoweredCondition] = [], forbids: [LoweredCondition] = []
            for (i, rule) in policy.rules.enumerated() {
                guard let c = anchored[i][info.name] else { continue }
                if rule.effect == "forbid" { forbids.append(c) } else { permits.append(c) }
            }
            let allowedEverywhere = forbids.isEmpty && permits.contains(.constant(true))
            if !allowedEverywhere { gaps.append(LandlockGap(action: info.name, reason: "the policy denies some \(info.name) requests, but \(why)")) }
        }
        if let gap = cgroupGap(anchored, policy) { gaps.append(gap) }
        gaps += borrowedRightGaps(anchored, policy)
        let allExpanded = Set(expanded.values.flatMap { $0 }).sorted()
        return LandlockPlan(handledAccessFS: LandlockRights.handled, grants: grants, rules: reports,
                            expandedDirectories: allExpanded, anchors: anchors, gaps: gaps)
    }

    /// Network denials are carried out by programs attached to the sandbox's cgroup; a
    /// policy that lets the sandbox write cgroup files lets it leave that cgroup.
    func cgroupGap(_ anchored: [[String: LoweredCondition]], _ policy: CompiledPolicy) -> LandlockGap? {
        func allowed(_ action: String) -> (condition: LoweredCondition, everywhere: Bool) {
            var permits: [LoweredCondition] = [], forbids: [LoweredCondition] = []
            for (i, rule) in policy.rules.enumerated() {
                guard let c = anchored[i][action] else { continue }
                if rule.effect == "forbid" { forbids.append(c) } else { permits.append(c) }
            }
            return (.and([.or(permits), .not(.or(forbids))]), forbids.isEmpty && permits.contains(.constant(true)))
        }
        guard !(allowed("NetworkConnect").everywhere && allowed("NetworkSend").everywhere) else { return nil }
        let write = allowed("FileOpenReadWrite").condition
        let writable = cgroupMounts.filter { write.beneath($0) != .some(false) }
        guard !writable.isEmpty else { return nil }
        return LandlockGap(action: "NetworkConnect, NetworkSend",
                           reason: "the policy lets the sandbox write cgroup files beneath \(writable.joined(separator: ", ")): it could write its pid into another cgroup's cgroup.procs and leave leash's cgroup, where the network rules are enforced")
    }

    /// Landlock decides two actions with other actions' rights: a hard link is a creation
    /// (make_* in the new directory), and a rename inside one directory is a creation plus
    /// a removal there (refer is asked only across directories). Where the policy allows
    /// FileCreate but denies FileLink, or allows FileCreate and FileUnlink but denies
    /// FileRename, Landlock lets those through: a gap. No gap only when the allowed sets
    /// are provably the same (the rules give both actions the same conditions); otherwise
    /// the three-valued test below can only say "maybe", and maybe is reported.
    func borrowedRightGaps(_ anchored: [[String: LoweredCondition]], _ policy: CompiledPolicy) -> [LandlockGap] {
        func allowed(_ action: String) -> LoweredCondition { allowedCondition(action, anchored, policy) }
        var gaps: [LandlockGap] = []
        if allowed("FileLink") != allowed("FileCreate"),
           LoweredCondition.and([allowed("FileCreate"), .not(allowed("FileLink"))]).beneath("/") != .some(false) {
            gaps.append(LandlockGap(action: "FileLink", reason: "the policy denies some hard links where it allows FileCreate, but Landlock checks a hard link as a creation: they are allowed there"))
        }
        if allowed("FileRename") != allowed("FileCreate") && allowed("FileRename") != allowed("FileUnlink"),
           LoweredCondition.and([allowed("FileCreate"), allowed("FileUnlink"), .not(allowed("FileRename"))]).beneath("/") != .some(false) {
            gaps.append(LandlockGap(action: "FileRename", reason: "the policy denies some renames where it allows FileCreate and FileUnlink, but Landlock checks a rename inside one directory as a creation and a removal: they are allowed there"))
        }
        return gaps
    }

    /// What Landlock asks of an action beyond its own rights (fs/landlock in the kernel):
    /// execve opens the program for reading; a rename removes from the old directory and
    /// creates in the new one (directories: rmdir and mkdir); a hard link into another
    /// directory needs the refer right, which leash grants where FileRename is allowed.
    func overDenials(_ anchored: [[String: LoweredCondition]], _ policy: CompiledPolicy)
        -> [(action: String, alsoNeeds: NarrowedAlongTree, why: String)] {
        func allowed(_ action: String) -> LoweredCondition { allowedCondition(action, anchored, policy) }
        return [
            ("ProcessExec", NarrowedAlongTree(allowed("FileOpenReadOnly")),
             "Landlock's execve opens the program for reading: an exec of a file the policy does not let the sandbox read (FileOpenReadOnly) is denied"),
            ("FileRename", NarrowedAlongTree(.and([allowed("FileCreate"), allowed("FileUnlink")])),
             "Landlock checks a rename as a removal from the old directory and a creation in the new one: renaming a file where the policy does not also allow FileCreate and FileUnlink is denied"),
            ("FileRename", NarrowedAlongTree(.and([allowed("FileMkdir"), allowed("FileRmdir")])),
             "Landlock checks renaming a directory as a removal and a creation of a directory: it is denied where the policy does not also allow FileMkdir and FileRmdir"),
            ("FileLink", NarrowedAlongTree(allowed("FileRename")),
             "Landlock asks its refer right for a hard link into another directory, which leash grants where FileRename is allowed: such a link where the policy does not allow FileRename is denied (EXDEV)"),
        ]
    }

    /// (some permit) and not (some forbid) for `action`, rules in policy order: two actions
    /// whose rules are written alike get equal values.
    func allowedCondition(_ action: String, _ anchored: [[String: LoweredCondition]], _ policy: CompiledPolicy) -> LoweredCondition {
        var permits: [LoweredCondition] = [], forbids: [LoweredCondition] = []
        for (i, rule) in policy.rules.enumerated() {
            guard let c = anchored[i][action] else { continue }
            if rule.effect == "forbid" { forbids.append(c) } else { permits.append(c) }
        }
        return .and([.or(permits), .not(.or(forbids))])
    }

    /// Grants `allowed` beneath `dir` as whole subtrees where it is uniform, else entry by entry.
    func expand(_ dir: String, _ allowed: LoweredCondition, depth: Int,
                grant: (String, Bool) -> Void, partial: (String) -> Void) {
        let allowed = allowed.narrowed(beneath: dir)
        switch allowed.beneath(dir) {
        case .some(true): grant(dir, true)
        case .some(false): return
        case .none:
            partial(dir)
            guard depth < 64 else { return }
            for (name, kind) in tree.entries(dir) {
                let path = joinPath(dir, name)
                switch kind {
                case .directory: expand(path, allowed, depth: depth + 1, grant: grant, partial: partial)
                case .file: if allowed.holds(forPath: path) { grant(path, false) }
                // A symlink is decided where it points: the kernel resolves it before Landlock looks.
                case .symlink, .missing: continue
                }
            }
        }
    }

    /// A name no rule spells out: it stands for an entry created after start.
    static let freshName = "\u{1}entry-created-later"

    /// Whether some path `condition` allows is not allowed by `needed`: walked from `/` like
    /// `expand`, over the entries that exist and, in each directory, one created later.
    /// Says true when it cannot tell (a subtree it does not walk), so a caller that reports
    /// on true never misses a case. `needed` is shared by every rule asked about, so its
    /// narrowing per directory is done once.
    func somewhere(_ condition: LoweredCondition, lacks needed: NarrowedAlongTree, _ dir: String = "/", depth: Int = 0) -> Bool {
        let c = condition.narrowed(beneath: dir)
        let allowedHere = c.beneath(dir)
        if allowedHere == .some(false) { return false }
        let neededHere = needed.beneath(dir)
        if neededHere == .some(true) { return false }
        if allowedHere == .some(true) && neededHere == .some(false) { return true }
        guard depth < 64 else { return true }
        let fresh = joinPath(dir, Self.freshName)
        if c.holds(forPath: fresh) && !needed.holds(fresh) { return true }
        if c.beneath(fresh) != .some(false) && needed.beneath(fresh) != .some(true) { return true }
        for (name, kind) in tree.entries(dir) {
            let path = joinPath(dir, name)
            if c.holds(forPath: path) && !needed.holds(path) { return true }
            if kind == .directory && somewhere(c, lacks: needed, path, depth: depth + 1) { return true }
        }
        return false
    }

    /// Every directory and file under the search roots, walked once (bounded by depth and budget).
    func searchSpace() -> [(path: String, isDirectory: Bool)] {
        var out: [(String, Bool)] = []
        var budget = searchBudget
        var seen = Set<String>()
        func walk(_ dir: String, _ depth: Int) {
            guard budget > 0, seen.insert(dir).inserted else { return }
            budget -= 1
            out.append((dir, true))
            guard depth < searchDepth else { return }
            for (name, kind) in tree.entries(dir) {
                let path = joinPath(dir, name)
                switch kind {
                case .directory: walk(path, depth + 1)
                case .file: out.append((path, false))
                default: continue
                }
            }
        }
        for r in searchRoots { walk(r, 0) }
        return out
    }

    /// Existing places an unanchored pattern covers: directories whose whole subtree
    /// matches (true) and files that match (false); nothing beneath a directory found.
    func pin(_ p: GlobPattern, in space: [(path: String, isDirectory: Bool)]) -> [(String, Bool)] {
        var out: [(String, Bool)] = []
        // A file the pattern matches contains its longest literal run: checking that first
        // skips the matcher for almost every file (it was a fifth of leash run's start-up
        // with the default policy's 30 unanchored patterns).
        let needle = p.longestLiteralUTF8
        for e in space {
            if !e.isDirectory && !GlobPattern.contains(e.path, needle) { continue }
            if out.contains(where: { $0.1 && e.path.hasPrefix(GlobPattern.slashed($0.0)) }) { continue }
            if e.isDirectory ? p.matchesAll(beneath: e.path) : p.matches(e.path) { out.append((e.path, e.isDirectory)) }
        }
        return out
    }
}

private func actionOrder(_ a: String) -> Int { Vocabulary.actions.firstIndex { $0.name == a } ?? Int.max }

extension GlobPattern {
    func appendingStar(_ yes: Bool) -> GlobPattern { yes ? GlobPattern(elements + [nil]) : self }
}

extension LoweredCondition {
    /// The condition as it stands for every path strictly beneath `dir`: a path atom that
    /// is true for all of them, or for none, becomes a constant. The planner hands it down
    /// the tree, so a directory meets only the patterns that can still tell its entries
    /// apart (when every directory met every pattern, a 10,000-rule policy took 74 s to plan).
    func narrowed(beneath dir: String) -> LoweredCondition {
        switch self {
        case .constant, .flag, .other: return self
        case .path(let p):
            return p.truth(beneath: dir).map { .constant($0) } ?? self
        case .not(let c):
            let n = c.narrowed(beneath: dir)
            if case .constant(let b) = n { return .constant(!b) }
            return .not(n)
        case .and(let cs), .or(let cs):
            let isAnd: Bool
            if case .and = self { isAnd = true } else { isAnd = false }
            var kept: [LoweredCondition] = []
            for c in cs {
                let n = c.narrowed(beneath: dir)
                if case .constant(let b) = n {
                    if b != isAnd { return n }  // false in an and, true in an or
                    continue
                }
                kept.append(n)
            }
            if kept.isEmpty { return .constant(isAnd) }
            return kept.count == 1 ? kept[0] : (isAnd ? .and(kept) : .or(kept))
        }
    }

    /// Three-valued truth over the whole subtree of `dir`: true or false when uniform, nil when mixed.
    func beneath(_ dir: String) -> Bool? {
        switch self {
        case .constant(let b): return b
        case .flag, .other: return false
        case .path(let p): return p.truth(beneath: dir)
        case .not(let c): return c.beneath(dir).map { !$0 }
        case .and(let cs):
            var unknown = false
            for c in cs { switch c.beneath(dir) { case .some(false): return false; case .none: unknown = true; default: break } }
            return unknown ? nil : true
        case .or(let cs):
            var unknown = false
            for c in cs { switch c.beneath(dir) { case .some(true): return true; case .none: unknown = true; default: break } }
            return unknown ? nil : false
        }
    }
}

/// The directories one action's expansion walked entry by entry, as a tree (each one's
/// parent was expanded too: the walk only descends through them).
struct ExpandedTree {
    var children: [String: [String]] = [:]
    var hasRoot = false

    init(_ directories: Set<String>) {
        for d in directories {
            if d == "/" { hasRoot = true; continue }
            children[parentDirectory(d), default: []].append(d)
        }
    }

    /// The expanded directories where `condition` allows an entry created after start,
    /// sorted. Walked down with the narrowed condition, so a rule meets only the
    /// directories its patterns reach.
    func createdLaterAllowed(by condition: LoweredCondition) -> [String] {
        guard hasRoot else { return [] }
        var out: [String] = []
        func visit(_ d: String, _ c: LoweredCondition) {
            let n = c.narrowed(beneath: d)
            if n == .constant(false) { return }
            let fresh = joinPath(d, LandlockPlanner.freshName)
            if n.holds(forPath: fresh) || n.beneath(fresh) != .some(false) { out.append(d) }
            for child in children[d] ?? [] { visit(child, n) }
        }
        visit("/", condition)
        return out.sorted()
    }
}

/// A condition narrowed for each directory asked about, each from its parent's (kept), so
/// asking about many rules along the same directories narrows a large condition once.
final class NarrowedAlongTree {
    private let whole: LoweredCondition
    private var byDirectory: [String: LoweredCondition] = [:]

    init(_ condition: LoweredCondition) { whole = condition }

    /// The condition for every path strictly beneath `dir`.
    func narrowed(_ dir: String) -> LoweredCondition {
        if let n = byDirectory[dir] { return n }
        let base = dir == "/" ? whole : narrowed(parentDirectory(dir))
        let n = base.narrowed(beneath: dir)
        byDirectory[dir] = n
        return n
    }

    private var truthBeneath: [String: Bool?] = [:]

    func beneath(_ dir: String) -> Bool? {
        if let t = truthBeneath[dir] { return t }
        let t = narrowed(dir).beneath(dir)
        truthBeneath[dir] = t
        return t
    }
    func holds(_ path: String) -> Bool { narrowed(parentDirectory(path)).holds(forPath: path) }
}

func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "/" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
