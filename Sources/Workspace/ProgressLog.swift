/// The trailers klab writes on its commits; grading and `klab status` read them back.
/// (Named apart from `LabGit.Trailer`, the parsed `Key: value` line.)
public enum KlabTrailer {
    public static let lab = "Klab-Lab"
    public static let step = "Klab-Step"
    public static let event = "Klab-Event"
    public static let evidence = "Klab-Evidence"
    public static let signature = "Klab-Signature"
    public static let hint = "Klab-Hint"
    public static let previous = "Klab-Previous"
    public static let labsDigest = "Klab-Labs-Digest"
    /// On a reset, undo or restart: the backup ref holding what the folder had before it.
    public static let backup = "Klab-Backup"
    /// On an undo: the commit of the operation it undid.
    public static let undoes = "Klab-Undoes"
    /// On an undo: the backup ref it brought back.
    public static let restored = "Klab-Restored"
    /// On a backup commit (never on the branch): the operation it was made for.
    public static let backupOf = "Klab-Backup-Of"
}

/// What a klab commit records.
public enum ProgressEvent: String, Sendable, Equatable {
    /// A lab was started (or restarted): its first step begins.
    case start
    /// A step's checks passed; evidence is in the commit.
    case pass
    /// A hint was shown.
    case hint
    /// Progress went back to the start of a step.
    case reset
    /// A reset, restart or undo was undone: progress is what it was before that operation.
    case undo
}

/// One klab commit of the workspace branch, as far as progress is concerned.
public struct ProgressEntry: Sendable, Equatable {
    public var commit: String
    public var event: ProgressEvent
    public var lab: String
    public var step: String?
    public var trailers: [(String, String)]

    public init(commit: String, event: ProgressEvent, lab: String, step: String?, trailers: [(String, String)] = []) {
        self.commit = commit
        self.event = event
        self.lab = lab
        self.step = step
        self.trailers = trailers
    }

    public static func == (lhs: ProgressEntry, rhs: ProgressEntry) -> Bool {
        lhs.commit == rhs.commit && lhs.event == rhs.event && lhs.lab == rhs.lab && lhs.step == rhs.step
            && lhs.trailers.elementsEqual(rhs.trailers, by: { $0 == $1 })
    }

    /// Reads a commit's trailers; nil for commits klab did not make (the learner's own).
    public init?(commit: String, trailers: [(String, String)]) {
        func value(_ key: String) -> String? { trailers.last { $0.0 == key }?.1 }
        guard let lab = value(KlabTrailer.lab), let raw = value(KlabTrailer.event), let event = ProgressEvent(rawValue: raw)
        else { return nil }
        self.init(commit: commit, event: event, lab: lab, step: value(KlabTrailer.step), trailers: trailers)
    }

    /// The value of the last trailer with `key`.
    public func value(_ key: String) -> String? { trailers.last { $0.0 == key }?.1 }
}

/// A lab's progress, derived from the history alone, so it can never disagree with it.
public struct LabProgress: Sendable, Equatable {
    public var lab: String
    /// Steps passed, in the order they were passed, with the commit that recorded each.
    public var passed: [(step: String, commit: String)]
    /// Hints shown per step.
    public var hintsShown: [String: Int]
    /// The commit that started the lab.
    public var startCommit: String

    public static func == (lhs: LabProgress, rhs: LabProgress) -> Bool {
        lhs.lab == rhs.lab && lhs.hintsShown == rhs.hintsShown && lhs.startCommit == rhs.startCommit
            && lhs.passed.elementsEqual(rhs.passed, by: { $0.step == $1.step && $0.commit == $1.commit })
    }

    public func hasPassed(_ step: String) -> Bool { passed.contains { $0.step == step } }

    /// The first step, in the lab's order, not yet passed; nil when all are done.
    public func currentStep(in order: [String]) -> String? { order.first { !hasPassed($0) } }
}

public enum ProgressLog {
    /// Replays klab's commits, oldest first, into each lab's progress. `stepOrder` gives each
    /// lab's steps in order, so that a reset to a step also forgets the steps after it.
    public static func replay(_ entries: [ProgressEntry], stepOrder: [String: [String]]) -> [String: LabProgress] {
        var labs: [String: LabProgress] = [:]
        // Each lab's progress just before each klab commit, for undo.
        var before: [String: LabProgress] = [:]
        var beforeReset: [String: LabProgress] = [:]
        func backup(of entry: ProgressEntry) -> String? { entry.trailers.last { $0.0 == KlabTrailer.backup }?.1 }
        for entry in entries {
            before[entry.commit] = labs[entry.lab]
            switch entry.event {
            case .start:
                labs[entry.lab] = LabProgress(lab: entry.lab, passed: [], hintsShown: [:], startCommit: entry.commit)
            case .pass:
                guard let step = entry.step, labs[entry.lab] != nil else { continue }
                if !(labs[entry.lab]!.hasPassed(step)) { labs[entry.lab]!.passed.append((step, entry.commit)) }
            case .hint:
                guard let step = entry.step, labs[entry.lab] != nil else { continue }
                labs[entry.lab]!.hintsShown[step, default: 0] += 1
            case .reset:
                guard let step = entry.step, labs[entry.lab] != nil else { continue }
                let order = stepOrder[entry.lab] ?? []
                let from = order.firstIndex(of: step) ?? 0
                if let name = backup(of: entry) { beforeReset[name] = labs[entry.lab] }
                let forgotten = Set(order[from...])
                labs[entry.lab]!.passed.removeAll { forgotten.contains($0.step) }
            case .undo:
                // Hints shown stay shown; the rest is as it was before the operation undone.
                if let undone = entry.value(KlabTrailer.undoes) {
                    guard var restored = before[undone] else { continue }
                    restored.hintsShown = labs[entry.lab]?.hintsShown ?? restored.hintsShown
                    labs[entry.lab] = restored
                } else {
                    // Written by klab before undo could be undone: it names the reset's backup.
                    guard let name = backup(of: entry), var restored = beforeReset[name] else { continue }
                    restored.hintsShown = labs[entry.lab]?.hintsShown ?? restored.hintsShown
                    labs[entry.lab] = restored
                }
            }
        }
        return labs
    }
}

extension ProgressLog {
    /// What `klab reset --undo` undoes: the latest reset, restart or undo (of `lab`, or of any
    /// lab) that saved the folder under a backup first. Undoing an undo is allowed, so two
    /// undos in a row return to where the learner was.
    public static func undoTarget(_ entries: [ProgressEntry], lab: String? = nil) -> ProgressEntry? {
        // Undos written by an older klab named the reset they undid by its backup and made
        // no backup of their own: those resets are done with, those undos cannot be undone.
        let undoneByOldUndo = Set(entries.filter { $0.event == .undo && $0.value(KlabTrailer.undoes) == nil }.compactMap { $0.value(KlabTrailer.backup) })
        return entries.last { entry in
            guard lab == nil || entry.lab == lab, let backup = entry.value(KlabTrailer.backup) else { return false }
            switch entry.event {
            case .reset: return !undoneByOldUndo.contains(backup)
            case .start: return true
            case .undo: return entry.value(KlabTrailer.undoes) != nil
            case .pass, .hint: return false
            }
        }
    }
}
