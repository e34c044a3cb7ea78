import CLibGit2
import Foundation

/// Forced checkout limited to some folders, for putting a lab's files back.
extension Repository {
    /// Makes the files under `paths` exactly as in `commitOrTree`: changed and deleted files
    /// are restored, files the target lacks are removed (tracked or untracked, but never
    /// ignored ones nor those under `keeping`). Files elsewhere are not touched; HEAD does not
    /// move. The index follows the checkout unless `updateIndex` is false.
    /// Returns the untracked files it removed. Save the working state first
    /// (`snapshotWorkingState`): what is overwritten here is gone from the folder.
    @discardableResult
    public func checkout(_ commitOrTree: ObjectID, paths: [String], keeping: [String] = [],
                         updateIndex: Bool = true) throws -> [String] {
        guard let workdir else {
            throw LabGitError.libgit2(function: "git_checkout_tree", code: .bareRepository,
                                      message: "a bare repository has no working folder")
        }
        let prefixes = try paths.map { try validatedRepoPath($0, allowRoot: true) }
        let kept = PathFilter(excluding: try keeping.map { try validatedRepoPath($0) })
        let treeID = try treeID(of: commitOrTree)
        let tree = try lookup(treeID, GIT_OBJECT_TREE, what: "tree \(treeID)")
        defer { git_object_free(tree) }

        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
            | (updateIndex ? 0 : GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue)
        // libgit2 reports each file it has written (or removed) here: a crash point.
        options.progress_cb = { path, _, _, _ in
            if let path { CrashPoint.fileWritten.reached(String(cString: path)) }
        }
        try withStrArray(prefixes.contains("") ? [] : prefixes) { array in
            options.paths = array.pointee
            try check(git_checkout_tree(pointer, tree, &options), "git_checkout_tree")
        }

        // Untracked files are removed by hand rather than with GIT_CHECKOUT_REMOVE_UNTRACKED,
        // which cannot spare the kept paths (e.g. plaintext Secrets never committed).
        let target = try Set(treeEntries(of: treeID).filter { $0.mode != .directory }.map(\.path))
        var removed: [String] = []
        for entry in try status(under: prefixes) where entry.unstaged == .untracked {
            guard !kept.excludes(entry.path), !target.contains(entry.path) else { continue }
            try FileManager.default.removeItem(at: workdir.appendingPathComponent(entry.path))
            CrashPoint.fileRemoved.reached(entry.path)
            removed.append(entry.path)
        }
        for prefix in prefixes { removeEmptyFolders(under: prefix, in: workdir) }
        return removed
    }

    /// Removes folders left empty under `prefix` (git does not track folders).
    private func removeEmptyFolders(under prefix: String, in workdir: URL) {
        let fm = FileManager.default
        func prune(_ path: String) -> Bool {
            let full = path.isEmpty ? workdir.path : workdir.appendingPathComponent(path).path
            var info = stat()
            guard lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return false }
            guard let names = try? fm.contentsOfDirectory(atPath: full), !names.contains(".git") else { return false }
            var empty = true
            for name in names {
                let child = path.isEmpty ? name : path + "/" + name
                if !prune(child) { empty = false }
            }
            if empty && !path.isEmpty {
                return (try? fm.removeItem(atPath: full)) != nil
            }
            return false
        }
        _ = prune(prefix)
    }
}
