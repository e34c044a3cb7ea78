/// Replays klab's commits into each lab's progress.
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
            case .restore:
                // Files only: what was verified stays verified.
                continue
            }
        }
        return labs
    }
}

extension ProgressLog {
    /// What `klab reset --undo` undoes: the latest reset, restart, restore or undo (of `lab`,
    /// or of any lab) that saved the folder under a backup first. Undoing an undo is allowed, so two
    /// undos in a row return to where the learner was.
    public static func undoTarget(_ entries: [ProgressEntry], lab: String? = nil) -> ProgressEntry? {
        // Undos written by an older klab named the reset they undid by its backup and made
        // no backup of their own: those resets are done with, those undos cannot be undone.
        let undoneByOldUndo = Set(entries.filter { $0.event == .undo && $0.value(KlabTrailer.undoes) == nil }.compactMap { $0.value(KlabTrailer.backup) })
        return entries.last { entry in
            guard lab == nil || entry.lab == lab, let backup = entry.value(KlabTrailer.backup) else { return false }
            switch entry.event {
            case .reset: return !undoneByOldUndo.contains(backup)
            case .start, .restore: return true
            case .undo: return entry.value(KlabTrailer.undoes) != nil
            case .pass, .hint: return false
            }
        }
    }
}
