import CLibGit2
import Foundation

/// How a file of a commit differs from the working folder.
public struct WorkingDifference: Equatable, Sendable {
    public enum Change: String, Equatable, Sendable {
        /// In both, with different contents (or mode, or kind).
        case changed
        /// In the commit, not in the working folder.
        case onlyInCommit
        /// In the working folder (not ignored), not in the commit.
        case onlyInFolder
    }

    public let path: String
    public let change: Change

    public init(path: String, change: Change) {
        self.path = path
        self.change = change
    }
}

extension Repository {
    /// The files under `paths` ("" is everything) that differ between `commitOrTree` and the
    /// working folder as it is on disk (the index plays no part), untracked files included,
    /// ignored ones and those under `excluding` left out. Sorted by path. Reads only: nothing
    /// is written to the object database or the index.
    public func differences(from commitOrTree: ObjectID, under paths: [String] = [""], excluding: [String] = []) throws -> [WorkingDifference] {
        guard workdir != nil else {
            throw LabGitError.libgit2(function: "git_diff_tree_to_workdir", code: .bareRepository,
                                      message: "a bare repository has no working folder")
        }
        let prefixes = try paths.map { try validatedRepoPath($0, allowRoot: true) }
        let excluded = PathFilter(excluding: try excluding.map { try validatedRepoPath($0) })
        let treeID = try treeID(of: commitOrTree)
        let tree = try lookup(treeID, GIT_OBJECT_TREE, what: "tree \(treeID)")
        defer { git_object_free(tree) }
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init")
        options.flags = GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue | GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        var diff: OpaquePointer?
        try withStrArray(prefixes.contains("") ? [] : prefixes) { array in
            options.pathspec = array.pointee
            try check(git_diff_tree_to_workdir(&diff, pointer, tree, &options), "git_diff_tree_to_workdir")
        }
        defer { git_diff_free(diff) }
        var result: [WorkingDifference] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee,
                  let cPath = delta.new_file.path ?? delta.old_file.path else { continue }
            let path = String(cString: cPath)
            guard prefixes.contains(where: { LabGit.path(path, isUnder: $0) }), !excluded.excludes(path) else { continue }
            let change: WorkingDifference.Change
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED: change = .onlyInFolder
            case GIT_DELTA_DELETED: change = .onlyInCommit
            case GIT_DELTA_MODIFIED, GIT_DELTA_TYPECHANGE, GIT_DELTA_RENAMED, GIT_DELTA_COPIED: change = .changed
            default: continue
            }
            result.append(WorkingDifference(path: path, change: change))
        }
        return result.sorted { $0.path < $1.path }
    }

    /// The id git gives `data` as a blob, without storing it.
    public static func blobID(of data: Data) throws -> ObjectID {
        LibGit2.ensureInitialised()
        var out = git_oid()
        try data.withUnsafeBytes { bytes in
            _ = try check(git_odb_hash(&out, bytes.baseAddress, bytes.count, GIT_OBJECT_BLOB), "git_odb_hash")
        }
        return ObjectID(out)
    }
}
