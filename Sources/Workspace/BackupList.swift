import Foundation
import LabGit

/// One backup, as `klab reset --list` shows it.
public struct BackupRecord: Sendable, Equatable {
    public var ref: String
    public var number: Int
    public var commit: String
    public var time: Date
    /// The command that made it: `reset`, `undo`, `start` or `verify`.
    public var operation: String
    /// What it was made before, in words ("reset of health-probes to the start of liveness").
    public var reason: String
    /// How the files it holds differ from the working folder now (klab's own `.klab/` and
    /// plaintext Secrets, which backups never hold, left out).
    public var differences: [WorkingDifference]
}

extension LearnerWorkspace {
    /// Every backup ref, newest (highest number) first, with how each differs from the
    /// working folder. Reads only.
    public func backups() throws -> [BackupRecord] {
        let secrets = PlaintextSecrets.find(under: [""], root: root)
        var records: [BackupRecord] = []
        for reference in try repository.references(under: Self.backupPrefix) {
            guard let number = Self.backupNumber(reference.name) else { continue }
            let commit = try repository.commit(reference.target)
            let subject = commit.summary
            let reason = subject.hasPrefix("Backup before ") ? String(subject.dropFirst("Backup before ".count)) : subject
            let operation = commit.trailers.last { $0.key == KlabTrailer.backupOf }?.value ?? "reset"
            let differences = try repository.differences(from: reference.target, excluding: [".klab"] + secrets)
            records.append(BackupRecord(
                ref: reference.name, number: number, commit: reference.target.hex, time: commit.time,
                operation: operation, reason: reason, differences: differences))
        }
        return records.sorted { $0.number > $1.number }
    }
}
