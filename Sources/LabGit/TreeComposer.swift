import CLibGit2
import Foundation

/// Builds a tree without touching the repository's index or working folder: start from a
/// base tree (or nothing), put in-memory files or files from the working folder, write.
/// Backed by an in-memory libgit2 index that is never saved.
public final class TreeComposer {
    private let pointer: OpaquePointer
    private let repository: Repository
    /// The blobs the base had at the paths `addWorkingFiles` replaced.
    private var baseBlobs: [String: ObjectID] = [:]

    /// Starts from the tree of `base` (a commit or a tree), or from an empty tree.
    public init(repository: Repository, base: ObjectID? = nil) throws {
        var out: OpaquePointer?
        try check(git_index_new(&out), "git_index_new")
        pointer = out!
        self.repository = repository
        if let base {
            let treeID = try repository.treeID(of: base)
            let tree = try repository.lookup(treeID, GIT_OBJECT_TREE, what: "tree \(treeID)")
            defer { git_object_free(tree) }
            try check(git_index_read_tree(pointer, tree), "git_index_read_tree")
        }
    }

    deinit { git_index_free(pointer) }

    /// Puts `contents` at `path` (stored as a new blob), replacing what was there.
    public func setFile(_ path: String, contents: Data, executable: Bool = false) throws {
        let id = try repository.writeBlob(contents)
        try setEntry(path, id: id, mode: executable ? .executable : .file)
    }

    /// Puts an existing blob (or submodule commit) at `path`.
    public func setEntry(_ path: String, id: ObjectID, mode: TreeEntry.Mode) throws {
        let path = try validatedRepoPath(path)
        guard mode != .directory else { throw LabGitError.invalidPath(path, reason: "a folder is not a file entry") }
        // A file replaces a folder of the same name and the other way round.
        try remove(path)
        for parent in Self.parents(of: path) where git_index_get_bypath(pointer, parent, 0) != nil {
            try check(git_index_remove(pointer, parent, 0), "git_index_remove")
        }
        var entry = git_index_entry()
        entry.mode = mode.raw.rawValue
        entry.id = id.raw
        try path.withCString { cPath in
            entry.path = cPath
            try check(git_index_add(pointer, &entry), "git_index_add")
        }
    }

    /// Removes the file at `path`, or everything under the folder `path`.
    public func remove(_ path: String) throws {
        let path = try validatedRepoPath(path, allowRoot: true)
        try removeAll(under: path, keeping: PathFilter(excluding: []))
    }

    /// Replaces everything under `paths` (files or folders; "" is the whole working folder)
    /// with what is on disk now: tracked and untracked files, not ignored ones (unless
    /// tracked), deletions included. Paths under `excluding` are never read from disk: the
    /// base's entries there, if any, stay as they are.
    public func addWorkingFiles(under paths: [String], excluding: [String] = []) throws {
        guard let workdir = repository.workdir else {
            throw LabGitError.libgit2(function: "git_repository_workdir", code: .bareRepository,
                                      message: "a bare repository has no working folder")
        }
        let filter = PathFilter(excluding: try excluding.map { try validatedRepoPath($0) })
        let trackedIndex = try repository.index()
        for path in try paths.map({ try validatedRepoPath($0, allowRoot: true) }) {
            // What the base has there, to tell a file that changed (a new blob) from one that did not.
            for (index, name) in self.paths.enumerated() where LabGit.path(name, isUnder: path) {
                if let entry = git_index_get_byindex(pointer, index) { baseBlobs[name] = ObjectID(entry.pointee.id) }
            }
            try removeAll(under: path, keeping: filter)
            var files: [String] = []
            collectFiles(at: path, in: workdir, into: &files)
            for file in files where !filter.excludes(file) {
                if try isIgnored(file), !trackedIndex.contains(file) { continue }
                try addFromWorkdir(file, in: workdir)
            }
        }
    }

    /// Writes the tree (and its subtrees) and returns its id.
    public func write() throws -> ObjectID {
        var out = git_oid()
        try check(git_index_write_tree_to(&out, pointer, repository.pointer), "git_index_write_tree_to")
        CrashPoint.objectWritten.reached("tree \(ObjectID(out))")
        return ObjectID(out)
    }

    /// The file paths in the tree being composed.
    public var paths: [String] {
        (0..<git_index_entrycount(pointer)).compactMap { index in
            git_index_get_byindex(pointer, index).map { String(cString: $0.pointee.path) }
        }
    }

    private func removeAll(under prefix: String, keeping filter: PathFilter) throws {
        let doomed = paths.filter { path($0, isUnder: prefix) && !filter.excludes($0) }
        for path in doomed {
            try check(git_index_remove(pointer, path, 0), "git_index_remove")
        }
    }

    private func addFromWorkdir(_ path: String, in workdir: URL) throws {
        var info = stat()
        guard lstat(workdir.appendingPathComponent(path).path, &info) == 0 else { return }
        var oid = git_oid()
        // Applies the repository's filters (.gitattributes line endings) and stores a
        // symbolic link as its target, like `git add`.
        try check(git_blob_create_from_workdir(&oid, repository.pointer, path), "git_blob_create_from_workdir")
        // Unchanged since the base: the blob was already there, nothing was written.
        if baseBlobs[path] != ObjectID(oid) { CrashPoint.objectWritten.reached("blob \(ObjectID(oid)) \(path)") }
        let mode: TreeEntry.Mode
        if (info.st_mode & S_IFMT) == S_IFLNK {
            mode = .symlink
        } else {
            mode = (info.st_mode & S_IXUSR) != 0 ? .executable : .file
        }
        try setEntry(path, id: ObjectID(oid), mode: mode)
    }

    private func isIgnored(_ path: String) throws -> Bool {
        var ignored: Int32 = 0
        try check(git_ignore_path_is_ignored(&ignored, repository.pointer, path), "git_ignore_path_is_ignored")
        return ignored == 1
    }

    /// Regular files and symbolic links at or under `path`, skipping git folders and nested
    /// repositories (git would not descend into those either).
    private func collectFiles(at path: String, in workdir: URL, into files: inout [String]) {
        let full = path.isEmpty ? workdir.path : workdir.appendingPathComponent(path).path
        var info = stat()
        guard lstat(full, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFLNK:
            if !path.isEmpty { files.append(path) }
        case S_IFDIR:
            if !path.isEmpty, FileManager.default.fileExists(atPath: full + "/.git") { return }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []
            for name in names.sorted() where name != ".git" {
                collectFiles(at: path.isEmpty ? name : path + "/" + name, in: workdir, into: &files)
            }
        default:
            return
        }
    }

    private static func parents(of path: String) -> [String] {
        var result: [String] = []
        var current = Substring(path)
        while let slash = current.lastIndex(of: "/") {
            current = current[..<slash]
            result.append(String(current))
        }
        return result
    }
}
