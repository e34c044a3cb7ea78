import Foundation
import LabGit

/// A learner's workspace: an ordinary git repository holding, per lab, a folder with the
/// rendered manifests and step prose, and `.klab/` with settings and verified evidence.
///
/// Progress is never stored on its own: it is replayed from the trailers of klab's commits on
/// the branch (`ProgressLog`), so it always matches the history. Every change writes its
/// objects first and moves the branch last, with compare-and-swap, so a kill at any instant
/// leaves a repository `git fsck` accepts and progress consistent with it.
public final class LearnerWorkspace {
    public let root: URL
    public let repository: Repository
    public private(set) var settings: WorkspaceSettings
    /// The workspace lock while it is held: for the workspace's whole life (`.whileOpen`), or
    /// during each write (`.whileWriting`).
    private var lock: WorkspaceLock?
    private let lockMode: LockMode
    private let lockTimeout: Double
    private var writesUnderway = 0
    /// The history last read: reading it again walks only the commits made since.
    private var knownHistory: KlabHistory?

    /// How long a workspace holds its lock. A command that only writes now and then while it
    /// runs for a long time (`verify --watch`) holds it only while writing, so that `klab hint`
    /// and `klab status` work beside it.
    public enum LockMode: Sendable {
        case whileOpen
        case whileWriting
    }

    public static let settingsPath = WorkspaceLayout.settingsPath
    public static let backupPrefix = WorkspaceLayout.backupPrefix
    /// In `.git` while klab creates the workspace (settings not written yet).
    static let creatingMarker = "klab-creating"

    /// Where the workspace is: `--workspace`, else the workspace containing the current
    /// directory, else `KLAB_WORKSPACE`, else `./klab-workspace` (README "Global options").
    public static func locate(explicit: String?, currentDirectory: URL, environment: [String: String]) -> URL {
        if let explicit { return URL(fileURLWithPath: explicit, relativeTo: currentDirectory).standardizedFileURL }
        var dir = currentDirectory.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(settingsPath).path) { return dir }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        if let env = environment["KLAB_WORKSPACE"], !env.isEmpty {
            return URL(fileURLWithPath: env, relativeTo: currentDirectory).standardizedFileURL
        }
        return currentDirectory.appendingPathComponent("klab-workspace").standardizedFileURL
    }

    private init(
        root: URL, repository: Repository, settings: WorkspaceSettings, lock: WorkspaceLock?, lockMode: LockMode, lockTimeout: Double
    ) {
        self.root = root
        self.repository = repository
        self.settings = settings
        self.lock = lock
        self.lockMode = lockMode
        self.lockTimeout = lockTimeout
    }

    /// Opens an existing workspace and takes its lock (waiting up to `lockTimeout` seconds),
    /// for as long as it is open, or only while it writes (`lockMode`).
    public static func open(at root: URL, lockTimeout: Double = 3, lockMode: LockMode = .whileOpen) throws -> LearnerWorkspace {
        let settingsURL = root.appendingPathComponent(settingsPath)
        let gitDir = root.appendingPathComponent(".git")
        guard FileManager.default.fileExists(atPath: gitDir.path) else {
            if FileManager.default.fileExists(atPath: settingsURL.path) {
                throw WorkspaceError.damaged(
                    path: root.path,
                    reason: "it has .klab/ but no .git; restore the .git folder from a backup, or move the folder away and run `klab start` again")
            }
            throw WorkspaceError.notAWorkspace(path: root.path)
        }
        let repository: Repository
        do {
            repository = try Repository.open(at: root)
        } catch let error as LabGitError {
            throw WorkspaceError.damaged(path: root.path, reason: "git cannot open it: \(error)")
        }
        guard FileManager.default.fileExists(atPath: settingsURL.path) else {
            throw WorkspaceError.notAWorkspace(path: root.path)
        }
        let lock = try WorkspaceLock(path: lockPath(repository), timeout: lockTimeout)
        clearLeftovers(in: repository.gitDirectory)
        let settings = try SettingsFile.read(WorkspaceSettings.self, at: settingsURL)
        let workspace = LearnerWorkspace(
            root: root, repository: repository, settings: settings, lock: lockMode == .whileOpen ? lock : nil,
            lockMode: lockMode, lockTimeout: lockTimeout)
        try workspace.checkHistory()
        return workspace
    }

    /// Opens the workspace at `root`, creating it (a new git repository) when there is none.
    public static func openOrCreate(at root: URL, learner: String, labsDirectory: String, lockTimeout: Double = 3) throws -> LearnerWorkspace {
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(settingsPath).path) {
            return try open(at: root, lockTimeout: lockTimeout)
        }
        let manager = FileManager.default
        let gitDir = root.appendingPathComponent(".git")
        let staging = root.appendingPathComponent(".klab-new-repository")
        if manager.fileExists(atPath: gitDir.path) {
            // Never turn somebody's own repository into a workspace; only one that a klab
            // killed while creating it left marked as its own is finished here.
            guard manager.fileExists(atPath: gitDir.appendingPathComponent(creatingMarker).path) else {
                throw WorkspaceError.notAWorkspace(path: root.path)
            }
        } else {
            // The repository is made aside, marked, and moved into place in one rename, so a
            // kill never leaves a `.git` that klab would take for somebody else's.
            try manager.createDirectory(at: root, withIntermediateDirectories: true)
            try? manager.removeItem(at: staging)
            let made = try Repository.create(at: staging)
            try Data().write(to: made.gitDirectory.appendingPathComponent(creatingMarker))
            guard rename(staging.appendingPathComponent(".git").path, gitDir.path) == 0 else {
                throw WorkspaceError.cannotCreate(path: root.path, reason: String(cString: strerror(errno)))
            }
        }
        try? manager.removeItem(at: staging)
        let repository = try Repository.open(at: root)
        let lock = try WorkspaceLock(path: lockPath(repository), timeout: lockTimeout)
        let settings = WorkspaceSettings(learner: learner, labsDirectory: labsDirectory)
        try SettingsFile.write(settings, to: root.appendingPathComponent(settingsPath), scratch: repository.gitDirectory.appendingPathComponent("klab-tmp"))
        try? manager.removeItem(at: gitDir.appendingPathComponent(creatingMarker))
        return LearnerWorkspace(root: root, repository: repository, settings: settings, lock: lock, lockMode: .whileOpen, lockTimeout: lockTimeout)
    }

    private static func lockPath(_ repository: Repository) -> String {
        repository.gitDirectory.appendingPathComponent("klab.lock").path
    }

    /// Runs `body` holding the workspace lock, taking it first (waiting up to the lock timeout)
    /// when the workspace holds it only while writing. Every change to the workspace goes
    /// through here; a caller that must decide and write in one go (is this step still the
    /// current one?) wraps both.
    public func writing<T>(_ body: () throws -> T) throws -> T {
        try beginWriting()
        defer { endWriting() }
        return try body()
    }

    /// The two halves of `writing`, for a method whose whole body writes:
    /// `try beginWriting(); defer { endWriting() }` as its first line.
    private func beginWriting() throws {
        if lock == nil {
            lock = try WorkspaceLock(path: Self.lockPath(repository), timeout: lockTimeout)
            // Holding the lock, nobody else writes: what is left over was left by a killed klab.
            Self.clearLeftovers(in: repository.gitDirectory)
        }
        writesUnderway += 1
    }

    private func endWriting() {
        writesUnderway -= 1
        if writesUnderway == 0 && lockMode == .whileWriting { lock = nil }
    }

    // MARK: - Reading progress

    /// klab's commits on the branch, oldest first (following first parents from HEAD).
    public func entries() throws -> [ProgressEntry] {
        let history = try KlabHistory(repository: repository, tip: try repository.headCommitID(), extending: knownHistory)
        knownHistory = history
        return history.entries
    }

    /// Each started lab's progress, replayed from the history.
    public func progress(stepOrder: [String: [String]]) throws -> [String: LabProgress] {
        ProgressLog.replay(try entries(), stepOrder: stepOrder)
    }

    /// The lab the learner touched last, if any.
    public func currentLab() throws -> String? {
        try entries().last?.lab
    }

    /// Labs started in this workspace, in the order they were first started.
    public func startedLabs() throws -> [String] {
        var seen: [String] = []
        for entry in try entries() where entry.event == .start && !seen.contains(entry.lab) { seen.append(entry.lab) }
        return seen
    }

    public func labSettings(_ lab: String) throws -> LabSettings? {
        let url = root.appendingPathComponent(WorkspaceLayout.labSettingsPath(lab))
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try SettingsFile.read(LabSettings.self, at: url)
    }

    /// A workspace edited by hand into a state klab cannot explain is refused with a reason.
    private func checkHistory() throws {
        let entries: [ProgressEntry]
        do {
            entries = try self.entries()
        } catch {
            throw WorkspaceError.damaged(path: root.path, reason: "its history cannot be read (\(error)); run `git fsck` there")
        }
        for lab in Set(entries.map(\.lab)) where try labSettings(lab) == nil {
            throw WorkspaceError.damaged(
                path: root.path,
                reason: "the history records lab \(lab) but .klab/labs/\(lab).json is missing; restore it with `git checkout HEAD -- .klab`")
        }
    }

    // MARK: - Changing progress

    /// Where temporary files go before they are renamed into place.
    var scratch: URL { repository.gitDirectory.appendingPathComponent("klab-tmp") }

    /// The cluster's provenance remembered between verifies (`ProvenanceCache`); in the git
    /// directory, so it is never committed.
    public var provenanceCacheFile: URL { repository.gitDirectory.appendingPathComponent("klab-provenance.json") }

    /// Holding the workspace lock, no other klab is writing: git lock files and temporary
    /// files left here were left by a klab that was killed, and would block every later one.
    private static func clearLeftovers(in gitDirectory: URL) {
        let manager = FileManager.default
        try? manager.removeItem(at: gitDirectory.appendingPathComponent("klab-tmp"))
        try? manager.removeItem(at: gitDirectory.appendingPathComponent(creatingMarker))
        for name in ["index.lock", "HEAD.lock", "packed-refs.lock"] {
            try? manager.removeItem(at: gitDirectory.appendingPathComponent(name))
        }
        if let walker = manager.enumerator(at: gitDirectory.appendingPathComponent("refs"), includingPropertiesForKeys: nil) {
            for case let url as URL in walker where url.pathExtension == "lock" { try? manager.removeItem(at: url) }
        }
    }

    private var author: Signature {
        Signature(name: settings.learner, email: "\(settings.learner)@learners.klab.invalid")
    }

    /// The trailer chain: each klab commit names the previous one, so a rewritten history
    /// shows (graders compare it with the real parents).
    private func previousKlabCommit() throws -> String {
        try entries().last?.commit ?? "none"
    }

    /// Stages `paths` (leaving plaintext Secrets out), commits with `trailers`, and moves the
    /// branch with compare-and-swap. Returns the new commit. `stepStart` is a step whose
    /// start ref is pointed at the commit before the branch moves, so that a kill in between
    /// never leaves progress on a step without its start ref (reset needs it).
    @discardableResult
    func commit(subject: String, body: String? = nil, trailers: [Trailer], paths: [String],
                stepStart: (lab: String, step: String)? = nil) throws -> ObjectID {
        let head = try repository.headCommitID()
        let secrets = PlaintextSecrets.find(under: paths, root: root)
        let index = try repository.index()
        // The index as it is on disk: a learner's own `git commit` since this workspace last
        // read it (beside a long `verify --watch`) must not be undone by a stale copy.
        try index.reload()
        // An empty list of paths means "everything" to libgit2: a commit that records only
        // trailers (a hint) must stage nothing, or it would commit the learner's files.
        if !paths.isEmpty {
            try index.stage(under: paths, excluding: secrets)
            for secret in secrets where index.contains(secret) { try index.remove(secret) }
            try index.write()
        }
        let tree = try index.writeTree()
        let message = CommitMessage(subject: subject, body: body, trailers: trailers)
        let commit = try repository.createCommit(tree: tree, parents: head.map { [$0] } ?? [], message: message, author: author)
        if let stepStart {
            try repository.updateReference(stepStartRef(lab: stepStart.lab, step: stepStart.step), to: commit, message: "klab: step start")
        }
        try repository.updateHead(to: commit, expecting: head.map { .value($0) } ?? .absent, message: "klab: \(subject)")
        return commit
    }

    func stepStartRef(lab: String, step: String) -> String { WorkspaceLayout.stepStartRef(lab: lab, step: step) }

    /// Starts (or restarts) a lab: writes its rendered files into `<lab>/`, its settings into
    /// `.klab/labs/<lab>.json`, commits, and marks the first step's start with a ref.
    public func start(labID: String, firstStep: String, settings labSettings: LabSettings, files: [String: Data]) throws -> StartOutcome {
        try beginWriting(); defer { endWriting() }
        let folder = root.appendingPathComponent(labID)
        // Starting again overwrites the lab's files: save what is there first. A restart can
        // be undone (its commit names the backup); a first start over a folder made by hand
        // cannot, but the folder is saved all the same.
        var backupRef: String?
        let restart = try startedLabs().contains(labID)
        if restart || FileManager.default.fileExists(atPath: folder.path) {
            backupRef = try backup(reason: "restart of \(labID)", operation: "start")
        }
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            try atomicWrite(data, to: folder.appendingPathComponent(path), scratch: scratch)
        }
        try SettingsFile.write(labSettings, to: root.appendingPathComponent(WorkspaceLayout.labSettingsPath(labID)), scratch: scratch)
        let secrets = PlaintextSecrets.find(under: [labID], root: root)
        let commit = try self.commit(
            subject: "Start lab \(labID)",
            trailers: [
                .init(KlabTrailer.lab, labID), .init(KlabTrailer.event, ProgressEvent.start.rawValue),
                .init(KlabTrailer.step, firstStep), .init(KlabTrailer.labsDigest, labSettings.labDigest),
            ] + (restart ? backupRef.map { [.init(KlabTrailer.backup, $0)] } ?? [] : [])
                + [.init(KlabTrailer.previous, try previousKlabCommit())],
            paths: [labID, WorkspaceLayout.settingsPath, WorkspaceLayout.labSettingsPath(labID)],
            stepStart: (labID, firstStep))
        return StartOutcome(commit: commit.hex, secretsLeftUncommitted: secrets, backupRef: backupRef)
    }

    /// Records a passed step: evidence files under `.klab/evidence/<lab>/<step>/`, a commit
    /// with the evidence digest (and signature when a class key is given), and the next
    /// step's start ref.
    public func recordPass(
        lab: String, step: String, nextStep: String?, evidence: [String: Data], classKey: Data?
    ) throws -> PassOutcome {
        try beginWriting(); defer { endWriting() }
        let evidencePath = WorkspaceLayout.evidencePath(lab: lab, step: step)
        let folder = root.appendingPathComponent(evidencePath)
        if FileManager.default.fileExists(atPath: folder.path) {
            // Old evidence is in the history; anything else found there is saved first.
            if try repository.hasChanges(under: [evidencePath]) {
                _ = try backup(reason: "new evidence for \(lab)/\(step)", operation: "verify")
            }
            try FileManager.default.removeItem(at: folder)
            CrashPoint.fileRemoved.reached(evidencePath)
        }
        for (path, data) in evidence { try atomicWrite(data, to: folder.appendingPathComponent(path), scratch: scratch) }
        let digest = EvidenceSeal.digest(evidence)
        let previous = try previousKlabCommit()
        var trailers: [Trailer] = [
            .init(KlabTrailer.lab, lab), .init(KlabTrailer.event, ProgressEvent.pass.rawValue), .init(KlabTrailer.step, step),
            .init(KlabTrailer.evidence, digest), .init(KlabTrailer.previous, previous),
        ]
        if let classKey {
            trailers.append(.init(KlabTrailer.signature, EvidenceSeal.signature(key: classKey, lab: lab, step: step, digest: digest, previous: previous)))
        }
        let commit = try self.commit(subject: "Pass \(lab)/\(step)", trailers: trailers, paths: [lab, evidencePath],
                                     stepStart: nextStep.map { (lab, $0) })
        return PassOutcome(commit: commit.hex, digest: digest)
    }

    /// Records that hint number `number` of a step was shown.
    public func recordHint(lab: String, step: String, number: Int) throws {
        try beginWriting(); defer { endWriting() }
        try commit(
            subject: "Hint \(number) for \(lab)/\(step)",
            trailers: [
                .init(KlabTrailer.lab, lab), .init(KlabTrailer.event, ProgressEvent.hint.rawValue), .init(KlabTrailer.step, step),
                .init(KlabTrailer.hint, String(number)), .init(KlabTrailer.previous, try previousKlabCommit()),
            ],
            paths: [])
    }

    /// Saves everything the learner has (committed, changed, untracked; never plaintext
    /// Secrets) under a new backup ref, and returns its name. `operation` is the command
    /// about to change the files (`reset`, `undo`, `start`, `verify`), for `reset --list`.
    ///
    /// The commit and all its objects are written first; the ref is created last, with
    /// compare-and-swap against its absence, so a backup number is taken only by a complete
    /// backup and never by two. A kill before the ref leaves an unreachable commit and a
    /// folder not yet touched. Numbers never go back: the next one is above every backup ref
    /// and every backup the history names (even one whose ref was deleted by hand).
    public func backup(reason: String, operation: String) throws -> String {
        try beginWriting(); defer { endWriting() }
        let secrets = PlaintextSecrets.find(under: [""], root: root)
        let commit = try repository.snapshotWorkingState(
            excluding: secrets,
            message: CommitMessage(subject: "Backup before \(reason)", trailers: [.init(KlabTrailer.backupOf, operation)]),
            author: author)
        var named = 0
        for entry in try entries() {
            for (key, value) in entry.trailers where key == KlabTrailer.backup || key == KlabTrailer.restored {
                named = max(named, Self.backupNumber(value) ?? 0)
            }
        }
        return try Self.createBackupRef(in: repository, to: commit, above: named, message: "klab: backup before \(reason)")
    }

    /// Creates `refs/klab/backups/N` for `commit`, N the lowest number above `above` and
    /// above every backup ref, by compare-and-swap against the ref's absence: when another
    /// writer has taken N, or holds its lock file while taking it, N + 1 is tried, so no
    /// backup is ever overwritten and no two writers share a number.
    static func createBackupRef(in repository: Repository, to commit: ObjectID, above: Int, message: String) throws -> String {
        let existing = try repository.references(under: backupPrefix).compactMap { backupNumber($0.name) }
        var number = max(above, existing.max() ?? 0) + 1
        while true {
            let name = backupPrefix + String(number)
            do {
                try repository.updateReference(name, to: commit, expecting: .absent, message: message)
                return name
            } catch LabGitError.referenceChanged {
                number += 1
            } catch LabGitError.libgit2(_, .locked, _) {
                number += 1
            }
        }
    }

    /// 3 for `refs/klab/backups/3`; nil for anything else.
    public static func backupNumber(_ ref: String) -> Int? {
        guard ref.hasPrefix(backupPrefix), let number = Int(ref.dropFirst(backupPrefix.count)), number > 0 else { return nil }
        return number
    }

    /// Puts the lab's files back as they were when `step` started and rewinds progress to
    /// it, after saving everything under a backup ref (named in the outcome).
    public func reset(lab: String, step: String) throws -> ResetOutcome {
        try beginWriting(); defer { endWriting() }
        guard let start = try repository.referenceTarget(stepStartRef(lab: lab, step: step)) else {
            throw WorkspaceError.unknownStep(lab: lab, step: step)
        }
        let backup = try self.backup(reason: "reset of \(lab) to the start of \(step)", operation: "reset")
        let secrets = PlaintextSecrets.find(under: [lab], root: root)
        let evidence = WorkspaceLayout.evidencePath(lab: lab)
        try repository.checkout(start, paths: [lab, evidence], keeping: secrets)
        let commit = try self.commit(
            subject: "Reset \(lab) to the start of \(step)",
            trailers: [
                .init(KlabTrailer.lab, lab), .init(KlabTrailer.event, ProgressEvent.reset.rawValue), .init(KlabTrailer.step, step),
                .init(KlabTrailer.backup, backup), .init(KlabTrailer.previous, try previousKlabCommit()),
            ],
            paths: [lab, evidence])
        return ResetOutcome(commit: commit.hex, backupRef: backup)
    }

    /// Undoes the latest reset, restart, restore or undo (of `lab`, or of any lab; see
    /// `ProgressLog.undoTarget`): saves everything the learner has now under a new backup,
    /// then brings back the lab's files exactly as that operation found them (uncommitted
    /// edits stay uncommitted) and the progress before it. Undoing twice returns to where
    /// the learner was; nothing is overwritten without being saved first.
    public func undo(lab labFilter: String? = nil) throws -> UndoOutcome {
        try beginWriting(); defer { endWriting() }
        let entries = try self.entries()
        guard let target = ProgressLog.undoTarget(entries, lab: labFilter), let restoredName = target.value(KlabTrailer.backup) else {
            throw WorkspaceError.noBackup
        }
        guard let saved = try repository.referenceTarget(restoredName) else {
            throw WorkspaceError.backupMissing(ref: restoredName)
        }
        guard let savedHead = try repository.commit(saved).parents.first else { throw WorkspaceError.backupMissing(ref: restoredName) }
        let lab = target.lab
        let what = Self.describe(target)
        let backup = try self.backup(reason: "undo of the \(what)", operation: "undo")
        let paths = [lab, WorkspaceLayout.evidencePath(lab: lab), WorkspaceLayout.labSettingsPath(lab)]
        // Committed state first (what HEAD had before the operation), then the saved files.
        let secrets = PlaintextSecrets.find(under: [lab], root: root)
        try repository.checkout(savedHead, paths: paths, keeping: secrets)
        let commit = try self.commit(
            subject: "Undo the \(what)",
            trailers: [
                .init(KlabTrailer.lab, lab), .init(KlabTrailer.event, ProgressEvent.undo.rawValue),
            ] + (target.step.map { [.init(KlabTrailer.step, $0)] } ?? []) + [
                .init(KlabTrailer.backup, backup),
                .init(KlabTrailer.undoes, target.commit), .init(KlabTrailer.restored, restoredName),
                .init(KlabTrailer.previous, try previousKlabCommit()),
            ],
            paths: paths)
        try repository.checkout(saved, paths: [lab], keeping: secrets, updateIndex: false)
        return UndoOutcome(commit: commit.hex, backupRef: backup, restoredRef: restoredName, lab: lab, undid: what)
    }

    /// Brings back the files of `lab` as backup `number` holds them (`refs/klab/backups/N`,
    /// as `klab reset --list` shows it), after saving everything the learner has now under a
    /// new backup. Only the lab's folder changes, and its files come back uncommitted, as
    /// edits; progress and evidence stay as they are (what was verified stays verified). The
    /// restore is recorded on the branch, so `undo` brings back what it overwrote.
    public func restore(backup number: Int, lab: String) throws -> RestoreOutcome {
        try beginWriting(); defer { endWriting() }
        let restoredName = Self.backupPrefix + String(number)
        guard let saved = try repository.referenceTarget(restoredName) else { throw WorkspaceError.unknownBackup(number: number) }
        guard try repository.treeEntries(of: saved).contains(where: { $0.mode != .directory && $0.path.hasPrefix(lab + "/") }) else {
            throw WorkspaceError.backupWithoutLab(ref: restoredName, lab: lab)
        }
        let backup = try self.backup(reason: "restore of \(lab) from \(restoredName)", operation: "restore")
        let commit = try self.commit(
            subject: "Restore \(lab) from \(restoredName)",
            trailers: [
                .init(KlabTrailer.lab, lab), .init(KlabTrailer.event, ProgressEvent.restore.rawValue),
                .init(KlabTrailer.backup, backup), .init(KlabTrailer.restored, restoredName),
                .init(KlabTrailer.previous, try previousKlabCommit()),
            ],
            paths: [])
        let secrets = PlaintextSecrets.find(under: [lab], root: root)
        try repository.checkout(saved, paths: [lab], keeping: secrets, updateIndex: false)
        return RestoreOutcome(commit: commit.hex, backupRef: backup, restoredRef: restoredName, lab: lab)
    }

    /// "reset of health-probes to the start of liveness", "restart of health-probes", ...
    static func describe(_ entry: ProgressEntry) -> String {
        switch entry.event {
        case .reset: return "reset of \(entry.lab) to the start of \(entry.step ?? "its first step")"
        case .start: return "restart of \(entry.lab)"
        case .undo: return "undo in \(entry.lab)"
        case .pass: return "pass of \(entry.lab)/\(entry.step ?? "")"
        case .hint: return "hint for \(entry.lab)/\(entry.step ?? "")"
        case .restore: return "restore of \(entry.lab) from \(entry.value(KlabTrailer.restored) ?? "a backup")"
        }
    }
}

public struct StartOutcome: Sendable, Equatable {
    public var commit: String
    /// Manifests holding plaintext Secrets, left untracked on purpose.
    public var secretsLeftUncommitted: [String]
    /// Where the files of an earlier start were saved before being overwritten.
    public var backupRef: String?
}

public struct PassOutcome: Sendable, Equatable {
    public var commit: String
    public var digest: String
}

public struct ResetOutcome: Sendable, Equatable {
    public var commit: String
    public var backupRef: String
}

public struct UndoOutcome: Sendable, Equatable {
    public var commit: String
    /// Where what the learner had before the undo was saved.
    public var backupRef: String
    /// The backup brought back.
    public var restoredRef: String
    public var lab: String
    /// The operation undone, in words ("reset of health-probes to the start of liveness").
    public var undid: String
}

public struct RestoreOutcome: Sendable, Equatable {
    public var commit: String
    /// Where what the learner had before the restore was saved.
    public var backupRef: String
    /// The backup brought back.
    public var restoredRef: String
    public var lab: String
}
