import Foundation
import TestSupport
import XCTest
import LabGit

final class CheckoutTests: TemporaryDirectoryTestCase {
    /// A lab at its step start (C1), a later commit (C2), then unsaved work on top.
    private func learnerAtWork() throws -> (Repository, URL, start: ObjectID, later: ObjectID) {
        let repository = try makeRepository(files: [
            "lab/a.yaml": "v1\n", "lab/b.yaml": "b\n", "other/x.txt": "x\n", ".gitignore": "*.log\n",
        ])
        let url = repository.workdir!
        let start = try repository.headCommitID()!
        try write("v2\n", to: "lab/a.yaml", in: url)
        try FileManager.default.removeItem(at: url.appendingPathComponent("lab/b.yaml"))
        try write("c\n", to: "lab/c.yaml", in: url)
        let later = try commitAll(repository, subject: "Later")
        try write("v3 by hand\n", to: "lab/a.yaml", in: url)
        try write("d\n", to: "lab/d.yaml", in: url)
        try write("e\n", to: "lab/new/e.yaml", in: url)
        try write("debug\n", to: "lab/x.log", in: url)
        try write("kind: Secret\nstringData: {password: hunter2}\n", to: "lab/secret.yaml", in: url)
        try write("x edited\n", to: "other/x.txt", in: url)
        return (repository, url, start, later)
    }

    func testSnapshotSavesEverythingWithoutMovingAnything() throws {
        let (repository, url, _, later) = try learnerAtWork()
        let statusBefore = try GitWitness.run(["status", "--porcelain", "-uall"], in: url)
        let indexBefore = try Data(contentsOf: url.appendingPathComponent(".git/index"))

        let snapshot = try repository.snapshotWorkingState(
            excluding: ["lab/secret.yaml"], message: CommitMessage(subject: "Backup before reset"), author: alice)
        try repository.updateReference("refs/klab/backup/1", to: snapshot, expecting: .absent, message: "backup")

        XCTAssertEqual(try GitWitness.lines(["ls-tree", "-r", "--name-only", "refs/klab/backup/1"], in: url),
                       [".gitignore", "lab/a.yaml", "lab/c.yaml", "lab/d.yaml", "lab/new/e.yaml", "other/x.txt"])
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backup/1:lab/a.yaml"], in: url), "v3 by hand\n")
        XCTAssertEqual(try GitWitness.run(["show", "refs/klab/backup/1:other/x.txt"], in: url), "x edited\n")
        XCTAssertEqual(try GitWitness.run(["log", "-1", "--format=%P %s", "refs/klab/backup/1"], in: url),
                       "\(later.hex) Backup before reset\n")
        XCTAssertEqual(try repository.headCommitID(), later)
        XCTAssertEqual(try GitWitness.run(["status", "--porcelain", "-uall"], in: url), statusBefore)
        XCTAssertEqual(try Data(contentsOf: url.appendingPathComponent(".git/index")), indexBefore)
        try GitWitness.run(["fsck", "--strict"], in: url)
    }

    func testCheckoutOfOneFolderRestoresItExactlyAndLeavesTheRestAlone() throws {
        let (repository, url, start, later) = try learnerAtWork()
        let snapshot = try repository.snapshotWorkingState(excluding: ["lab/secret.yaml"],
                                                           message: CommitMessage(subject: "Backup"), author: alice)

        let removed = try repository.checkout(start, paths: ["lab"], keeping: ["lab/secret.yaml"])
        XCTAssertEqual(removed, ["lab/d.yaml", "lab/new/e.yaml"])
        XCTAssertEqual(try read("lab/a.yaml", in: url), "v1\n")
        XCTAssertEqual(try read("lab/b.yaml", in: url), "b\n")
        XCTAssertFalse(exists("lab/c.yaml", in: url), "tracked, but not in the target")
        XCTAssertFalse(exists("lab/new", in: url), "emptied folders go too")
        XCTAssertEqual(try read("lab/x.log", in: url), "debug\n", "ignored files are left")
        XCTAssertTrue(exists("lab/secret.yaml", in: url), "kept paths are left")
        XCTAssertEqual(try read("other/x.txt", in: url), "x edited\n", "outside the folder: untouched")
        XCTAssertEqual(try repository.headCommitID(), later, "HEAD does not move")
        XCTAssertEqual(try GitWitness.lines(["status", "--porcelain", "-uall"], in: url),
                       ["M  lab/a.yaml", "A  lab/b.yaml", "D  lab/c.yaml", " M other/x.txt", "?? lab/secret.yaml"])

        // And back: the snapshot brings the hand edits and the untracked files back.
        try repository.checkout(snapshot, paths: ["lab"], keeping: ["lab/secret.yaml"])
        XCTAssertEqual(try read("lab/a.yaml", in: url), "v3 by hand\n")
        XCTAssertEqual(try read("lab/new/e.yaml", in: url), "e\n")
        XCTAssertEqual(try read("lab/d.yaml", in: url), "d\n")
        XCTAssertFalse(exists("lab/b.yaml", in: url))
        XCTAssertTrue(exists("lab/secret.yaml", in: url))
        try GitWitness.run(["fsck", "--strict"], in: url)
    }

    func testCheckoutCanLeaveTheIndexAlone() throws {
        let (repository, url, start, _) = try learnerAtWork()
        let indexBefore = try GitWitness.run(["ls-files", "-s"], in: url)
        try repository.checkout(start, paths: ["lab"], keeping: ["lab/secret.yaml"], updateIndex: false)
        XCTAssertEqual(try read("lab/a.yaml", in: url), "v1\n")
        XCTAssertEqual(try GitWitness.run(["ls-files", "-s"], in: url), indexBefore)
    }

    func testSnapshotOfARepositoryWithoutCommits() throws {
        let url = root.appendingPathComponent("fresh")
        let repository = try Repository.create(at: url)
        try write("draft\n", to: "lab/draft.yaml", in: url)
        let snapshot = try repository.snapshotWorkingState(message: CommitMessage(subject: "Backup"), author: alice)
        XCTAssertEqual(try repository.commit(snapshot).parents, [])
        XCTAssertEqual(try GitWitness.run(["show", "\(snapshot.hex):lab/draft.yaml"], in: url), "draft\n")
        XCTAssertNil(try repository.headCommitID())
    }

    func testStatusAgreesWithGitStatus() throws {
        let (repository, url, _, _) = try learnerAtWork()
        try GitWitness.run(["add", "lab/d.yaml"], in: url)
        try GitWitness.run(["rm", "-q", "--cached", "lab/c.yaml"], in: url)
        let witness = try GitWitness.lines(["status", "--porcelain", "-uall"], in: url)
        let byPath: (String, String) -> Bool = { ($0.dropFirst(3), $0) < ($1.dropFirst(3), $1) }
        XCTAssertEqual(try repository.status().flatMap(Self.porcelain).sorted(by: byPath), witness.sorted(by: byPath))
        XCTAssertEqual(try repository.status(under: ["lab/new"]).flatMap(Self.porcelain), ["?? lab/new/e.yaml"])
        XCTAssertTrue(try repository.hasChanges(under: ["other"]))
        try GitWitness.run(["checkout", "-q", "--", "other"], in: url)
        XCTAssertFalse(try repository.hasChanges(under: ["other"]))
        XCTAssertFalse(try repository.hasChanges(under: ["lab/x.log"]), "ignored files are not changes")
    }

    /// git prints a path deleted from the index but present on disk as two lines.
    private static func porcelain(_ entry: StatusEntry) -> [String] {
        func code(_ change: StatusEntry.Change?) -> String {
            switch change {
            case nil: return " "
            case .added: return "A"
            case .modified: return "M"
            case .deleted: return "D"
            case .renamed: return "R"
            case .typeChanged: return "T"
            case .untracked: return "?"
            case .conflicted: return "U"
            }
        }
        if entry.unstaged == .untracked {
            return (entry.staged.map { [code($0) + "  " + entry.path] } ?? []) + ["?? \(entry.path)"]
        }
        return [code(entry.staged) + code(entry.unstaged) + " " + entry.path]
    }
}

final class CheckoutOfAbsentFolderTests: TemporaryDirectoryTestCase {
    func testAFolderTheTargetLacksIsEmptied() throws {
        let repository = try makeRepository(files: ["README.md": "hi\n"])
        let url = repository.workdir!
        let before = try repository.headCommitID()!
        try write("a\n", to: "lab/a.yaml", in: url)
        try commitAll(repository, subject: "Start lab")
        try write("scratch\n", to: "lab/notes/todo.txt", in: url)
        try write("kind: Secret\n", to: "lab/secret.yaml", in: url)
        let removed = try repository.checkout(before, paths: ["lab"], keeping: ["lab/secret.yaml"])
        XCTAssertEqual(removed, ["lab/notes/todo.txt"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent("lab").path),
                       ["secret.yaml"])
        XCTAssertEqual(try read("README.md", in: url), "hi\n")
        XCTAssertEqual(try GitWitness.lines(["status", "--porcelain", "-uall"], in: url), ["D  lab/a.yaml", "?? lab/secret.yaml"])
    }
}
