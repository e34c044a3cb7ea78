import CLibGit2

/// The repository's index (staging area), for ordinary commits on the branch. Changes stay
/// in memory until `write()`.
public final class Index {
    let pointer: OpaquePointer
    private let repository: Repository

    init(repository: Repository) throws {
        var out: OpaquePointer?
        try check(git_repository_index(&out, repository.pointer), "git_repository_index")
        pointer = out!
        self.repository = repository
    }

    deinit { git_index_free(pointer) }

    /// Stages the working-folder file at `path`.
    public func add(_ path: String) throws {
        try check(git_index_add_bypath(pointer, try validatedRepoPath(path)), "git_index_add_bypath")
    }

    /// Unstages `path` (the file stays on disk, untracked).
    public func remove(_ path: String) throws {
        try check(git_index_remove_bypath(pointer, try validatedRepoPath(path)), "git_index_remove_bypath")
    }

    /// Stages everything under `paths` as it is on disk: new files (not ignored), changes
    /// and deletions. Paths under `excluding` are left as the index has them.
    public func stage(under paths: [String], excluding: [String] = []) throws {
        let pathspecs = try paths.map { try validatedRepoPath($0, allowRoot: true) }.map { $0.isEmpty ? "." : $0 }
        let filter = PathFilter(excluding: try excluding.map { try validatedRepoPath($0) })
        let payload = Unmanaged.passUnretained(filter).toOpaque()
        let skipExcluded: git_index_matched_path_cb = { path, _, payload in
            let filter = Unmanaged<PathFilter>.fromOpaque(payload!).takeUnretainedValue()
            return filter.excludes(String(cString: path!)) ? 1 : 0
        }
        try withStrArray(pathspecs) { array in
            try check(git_index_add_all(pointer, array, GIT_INDEX_ADD_DISABLE_PATHSPEC_MATCH.rawValue, skipExcluded, payload),
                      "git_index_add_all")
            try check(git_index_update_all(pointer, array, skipExcluded, payload), "git_index_update_all")
        }
    }

    /// Replaces the whole index with the contents of a tree (of a commit).
    public func read(tree commitOrTree: ObjectID) throws {
        let treeID = try repository.treeID(of: commitOrTree)
        let tree = try repository.lookup(treeID, GIT_OBJECT_TREE, what: "tree \(treeID)")
        defer { git_object_free(tree) }
        try check(git_index_read_tree(pointer, tree), "git_index_read_tree")
    }

    /// Rereads the index file, dropping changes not written.
    public func reload() throws {
        try check(git_index_read(pointer, 1), "git_index_read")
    }

    /// Saves the index to disk (atomically: libgit2 writes a lock file and renames it).
    public func write() throws {
        try check(git_index_write(pointer), "git_index_write")
        CrashPoint.indexWritten.reached()
    }

    /// Writes the tree objects the index describes and returns the top tree's id.
    public func writeTree() throws -> ObjectID {
        var out = git_oid()
        try check(git_index_write_tree(&out, pointer), "git_index_write_tree")
        CrashPoint.objectWritten.reached("tree \(ObjectID(out))")
        return ObjectID(out)
    }

    /// The staged paths, in index order.
    public var paths: [String] {
        (0..<git_index_entrycount(pointer)).compactMap { index in
            git_index_get_byindex(pointer, index).map { String(cString: $0.pointee.path) }
        }
    }

    /// True when `path` is staged (as a file, not a folder).
    public func contains(_ path: String) -> Bool {
        git_index_get_bypath(pointer, path, 0) != nil
    }
}

extension Repository {
    /// The repository's index.
    public func index() throws -> Index {
        try Index(repository: self)
    }
}

/// Paths excluded by the caller: a file path or everything under a folder path.
final class PathFilter {
    let excluded: [String]

    init(excluding: [String]) { excluded = excluding }

    func excludes(_ candidate: String) -> Bool {
        excluded.contains { path(candidate, isUnder: $0) }
    }
}
