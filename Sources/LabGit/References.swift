import CLibGit2

/// What a reference must hold for an update to go ahead: the compare half of compare-and-swap.
public enum ReferenceExpectation: Equatable, Sendable {
    /// Update whatever the reference holds (or create it).
    case any
    /// The reference must not exist yet.
    case absent
    /// The reference must point at this object.
    case value(ObjectID)
}

/// A direct reference and the object it points at.
public struct Reference: Equatable, Sendable {
    public let name: String
    public let target: ObjectID
}

/// References: resolve, list, create/update atomically (objects first, reference last), delete.
extension Repository {
    /// The object `name` points at, following symbolic references (`HEAD`); nil when the
    /// reference does not exist or HEAD's branch has no commit yet.
    public func referenceTarget(_ name: String) throws -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, pointer, name)
        if code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(code, "git_reference_name_to_id")
        return ObjectID(oid)
    }

    /// Points `name` at `target` in one atomic step, only if it currently holds what
    /// `expecting` says; writes `message` to the reflog where git keeps one. Throws
    /// `referenceChanged` when the reference held something else.
    public func updateReference(_ name: String, to target: ObjectID,
                                expecting: ReferenceExpectation = .any, message: String) throws {
        var oid = target.raw
        var reference: OpaquePointer?
        let code: Int32
        CrashPoint.refBefore.reached(name)
        switch expecting {
        case .any:
            code = git_reference_create(&reference, pointer, name, &oid, 1, message)
        case .absent:
            // libgit2 checks `force == 0` before taking the ref's lock, so two writers can both
            // pass it; a zero "current id" is checked again under the lock (absent matches it).
            var zero = git_oid()
            code = git_reference_create_matching(&reference, pointer, name, &oid, 0, &zero, message)
        case let .value(old):
            var oldOID = old.raw
            code = git_reference_create_matching(&reference, pointer, name, &oid, 1, &oldOID, message)
        }
        if code == GIT_EEXISTS.rawValue || code == GIT_EMODIFIED.rawValue {
            git_error_clear()
            throw try changed(name, expecting)
        }
        try check(code, expecting == .any ? "git_reference_create" : "git_reference_create_matching")
        git_reference_free(reference)
        CrashPoint.refAfter.reached(name)
    }

    /// Deletes `name` if it holds what `expecting` says; deleting a missing reference is
    /// not an error unless a value was expected.
    public func deleteReference(_ name: String, expecting: ReferenceExpectation = .any) throws {
        var reference: OpaquePointer?
        let code = git_reference_lookup(&reference, pointer, name)
        if code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            if case .value = expecting { throw try changed(name, expecting) }
            return
        }
        try check(code, "git_reference_lookup")
        defer { git_reference_free(reference) }
        if case let .value(old) = expecting {
            guard let current = git_reference_target(reference), ObjectID(current) == old else {
                throw try changed(name, expecting)
            }
        }
        // libgit2 deletes only if the reference still holds the value it was read with.
        CrashPoint.refBefore.reached(name)
        let deleted = git_reference_delete(reference)
        if deleted == GIT_EMODIFIED.rawValue {
            git_error_clear()
            throw try changed(name, expecting)
        }
        try check(deleted, "git_reference_delete")
        CrashPoint.refAfter.reached(name)
    }

    /// Every reference whose name starts with `prefix` (e.g. `refs/klab/`), sorted by name,
    /// symbolic ones resolved. A prefix without a trailing slash matches whole components only.
    public func references(under prefix: String) throws -> [Reference] {
        var iterator: OpaquePointer?
        if prefix.hasSuffix("/"), !prefix.contains(where: { "*?[\\".contains($0) }) {
            // Only the folder of the prefix is listed (libgit2 starts a glob's walk at its
            // last folder without wildcards); `*` matches across slashes, so nothing below is
            // missed. Names are still matched against the prefix below.
            try check(git_reference_iterator_glob_new(&iterator, pointer, prefix + "*"), "git_reference_iterator_glob_new")
        } else {
            try check(git_reference_iterator_new(&iterator, pointer), "git_reference_iterator_new")
        }
        defer { git_reference_iterator_free(iterator) }
        var result: [Reference] = []
        while true {
            var reference: OpaquePointer?
            let code = git_reference_next(&reference, iterator)
            if code == GIT_ITEROVER.rawValue { git_error_clear(); break }
            try check(code, "git_reference_next")
            defer { git_reference_free(reference) }
            let name = String(cString: git_reference_name(reference))
            let matches = prefix.hasSuffix("/") ? name.hasPrefix(prefix) : (name == prefix || name.hasPrefix(prefix + "/"))
            guard matches else { continue }
            var resolved: OpaquePointer?
            let resolveCode = git_reference_resolve(&resolved, reference)
            if resolveCode == GIT_ENOTFOUND.rawValue { git_error_clear(); continue }
            try check(resolveCode, "git_reference_resolve")
            defer { git_reference_free(resolved) }
            guard let target = git_reference_target(resolved) else { continue }
            result.append(Reference(name: name, target: ObjectID(target)))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// The commit HEAD points at; nil while the branch has no commit.
    public func headCommitID() throws -> ObjectID? {
        try referenceTarget("HEAD")
    }

    /// The full name of the branch HEAD is on (`refs/heads/main`), even before its first
    /// commit; nil when HEAD is detached.
    public func headBranch() throws -> String? {
        var head: OpaquePointer?
        try check(git_reference_lookup(&head, pointer, "HEAD"), "git_reference_lookup")
        defer { git_reference_free(head) }
        guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(head) else {
            return nil
        }
        return String(cString: target)
    }

    /// Moves the branch HEAD is on (HEAD itself when detached) to `commit`, atomically and
    /// only if it holds what `expecting` says; the reflog records `message`.
    public func updateHead(to commit: ObjectID, expecting: ReferenceExpectation = .any, message: String) throws {
        try updateReference(try headBranch() ?? "HEAD", to: commit, expecting: expecting, message: message)
    }

    /// Puts HEAD on `branch` (full name, `refs/heads/...`), which need not exist yet.
    /// The working folder and the index are left alone.
    public func setHead(branch: String) throws {
        try check(git_repository_set_head(pointer, branch), "git_repository_set_head")
    }

    /// True when `name` is a well-formed reference name (`refs/klab/...`).
    public static func isValidReferenceName(_ name: String) -> Bool {
        LibGit2.ensureInitialised()
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }

    private func changed(_ name: String, _ expecting: ReferenceExpectation) throws -> LabGitError {
        let expected: String
        switch expecting {
        case .any: expected = "any value"
        case .absent: expected = "no reference"
        case let .value(id): expected = id.hex
        }
        let actual = try referenceTarget(name)?.hex ?? "no reference"
        return .referenceChanged(name: name, expected: expected, actual: actual)
    }
}
