import Foundation
import LabGit

/// The blobs reachable from every ref of a repository (branch, backups, step starts), read in
/// process through libgit2 instead of `git rev-list --objects --all` per check: "nothing
/// lost" means each thing the learner made is in the folder or among these. Walked afresh
/// after the refs move (`refsMoved`); what a commit holds is read once, commits never change.
public struct KeptObjects {
    public let repository: Repository
    private var blobsOfCommit: [ObjectID: (blobs: Set<ObjectID>, parents: [ObjectID])] = [:]
    private var reachable: Set<ObjectID>?

    public init(repository: Repository) { self.repository = repository }

    /// The repository of the workspace at `root`, opened for reading.
    public init(workspace root: URL) throws { self.init(repository: try Repository.open(at: root)) }

    public mutating func refsMoved() { reachable = nil }

    public mutating func contains(_ contents: Data) throws -> Bool {
        try blobs().contains(try Repository.blobID(of: contents))
    }

    /// Every blob some ref reaches.
    public mutating func blobs() throws -> Set<ObjectID> {
        if let reachable { return reachable }
        var blobs = Set<ObjectID>()
        var visited = Set<ObjectID>()
        var pending = try repository.references(under: "refs/").map(\.target)
        while let commit = pending.popLast() {
            guard visited.insert(commit).inserted else { continue }
            if blobsOfCommit[commit] == nil {
                blobsOfCommit[commit] = (Set(try repository.treeEntries(of: commit).filter { $0.mode.isBlob }.map(\.id)),
                                         try repository.commit(commit).parents)
            }
            blobs.formUnion(blobsOfCommit[commit]!.blobs)
            pending += blobsOfCommit[commit]!.parents
        }
        reachable = blobs
        return blobs
    }
}
