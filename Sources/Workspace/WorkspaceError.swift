/// Why klab could not work with a learner workspace. Every case says what to do next.
public enum WorkspaceError: Error, CustomStringConvertible, Equatable {
    case notAWorkspace(path: String)
    case locked(path: String)
    case lockUnavailable(path: String, reason: String)
    case damaged(path: String, reason: String)
    case labNotStarted(lab: String)
    case noLabStarted
    case unknownStep(lab: String, step: String)
    case noBackup
    case cannotCreate(path: String, reason: String)
    case backupMissing(ref: String)
    /// `reset --restore N` names a backup that does not exist.
    case unknownBackup(number: Int)
    /// `reset --restore N` names a backup without any file of the lab.
    case backupWithoutLab(ref: String, lab: String)
    case settings(path: String, reason: String)
    /// The command line gives one parameter two values (`-n a --set namespace=b`).
    case conflictingParameter(name: String, first: String, second: String)
    /// The command line asks for another value than the lab was started with.
    case startedWithOtherValue(lab: String, name: String, started: String, asked: String)
    /// The command line names another learner than the workspace's.
    case belongsToAnotherLearner(owner: String, asked: String)

    public var description: String {
        switch self {
        case .notAWorkspace(let path):
            return "\(path) is not a klab workspace; run `klab start LAB` to create one, or pass --workspace DIR"
        case .locked(let path):
            return "another klab is working in this workspace (lock \(path)); wait for it to finish and retry"
        case .lockUnavailable(let path, let reason):
            return "cannot take the workspace lock \(path): \(reason)"
        case .damaged(let path, let reason):
            return "the workspace at \(path) is damaged: \(reason)"
        case .labNotStarted(let lab):
            return "lab \(lab) is not started in this workspace; run `klab start \(lab)`"
        case .noLabStarted:
            return "no lab is started in this workspace; run `klab lab list` to see the labs, then `klab start LAB`"
        case .unknownStep(let lab, let step):
            return "lab \(lab) has no step \(step); `klab lab show \(lab)` lists its steps"
        case .noBackup:
            return "nothing to undo: no reset, restart or restore has been made in this workspace yet; `klab reset --list` shows its backups"
        case .cannotCreate(let path, let reason):
            return "cannot create a workspace at \(path): \(reason); check that you can write there, or pass --workspace DIR"
        case .backupMissing(let ref):
            return "the backup \(ref) that the last reset saved is gone from the repository; `klab reset --list` shows the backups there are"
        case .unknownBackup(let number):
            return "there is no backup \(number) (refs/klab/backups/\(number)) in this workspace; `klab reset --list` shows the backups there are"
        case .backupWithoutLab(let ref, let lab):
            return "\(ref) holds no file of lab \(lab), so nothing was restored; `klab reset --list` shows what each backup holds, "
                + "and `klab reset --restore N LAB` restores another lab's folder"
        case .settings(let path, let reason):
            return "cannot read workspace settings \(path): \(reason); restore it with `git checkout -- .klab` in the workspace"
        case .conflictingParameter(let name, let first, let second):
            return "\(first) and \(second) give the \(name) two values; give it once"
        case .startedWithOtherValue(let lab, let name, let started, let asked):
            let flag = name == "namespace" ? "-n \(asked)" : "--set \(name)=\(asked)"
            return "lab \(lab) was started with \(name) \(started), not \(asked): its checks read where its manifests were rendered for; "
                + "run `klab start \(lab) \(flag)` to start it again with \(asked) (what its folder holds is saved first)"
        case .belongsToAnotherLearner(let owner, let asked):
            return "this workspace belongs to \(owner), not \(asked); use another --workspace for \(asked)"
        }
    }
}
