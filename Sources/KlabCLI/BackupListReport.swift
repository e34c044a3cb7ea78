import Foundation
import KubeJSON
import LabGit
import Workspace

/// What `klab reset --list` prints: every backup, newest first, with how it differs from the
/// working folder.
enum BackupListReport {
    static func text(_ backups: [BackupRecord], workspace: String) -> String {
        guard !backups.isEmpty else {
            return "No backups in \(workspace) yet. reset, reset --undo and a restart save your files in one before changing them.\n"
        }
        var out = "Backups in \(workspace), newest first; `klab reset --restore N` brings back the lab's files of backup N, "
            + "`git -C \(workspace) show REF:PATH` prints one file.\n"
        for backup in backups {
            out += "\n\(backup.ref)  \(time(backup.time))  before \(backup.reason)\n"
            if backup.differences.isEmpty {
                out += "  same files as your folder\n"
            }
            for difference in backup.differences {
                out += "  \(words(difference.change).padding(toLength: 20, withPad: " ", startingAt: 0)) \(difference.path)\n"
            }
        }
        return out
    }

    /// `klab reset --list --output json`: every backup, newest first.
    struct Output: Encodable {
        struct Backup: Encodable {
            var ref: String
            var number: Int
            var commit: String
            var time: String
            var madeBy: String
            var before: String
            var differences: [Difference]
        }

        struct Difference: Encodable {
            var path: String
            var change: String
        }

        var backups: [Backup]

        init(_ backups: [BackupRecord]) {
            self.backups = backups.map { backup in
                Backup(ref: backup.ref, number: backup.number, commit: backup.commit, time: BackupListReport.isoTime(backup.time),
                       madeBy: backup.operation, before: backup.reason,
                       differences: backup.differences.map { Difference(path: $0.path, change: BackupListReport.key($0.change)) })
            }
        }
    }

    private static func words(_ change: WorkingDifference.Change) -> String {
        switch change {
        case .changed: return "differs"
        case .onlyInCommit: return "only in the backup"
        case .onlyInFolder: return "only in your folder"
        }
    }

    static func key(_ change: WorkingDifference.Change) -> String {
        switch change {
        case .changed: return "changed"
        case .onlyInCommit: return "onlyInBackup"
        case .onlyInFolder: return "onlyInFolder"
        }
    }

    private static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    static func isoTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
