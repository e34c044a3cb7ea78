import Foundation
import LabGit
import TestSupport
import XCTest
@testable import Workspace

/// Reset, undo and restart never lose what the learner has: each saves first, under a backup
/// that is never overwritten, and undo can itself be undone.
final class UndoTests: XCTestCase, WorkspaceTestFiles {
    /// The sequence: work made between a reset and its undo is saved by the undo, and
    /// a second undo brings it back.
    func testUndoSavesTheNewerWorkAndASecondUndoBringsItBack() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        _ = try workspace.recordPass(lab: "probes", step: "liveness", nextStep: "readiness", evidence: ["r.json": Data("{}".utf8)], classKey: nil)
        try write("A\n", "probes/a.txt", in: root)
        let reset = try workspace.reset(lab: "probes", step: "liveness")
        XCTAssertEqual(reset.backupRef, "refs/klab/backups/1")
        XCTAssertNil(read("probes/a.txt", in: root))
        XCTAssertEqual(try passed(workspace), [])

        try write("B\n", "probes/b.txt", in: root)
        try write("kind: Pod\n# my change\n", "probes/app.yaml", in: root)
        let undo = try workspace.undo()
        XCTAssertEqual(undo.restoredRef, "refs/klab/backups/1")
        XCTAssertEqual(undo.backupRef, "refs/klab/backups/2")
        XCTAssertEqual(undo.undid, "reset of probes to the start of liveness")
        XCTAssertEqual(read("probes/a.txt", in: root), "A\n")
        XCTAssertNil(read("probes/b.txt", in: root))
        XCTAssertEqual(read("probes/app.yaml", in: root), "kind: Pod\n")
        XCTAssertEqual(try passed(workspace), ["liveness"])
        // The newer work is in the undo's backup, read back by git itself.
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/2:probes/b.txt"], in: root), "B\n")
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/2:probes/app.yaml"], in: root), "kind: Pod\n# my change\n")

        let again = try workspace.undo()
        XCTAssertEqual(again.restoredRef, "refs/klab/backups/2")
        XCTAssertEqual(again.backupRef, "refs/klab/backups/3")
        XCTAssertEqual(read("probes/b.txt", in: root), "B\n")
        XCTAssertEqual(read("probes/app.yaml", in: root), "kind: Pod\n# my change\n")
        XCTAssertNil(read("probes/a.txt", in: root))
        XCTAssertEqual(try passed(workspace), [], "progress is the reset's again")
        // Uncommitted edits came back uncommitted.
        let status = try GitWitness.run(["status", "--porcelain"], in: root)
        XCTAssertTrue(status.contains(" M probes/app.yaml"), status)
        XCTAssertTrue(status.contains("?? probes/b.txt"), status)

        // And a third returns to the state after the first undo.
        _ = try workspace.undo()
        XCTAssertEqual(read("probes/a.txt", in: root), "A\n")
        XCTAssertEqual(try passed(workspace), ["liveness"])
        // Every backup still holds what it was made with: none was overwritten.
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/1:probes/a.txt"], in: root), "A\n")
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/2:probes/b.txt"], in: root), "B\n")
        try GitWitness.run(["fsck", "--strict"], in: root)
    }

    func testARestartIsSavedAndCanBeUndone() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        _ = try workspace.recordPass(lab: "probes", step: "liveness", nextStep: "readiness", evidence: ["r.json": Data("{}".utf8)], classKey: nil)
        try write("kind: Pod\n# mine\n", "probes/app.yaml", in: root)
        try write("notes\n", "probes/notes.txt", in: root)
        let changed = LabSettings(lab: "probes", namespace: "other", parameters: ["replicas": "5"], labDigest: "sha256:abc")
        let restart = try workspace.start(labID: "probes", firstStep: "liveness", settings: changed, files: materials)
        XCTAssertEqual(restart.backupRef, "refs/klab/backups/1")
        XCTAssertEqual(read("probes/app.yaml", in: root), "kind: Pod\n")
        XCTAssertEqual(try passed(workspace), [])
        XCTAssertEqual(try workspace.labSettings("probes")?.namespace, "other")

        let undo = try workspace.undo()
        XCTAssertEqual(undo.undid, "restart of probes")
        XCTAssertEqual(read("probes/app.yaml", in: root), "kind: Pod\n# mine\n")
        XCTAssertEqual(read("probes/notes.txt", in: root), "notes\n")
        XCTAssertEqual(try passed(workspace), ["liveness"])
        XCTAssertEqual(try workspace.labSettings("probes")?.namespace, "default", "the lab's settings come back with its files")
        try GitWitness.run(["fsck", "--strict"], in: root)
    }

    func testUndoOfOneLabLeavesTheOtherAlone() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        _ = try workspace.start(labID: "other", firstStep: "one", settings: settings("other"),
                                files: ["x.yaml": Data("x\n".utf8)])
        try write("mine\n", "probes/mine.txt", in: root)
        _ = try workspace.reset(lab: "probes", step: "liveness")
        try write("x\nedited\n", "other/x.yaml", in: root)
        _ = try workspace.reset(lab: "other", step: "one")
        let undo = try workspace.undo(lab: "probes")
        XCTAssertEqual(undo.lab, "probes")
        XCTAssertEqual(read("probes/mine.txt", in: root), "mine\n")
        XCTAssertEqual(read("other/x.yaml", in: root), "x\n", "the other lab's reset stands")
        XCTAssertThrowsError(try workspace.undo(lab: "nothing")) { XCTAssertEqual($0 as? WorkspaceError, .noBackup) }
    }

    /// A number named by the history is never given to a new backup, even when its ref was
    /// deleted by hand: an old reset's undo must never bring back somebody else's backup.
    func testBackupNumbersAreNeverReused() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        _ = try workspace.reset(lab: "probes", step: "liveness")
        _ = try workspace.reset(lab: "probes", step: "liveness")
        try GitWitness.run(["update-ref", "-d", "refs/klab/backups/2"], in: root)
        XCTAssertEqual(try workspace.reset(lab: "probes", step: "liveness").backupRef, "refs/klab/backups/3")
        try GitWitness.run(["update-ref", "-d", "refs/klab/backups/3"], in: root)
        XCTAssertThrowsError(try workspace.undo()) { XCTAssertEqual($0 as? WorkspaceError, .backupMissing(ref: "refs/klab/backups/3")) }
    }

    /// Two writers creating backups at once in one repository (no workspace lock between
    /// them): every backup gets its own number and keeps its own commit.
    func testConcurrentBackupRefsNeverOverwriteEachOther() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        let path = workspace.repository.workdir!
        let perWriter = 40
        let results = Locked<[String: ObjectID]>([:])
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            do {
                let repository = try Repository.open(at: path)
                let head = try repository.headCommitID()!
                for round in 0..<perWriter {
                    let tree = try TreeComposer(repository: repository, base: head)
                    try tree.setFile("w\(writer)-\(round).txt", contents: Data("\(writer) \(round)\n".utf8))
                    let commit = try repository.createCommit(tree: try tree.write(), parents: [head], message: CommitMessage(subject: "w\(writer) r\(round)"),
                                                             author: Signature(name: "t", email: "t@example.invalid"))
                    let name = try LearnerWorkspace.createBackupRef(in: repository, to: commit, above: 0, message: "test")
                    results.update { $0[name] = commit }
                }
            } catch {
                failures.update { $0.append("writer \(writer): \(error)") }
            }
        }
        XCTAssertEqual(failures.value, [])
        XCTAssertEqual(results.value.count, 2 * perWriter, "two writers were given the same number")
        XCTAssertEqual(Set(results.value.keys.compactMap(LearnerWorkspace.backupNumber)), Set(1...(2 * perWriter)))
        for (name, commit) in results.value {
            XCTAssertEqual(try GitWitness.run(["rev-parse", name], in: root), commit.hex + "\n", "\(name) was overwritten")
        }
    }

    func testTheBackupListSaysHowEachBackupDiffersFromTheFolder() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        XCTAssertEqual(try workspace.backups(), [])
        try write("A\n", "probes/a.txt", in: root)
        try write("kind: Pod\n# mine\n", "probes/app.yaml", in: root)
        _ = try workspace.reset(lab: "probes", step: "liveness")
        try write("B\n", "probes/b.txt", in: root)
        let list = try workspace.backups()
        XCTAssertEqual(list.map(\.ref), ["refs/klab/backups/1"])
        XCTAssertEqual(list.first?.operation, "reset")
        XCTAssertEqual(list.first?.reason, "reset of probes to the start of liveness")
        XCTAssertEqual(list.first?.differences, [
            WorkingDifference(path: "probes/a.txt", change: .onlyInCommit),
            WorkingDifference(path: "probes/app.yaml", change: .changed),
            WorkingDifference(path: "probes/b.txt", change: .onlyInFolder),
        ])
        _ = try workspace.undo()
        let after = try workspace.backups()
        XCTAssertEqual(after.map(\.ref), ["refs/klab/backups/2", "refs/klab/backups/1"])
        XCTAssertEqual(after.first?.operation, "undo")
        XCTAssertEqual(after.last?.differences, [], "the undo brought backup 1 back whole")
    }

    /// A pass replaces the step's evidence folder: anything in it that is not klab's
    /// committed evidence is saved first.
    func testAPassSavesAHandEditedEvidenceFolderFirst() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        try write("mine\n", ".klab/evidence/probes/liveness/notes.txt", in: root)
        _ = try workspace.recordPass(lab: "probes", step: "liveness", nextStep: "readiness", evidence: ["r.json": Data("{}".utf8)], classKey: nil)
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backups/1:.klab/evidence/probes/liveness/notes.txt"], in: root), "mine\n")
        XCTAssertEqual(try workspace.backups().first?.operation, "verify")
    }

    /// A klab killed while creating a workspace leaves a marked `.git`: the next start
    /// finishes the job. An unmarked `.git` is somebody's own repository and stays refused.
    func testAHalfCreatedWorkspaceIsFinishedButAForeignRepositoryIsRefused() throws {
        let root = try temporaryDirectory()
        _ = try Repository.create(at: root)
        try Data().write(to: root.appendingPathComponent(".git/klab-creating"))
        XCTAssertThrowsError(try LearnerWorkspace.open(at: root)) { XCTAssertEqual($0 as? WorkspaceError, .notAWorkspace(path: root.path)) }
        do { _ = try started(root) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(".git/klab-creating").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(".klab-new-repository").path))
        XCTAssertEqual(try LearnerWorkspace.open(at: root).settings.learner, "ada")

        let foreign = try temporaryDirectory()
        _ = try Repository.create(at: foreign)
        XCTAssertThrowsError(try started(foreign)) { XCTAssertEqual($0 as? WorkspaceError, .notAWorkspace(path: foreign.path)) }
    }

    /// Undos written before undo could be undone (they name the reset's backup and have no
    /// backup of their own) still replay as they did.
    func testOldUndoCommitsReplayAsBefore() {
        let entries = [
            ProgressEntry(commit: "s", event: .start, lab: "probes", step: "liveness"),
            ProgressEntry(commit: "p", event: .pass, lab: "probes", step: "liveness"),
            ProgressEntry(commit: "r", event: .reset, lab: "probes", step: "liveness", trailers: [(KlabTrailer.backup, "refs/klab/backups/1")]),
            ProgressEntry(commit: "u", event: .undo, lab: "probes", step: "liveness", trailers: [(KlabTrailer.backup, "refs/klab/backups/1")]),
        ]
        XCTAssertEqual(ProgressLog.replay(entries, stepOrder: order)["probes"]?.passed.map(\.step), ["liveness"])
        XCTAssertNil(ProgressLog.undoTarget(entries), "the old undo finished that reset and cannot itself be undone")
    }
}
