import Foundation

/// Saving everything the learner has, without touching HEAD, the index or any file.
extension Repository {
    /// Writes a commit holding the working folder as it is now: committed files, changes,
    /// deletions and untracked files (not ignored ones, nor paths under `excluding`), with
    /// HEAD's commit as parent. Nothing moves: point a reference at the returned commit to
    /// keep it (objects first, reference last). Content staged in the index but changed
    /// again on disk is saved as it is on disk.
    public func snapshotWorkingState(excluding: [String] = [], message: CommitMessage,
                                     author: Signature) throws -> ObjectID {
        let head = try headCommitID()
        let composer = try TreeComposer(repository: self, base: head)
        try composer.addWorkingFiles(under: [""], excluding: excluding)
        let tree = try composer.write()
        return try createCommit(tree: tree, parents: head.map { [$0] } ?? [], message: message, author: author)
    }
}
