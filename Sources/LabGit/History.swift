import CLibGit2

/// Reading history: walking commits from a tip and ancestry questions. Read-only.
extension Repository {
    /// The ids of the commits reachable from `tip`, newest first (topological, then time);
    /// at most `limit` when given.
    public func history(from tip: ObjectID, limit: Int? = nil) throws -> [ObjectID] {
        try checkCommits(reachableFrom: tip)
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walk) }
        try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "git_revwalk_sorting")
        var start = tip.raw
        try check(git_revwalk_push(walk, &start), "git_revwalk_push")
        var ids: [ObjectID] = []
        var oid = git_oid()
        while limit.map({ ids.count < $0 }) ?? true {
            let code = git_revwalk_next(&oid, walk)
            if code == GIT_ITEROVER.rawValue { git_error_clear(); break }
            try check(code, "git_revwalk_next")
            ids.append(ObjectID(oid))
        }
        return ids
    }

    /// The commits reachable from `tip`, newest first, read in full.
    public func commits(from tip: ObjectID, limit: Int? = nil) throws -> [Commit] {
        try history(from: tip, limit: limit).map { try commit($0) }
    }

    /// True when `ancestor` is `descendant` or one of its ancestors.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws -> Bool {
        if ancestor == descendant { return true }
        try checkCommits(reachableFrom: descendant)
        var commit = descendant.raw
        var other = ancestor.raw
        return try check(git_graph_descendant_of(pointer, &commit, &other), "git_graph_descendant_of") == 1
    }

    /// Reads every commit reachable from `tip` of an untrusted repository through the check its
    /// reads go through (`checkFirstRead`, by way of `commit(_:)`), before a libgit2 walk that
    /// would otherwise open their files itself: the git folder's check does not list loose
    /// objects, it leaves each to the read. Nothing for a trusted repository.
    private func checkCommits(reachableFrom tip: ObjectID) throws {
        guard checksLooseObjects else { return }
        var seen = Set<ObjectID>(), pending = [tip]
        while let id = pending.popLast() {
            guard seen.insert(id).inserted else { continue }
            pending += try commit(id).parents
        }
    }
}
