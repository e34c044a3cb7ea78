import CLibGit2

/// How one path differs: between HEAD and the index (`staged`) and between the index and
/// the working folder (`unstaged`), like the two columns of `git status --porcelain`.
public struct StatusEntry: Equatable, Sendable {
    public enum Change: Equatable, Sendable {
        case added, modified, deleted, renamed, typeChanged, untracked, conflicted
    }

    public let path: String
    public let staged: Change?
    public let unstaged: Change?
}

extension Repository {
    /// The paths under `paths` ("" is everything) that differ from HEAD: staged, modified,
    /// deleted and untracked files (untracked folders listed file by file); ignored files
    /// are left out. Sorted by path.
    public func status(under paths: [String] = [""]) throws -> [StatusEntry] {
        let prefixes = try paths.map { try validatedRepoPath($0, allowRoot: true) }
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY.rawValue
        let pathspecs = prefixes.contains("") ? [] : prefixes
        var list: OpaquePointer?
        try withStrArray(pathspecs) { array in
            options.pathspec = array.pointee
            try check(git_status_list_new(&list, pointer, &options), "git_status_list_new")
        }
        defer { git_status_list_free(list) }
        var entries: [StatusEntry] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let flags = entry.status.rawValue
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta, let cPath = delta.pointee.new_file.path ?? delta.pointee.old_file.path else { continue }
            let path = String(cString: cPath)
            guard prefixes.contains(where: { LabGit.path(path, isUnder: $0) }) else { continue }
            entries.append(StatusEntry(path: path, staged: Self.stagedChange(flags), unstaged: Self.unstagedChange(flags)))
        }
        return entries.sorted { $0.path < $1.path }
    }

    /// True when anything under `paths` differs from HEAD (modified, deleted, untracked...).
    public func hasChanges(under paths: [String] = [""]) throws -> Bool {
        try !status(under: paths).isEmpty
    }

    private static func stagedChange(_ flags: UInt32) -> StatusEntry.Change? {
        if flags & GIT_STATUS_CONFLICTED.rawValue != 0 { return .conflicted }
        if flags & GIT_STATUS_INDEX_NEW.rawValue != 0 { return .added }
        if flags & GIT_STATUS_INDEX_MODIFIED.rawValue != 0 { return .modified }
        if flags & GIT_STATUS_INDEX_DELETED.rawValue != 0 { return .deleted }
        if flags & GIT_STATUS_INDEX_RENAMED.rawValue != 0 { return .renamed }
        if flags & GIT_STATUS_INDEX_TYPECHANGE.rawValue != 0 { return .typeChanged }
        return nil
    }

    private static func unstagedChange(_ flags: UInt32) -> StatusEntry.Change? {
        if flags & GIT_STATUS_CONFLICTED.rawValue != 0 { return .conflicted }
        if flags & GIT_STATUS_WT_NEW.rawValue != 0 { return .untracked }
        if flags & GIT_STATUS_WT_MODIFIED.rawValue != 0 { return .modified }
        if flags & GIT_STATUS_WT_DELETED.rawValue != 0 { return .deleted }
        if flags & GIT_STATUS_WT_RENAMED.rawValue != 0 { return .renamed }
        if flags & GIT_STATUS_WT_TYPECHANGE.rawValue != 0 { return .typeChanged }
        return nil
    }
}
