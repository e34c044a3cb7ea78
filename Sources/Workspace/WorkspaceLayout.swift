import Foundation
import KubeJSON
import LabGit

/// The workspace format, in one place: where klab keeps things under `.klab/`, the refs it
/// writes, and how its files are read back. `LearnerWorkspace` writes through it;
/// `StepVerifier` and the offline grader read through it (the grader from an untrusted
/// repository, through libgit2 only).
public enum WorkspaceLayout {
    /// `.klab/workspace.json`: the learner and the labs folder (`WorkspaceSettings`).
    public static let settingsPath = ".klab/workspace.json"
    /// Where `klab reset` saves what it is about to overwrite, numbered from 1.
    public static let backupPrefix = "refs/klab/backups/"

    /// `.klab/labs/<lab>.json`: how the lab was started (`LabSettings`).
    public static func labSettingsPath(_ lab: String) -> String { ".klab/labs/\(lab).json" }

    /// `.klab/evidence/<lab>`: every step's evidence of a lab.
    public static func evidencePath(lab: String) -> String { ".klab/evidence/\(lab)" }

    /// `.klab/evidence/<lab>/<step>`: what a passed step's checks read, and `results.json`.
    public static func evidencePath(lab: String, step: String) -> String { ".klab/evidence/\(lab)/\(step)" }

    /// The file of a step's evidence that holds the check results and captures.
    public static let resultsFile = "results.json"

    /// The ref marking the commit a step started from (`klab reset` goes back to it).
    public static func stepStartRef(lab: String, step: String) -> String { "refs/klab/labs/\(lab)/steps/\(step)" }

    /// The values a step captured, from the `captures` object of its `results.json`.
    public static func captures(inResults data: Data?) -> [String: String] {
        var captures: [String: String] = [:]
        guard let data, let json = try? JSONParser.parse(bytes: data), case .object(let saved)? = json["captures"] else {
            return captures
        }
        for (key, value) in saved.entries { if let text = value.stringValue { captures[key] = text } }
        return captures
    }

    /// A settings file decoded, nil when it is absent or not klab settings JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data?) -> T? {
        data.flatMap { try? JSONDecoder().decode(type, from: $0) }
    }
}

/// klab's commits on a branch, oldest first: the first-parent chain from the tip, keeping the
/// commits whose trailers klab wrote. A first-parent chain cannot loop in a sound repository;
/// a forged one can, so every commit is visited once.
public struct KlabHistory {
    public struct Link {
        public var commit: Commit
        public var entry: ProgressEntry
    }

    public let repository: Repository
    public let tip: ObjectID?
    /// klab's commits, oldest first.
    public let links: [Link]
    /// Every commit of the chain, klab's or not (bounded by `InputLimits.HandIn.commits`).
    public let commitCount: Int

    /// The chain from `tip`. With `known`, an earlier history of the same repository, the
    /// walk stops where it meets `known.tip` and reuses what lies behind it (commits never
    /// change), so following a branch that only grows reads only the new commits.
    public init(repository: Repository, tip: ObjectID?, extending known: KlabHistory? = nil) throws {
        self.repository = repository
        self.tip = tip
        var links: [Link] = []
        var next = tip
        var seen = Set<ObjectID>()
        var behind: KlabHistory?
        while let id = next, seen.insert(id).inserted {
            if let known, known.tip == id {
                behind = known
                seen.remove(id)
                break
            }
            guard seen.count <= InputLimits.HandIn.commits else { throw Self.tooLong(repository) }
            let commit = try repository.commit(id)
            if let entry = ProgressEntry(commit: id.hex, trailers: commit.trailers.map { ($0.key, $0.value) }) {
                links.append(Link(commit: commit, entry: entry))
            }
            next = commit.parents.first
        }
        if let behind {
            guard seen.count + behind.commitCount <= InputLimits.HandIn.commits else { throw Self.tooLong(repository) }
            self.links = behind.links + links.reversed()
            self.commitCount = behind.commitCount + seen.count
        } else {
            self.links = links.reversed()
            self.commitCount = seen.count
        }
    }

    private static func tooLong(_ repository: Repository) -> Error {
        LabGitError.damagedRepository(
            path: repository.gitDirectory.path,
            detail: "its branch has more than \(InputLimits.HandIn.commits) commits, more than klab walks")
    }

    /// The history of the repository's current branch.
    public init(repository: Repository) throws {
        try self.init(repository: repository, tip: try repository.headCommitID())
    }

    public var entries: [ProgressEntry] { links.map(\.entry) }

    /// Each lab's progress, replayed.
    public func progress(stepOrder: [String: [String]]) -> [String: LabProgress] {
        ProgressLog.replay(entries, stepOrder: stepOrder)
    }

    /// Whether each klab commit names the one before it (`Klab-Previous`), as klab wrote
    /// them; a rebase, an amend or a hand-made commit breaks the chain.
    public var chainsAsWritten: Bool {
        var previous = "none"
        for link in links {
            if link.entry.value(KlabTrailer.previous) != previous { return false }
            previous = link.entry.commit
        }
        return true
    }

    /// The workspace settings at the tip.
    public func workspaceSettings() throws -> WorkspaceSettings? {
        guard let tip else { return nil }
        return WorkspaceLayout.decode(WorkspaceSettings.self, from: try repository.blob(at: WorkspaceLayout.settingsPath, in: tip))
    }

    /// A lab's settings as committed in `commit`.
    public func labSettings(_ lab: String, in commit: ObjectID) throws -> LabSettings? {
        try labSettings(file: labSettingsFile(lab, in: commit))
    }

    /// The id of a lab's settings file as committed in `commit`; nil when there is no such
    /// file. Steps that leave the settings alone share it, so its decoding can be shared too.
    public func labSettingsFile(_ lab: String, in commit: ObjectID) throws -> ObjectID? {
        guard let entry = try repository.entry(at: WorkspaceLayout.labSettingsPath(lab), in: commit), entry.mode.isBlob else { return nil }
        return entry.id
    }

    /// A lab's settings from the file `labSettingsFile` named.
    public func labSettings(file: ObjectID?) throws -> LabSettings? {
        try file.flatMap { WorkspaceLayout.decode(LabSettings.self, from: try repository.blob($0)) }
    }

    /// A step's evidence files as committed in `commit` (relative path → bytes); only the
    /// step's folder is walked, not the learner's whole tree.
    public func evidence(lab: String, step: String, in commit: ObjectID) throws -> [String: Data] {
        var files: [String: Data] = [:]
        if let folder = try repository.entry(at: WorkspaceLayout.evidencePath(lab: lab, step: step), in: commit), folder.mode == .directory {
            for item in try repository.treeEntries(of: folder.id) where item.mode.isBlob {
                files[item.path] = try repository.blob(item.id)
            }
        }
        return files
    }
}
