import CLibGit2
import Foundation

/// A commit read from a repository: a value, detached from libgit2.
public struct Commit: Equatable, Sendable {
    public let id: ObjectID
    public let tree: ObjectID
    public let parents: [ObjectID]
    /// The full message as stored (trailers included).
    public let message: String
    /// The first paragraph folded into one line, as `git log --format=%s` shows it.
    public let summary: String
    public let author: Signature
    public let committer: Signature
    /// The message's trailer block, parsed by libgit2.
    public let trailers: [Trailer]

    /// The commit time (the committer's).
    public var time: Date { committer.time }
}

extension Repository {
    /// Reads the commit `id`; throws `notFound` when there is none.
    public func commit(_ id: ObjectID) throws -> Commit {
        let commit = try lookup(id, GIT_OBJECT_COMMIT, what: "commit \(id)")
        defer { git_object_free(commit) }
        return try Commit(reading: commit)
    }

    /// Writes a commit object (no reference moves: update one with `updateReference`, last).
    @discardableResult
    public func createCommit(tree: ObjectID, parents: [ObjectID], message: CommitMessage,
                             author: Signature, committer: Signature? = nil) throws -> ObjectID {
        try createCommit(tree: tree, parents: parents, message: message.rendered(), author: author, committer: committer)
    }

    /// Writes a commit object with a message given as text.
    @discardableResult
    public func createCommit(tree: ObjectID, parents: [ObjectID], message: String,
                             author: Signature, committer: Signature? = nil) throws -> ObjectID {
        let treeObject = try lookup(tree, GIT_OBJECT_TREE, what: "tree \(tree)")
        defer { git_object_free(treeObject) }
        var parentObjects: [OpaquePointer?] = []
        defer { parentObjects.forEach { git_object_free($0) } }
        for parent in parents {
            parentObjects.append(try lookup(parent, GIT_OBJECT_COMMIT, what: "commit \(parent)"))
        }
        var out = git_oid()
        try author.withGitSignature { authorSignature in
            try (committer ?? author).withGitSignature { committerSignature in
                try parentObjects.withUnsafeMutableBufferPointer { buffer in
                    _ = try check(git_commit_create(&out, pointer, nil, authorSignature, committerSignature, nil, message,
                                                treeObject, parents.count, buffer.baseAddress),
                              "git_commit_create")
                }
            }
        }
        CrashPoint.objectWritten.reached("commit \(ObjectID(out))")
        return ObjectID(out)
    }

    /// Checks `id` the first time an untrusted repository reads it, and remembers that it did:
    /// its loose file inflated within the limits (returned, for the caller to use or hand to
    /// libgit2), or, when it has none, its size from the object database's header. nil when
    /// already checked, not loose, or the repository is trusted.
    func checkFirstRead(_ id: ObjectID) throws -> LooseObjectCheck.Inflated? {
        guard isUntrusted, !checkedObjects.contains(id) else { return nil }
        // A loose object checked whole needs no size check from its header: the check reads
        // the same header against the same limits.
        let loose = checksLooseObjects
            ? try LooseObjectCheck.inflated(id, gitDirectoryPath: gitDirectoryPath, directory: gitDirectoryDescriptor,
                                           limits: untrustedLimits ?? .unbounded, inflater: inflater)
            : nil
        if loose == nil, let limits = untrustedLimits { try checkSize(id, limits: limits) }
        checkedObjects.insert(id)
        return loose
    }

    /// Looks up an object of `kind`; the caller frees it with `git_object_free`.
    func lookup(_ id: ObjectID, _ kind: git_object_t, what: @autoclosure () -> String) throws -> OpaquePointer {
        // What the check inflated is what libgit2 would read from the file: handed to it from
        // memory, where it still verifies the object's hash against its id.
        if let loose = try checkFirstRead(id), loose.canonical { hold(loose, as: id) }
        var object: OpaquePointer?
        var oid = id.raw
        let code = git_object_lookup(&object, pointer, &oid, kind)
        if code == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            throw LabGitError.notFound(what())
        }
        try check(code, "git_object_lookup")
        return object!
    }
}

extension Commit {
    init(reading commit: OpaquePointer) throws {
        id = ObjectID(git_commit_id(commit))
        tree = ObjectID(git_commit_tree_id(commit))
        parents = (0..<git_commit_parentcount(commit)).map { ObjectID(git_commit_parent_id(commit, $0)) }
        message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        author = Signature(git_commit_author(commit))
        committer = Signature(git_commit_committer(commit))
        trailers = try Trailer.parse(message: message)
    }
}
