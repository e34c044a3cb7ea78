import CLibGit2
import Foundation

/// One line of a reference's log: what it pointed at before and after, who moved it, why.
public struct ReflogEntry: Equatable, Sendable {
    /// nil when the reference was created by this move.
    public let old: ObjectID?
    public let new: ObjectID
    public let committer: Signature
    public let message: String
}

extension Repository {
    /// The log of `name`, newest first; empty when git keeps none for it. Read-only.
    public func reflog(of name: String) throws -> [ReflogEntry] {
        if isUntrusted {
            // The git folder's check does not list `logs/`: the file libgit2 would read is
            // checked here (a FIFO would block it, a link would read another folder).
            var info = stat()
            let relative = "logs/" + name
            if lstat(gitDirectory.appendingPathComponent(relative).path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
                throw LabGitError.damagedRepository(path: gitDirectory.path, detail: "\(relative) is not a regular file")
            }
        }
        var reflog: OpaquePointer?
        try check(git_reflog_read(&reflog, pointer, name), "git_reflog_read")
        defer { git_reflog_free(reflog) }
        return (0..<git_reflog_entrycount(reflog)).compactMap { index in
            guard let entry = git_reflog_entry_byindex(reflog, index) else { return nil }
            let old = ObjectID(git_reflog_entry_id_old(entry))
            return ReflogEntry(old: old.hex.allSatisfy { $0 == "0" } ? nil : old,
                               new: ObjectID(git_reflog_entry_id_new(entry)),
                               committer: Signature(git_reflog_entry_committer(entry)),
                               message: git_reflog_entry_message(entry).map { String(cString: $0) } ?? "")
        }
    }

    /// Makes git keep a log for `name` from now on, even outside `refs/heads/` (where it
    /// keeps one by default).
    public func keepReflog(for name: String) throws {
        try check(git_reference_ensure_log(pointer, name), "git_reference_ensure_log")
    }
}
