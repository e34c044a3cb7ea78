import Foundation
import LabGit
import TestSupport
import XCTest
@testable import Workspace

/// `restore(backup:lab:)`, behind `klab reset --restore N`: a backup's files of one lab come
/// back, after what the learner has now is saved like any reset saves it; progress stays; an
/// undo brings back what the restore overwrote.
final class RestoreTests: XCTestCase, WorkspaceTestFiles {
    func testRestoreSavesFirstBringsTheFilesBackAndCanBeUndone() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        try write("A\n", "probes/a.txt", in: root)
        try write("kind: Pod\n# first try\n", "probes/app.yaml", in: root)
        XCTAssertEqual(try workspace.reset(lab: "probes", step: "liveness").backupRef, "refs/klab/backups/1")
        _ = try workspace.recordPass(lab: "probes", step: "liveness", nextStep: "readiness", evidence: ["r.json": Data("{}".utf8)], classKey: nil)
        try write("B\n", "probes/b.txt", in: root)

        let restore = try workspace.restore(backup: 1, lab: "probes")
        XCTAssertEqual(restore.restoredRef, "refs/klab/backups/1")
        XCTAssertEqual(restore.backupRef, "refs/klab/backups/2")
        XCTAssertEqual(read("probes/a.txt", in: root), "A\n")
        XCTAssertEqual(read("probes/app.yaml", in: root), "kind: Pod\n# first try\n")
        XCTAssertNil(read("probes/b.txt", in: root), "the folder is as the backup holds it")
        XCTAssertEqual(try passed(workspace), ["liveness"], "a restore brings back files, not progress")
        // What it overwrote is in its backup, read back by git itself.
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/2:probes/b.txt"], in: root), "B\n")
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/2:probes/app.yaml"], in: root), "kind: Pod\n")
        // The restored files are the learner's edits, uncommitted.
        let status = try GitWitness.run(["status", "--porcelain"], in: root)
        XCTAssertTrue(status.contains(" M probes/app.yaml"), status)
        XCTAssertTrue(status.contains("?? probes/a.txt"), status)
        XCTAssertEqual(try workspace.backups().first?.operation, "restore")
        XCTAssertEqual(try workspace.backups().first?.reason, "restore of probes from refs/klab/backups/1")

        let undo = try workspace.undo()
        XCTAssertEqual(undo.undid, "restore of probes from refs/klab/backups/1")
        XCTAssertEqual(undo.restoredRef, "refs/klab/backups/2")
        XCTAssertEqual(read("probes/b.txt", in: root), "B\n")
        XCTAssertEqual(read("probes/app.yaml", in: root), "kind: Pod\n")
        XCTAssertNil(read("probes/a.txt", in: root))
        XCTAssertEqual(try passed(workspace), ["liveness"])
        // Every backup still holds what it was made with.
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/1:probes/a.txt"], in: root), "A\n")
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/3:probes/a.txt"], in: root), "A\n")
        try GitWitness.run(["fsck", "--strict"], in: root)
    }

    /// Another lab's folder and klab's own files are not touched by a restore.
    func testRestoreChangesOnlyTheLabsFolder() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        _ = try workspace.start(labID: "other", firstStep: "one", settings: settings("other"), files: ["x.yaml": Data("x\n".utf8)])
        try write("probes then\n", "probes/notes.txt", in: root)
        try write("other then\n", "other/notes.txt", in: root)
        _ = try workspace.reset(lab: "probes", step: "liveness")
        try write("other now\n", "other/notes.txt", in: root)
        let evidenceBefore = try GitWitness.run(["ls-tree", "-r", "HEAD", ".klab"], in: root)

        _ = try workspace.restore(backup: 1, lab: "probes")
        XCTAssertEqual(read("probes/notes.txt", in: root), "probes then\n")
        XCTAssertEqual(read("other/notes.txt", in: root), "other now\n", "the other lab's folder stays as it is")
        XCTAssertEqual(try GitWitness.run(["ls-tree", "-r", "HEAD", ".klab"], in: root), evidenceBefore)
    }

    /// A backup that does not exist, or holds nothing of the lab, is refused before anything
    /// is saved or written.
    func testAnUnknownBackupOrOneWithoutTheLabIsRefusedAndNothingChanges() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        _ = try workspace.reset(lab: "probes", step: "liveness")
        _ = try workspace.start(labID: "other", firstStep: "one", settings: settings("other"), files: ["x.yaml": Data("x\n".utf8)])
        try write("mine\n", "other/mine.txt", in: root)
        let head = try workspace.repository.headCommitID()

        XCTAssertThrowsError(try workspace.restore(backup: 7, lab: "probes")) { XCTAssertEqual($0 as? WorkspaceError, .unknownBackup(number: 7)) }
        XCTAssertThrowsError(try workspace.restore(backup: 1, lab: "other")) {
            XCTAssertEqual($0 as? WorkspaceError, .backupWithoutLab(ref: "refs/klab/backups/1", lab: "other"))
        }
        XCTAssertEqual(try workspace.backups().map(\.ref), ["refs/klab/backups/1"], "no backup was made")
        XCTAssertEqual(try workspace.repository.headCommitID(), head, "nothing was recorded")
        XCTAssertEqual(read("other/mine.txt", in: root), "mine\n")
    }

    func testARestoreIsWhatUndoUndoesAndChangesNoProgress() {
        let entries = [
            ProgressEntry(commit: "s", event: .start, lab: "probes", step: "liveness"),
            ProgressEntry(commit: "r", event: .reset, lab: "probes", step: "liveness", trailers: [(KlabTrailer.backup, "refs/klab/backups/1")]),
            ProgressEntry(commit: "p", event: .pass, lab: "probes", step: "liveness"),
            ProgressEntry(commit: "x", event: .restore, lab: "probes", step: nil,
                          trailers: [(KlabTrailer.backup, "refs/klab/backups/2"), (KlabTrailer.restored, "refs/klab/backups/1")]),
        ]
        XCTAssertEqual(ProgressLog.replay(entries, stepOrder: order)["probes"]?.passed.map(\.step), ["liveness"])
        XCTAssertEqual(ProgressLog.undoTarget(entries)?.commit, "x")
    }
}
