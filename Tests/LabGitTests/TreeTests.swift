import Foundation
import TestSupport
import XCTest
import LabGit

final class TreeTests: TemporaryDirectoryTestCase {
    func testComposesATreeFromMemoryAndReadsItBack() throws {
        let repository = try makeRepository(files: ["lab/deploy.yaml": "kind: Deployment\n", "README.md": "hi\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        let indexBefore = try Data(contentsOf: url.appendingPathComponent(".git/index"))

        let composer = try TreeComposer(repository: repository, base: head)
        try composer.setFile(".klab/evidence/liveness/pods.json", contents: Data("{\"items\":[]}\n".utf8))
        try composer.setFile("run.sh", contents: Data("#!/bin/sh\n".utf8), executable: true)
        try composer.remove("README.md")
        let tree = try composer.write()
        let commit = try repository.createCommit(tree: tree, parents: [head], message: "Evidence\n", author: alice)

        XCTAssertEqual(try GitWitness.lines(["ls-tree", "-r", "--format=%(objectmode) %(path)", commit.hex], in: url),
                       ["100644 .klab/evidence/liveness/pods.json", "100644 lab/deploy.yaml", "100755 run.sh"])
        XCTAssertEqual(try GitWitness.run(["show", "\(commit.hex):.klab/evidence/liveness/pods.json"], in: url),
                       "{\"items\":[]}\n")
        XCTAssertEqual(try repository.blob(at: "lab/deploy.yaml", in: commit), Data("kind: Deployment\n".utf8))
        XCTAssertNil(try repository.blob(at: "README.md", in: commit))
        XCTAssertNil(try repository.blob(at: "lab", in: commit), "a folder is not a file")
        XCTAssertEqual(try repository.entry(at: "lab", in: commit)?.mode, .directory)

        let entries = try repository.treeEntries(of: commit)
        let witness = try GitWitness.lines(["ls-tree", "-r", "-t", "--format=%(objectname) %(path)", commit.hex], in: url)
        XCTAssertEqual(entries.map { "\($0.id.hex) \($0.path)" }, witness)
        XCTAssertEqual(try repository.treeEntries(of: tree, recursive: false).map(\.path), [".klab", "lab", "run.sh"])

        // Nothing of this touched the user's index or working folder.
        XCTAssertEqual(try Data(contentsOf: url.appendingPathComponent(".git/index")), indexBefore)
        XCTAssertEqual(try GitWitness.run(["status", "--porcelain"], in: url), "")
        try GitWitness.run(["fsck", "--strict"], in: url)
    }

    func testAFileReplacesAFolderAndTheOtherWayRound() throws {
        let repository = try Repository.create(at: root.appendingPathComponent("ws"))
        let composer = try TreeComposer(repository: repository)
        try composer.setFile("a/b/c.txt", contents: Data("c".utf8))
        try composer.setFile("a", contents: Data("a".utf8))
        XCTAssertEqual(composer.paths, ["a"])
        try composer.setFile("a/d.txt", contents: Data("d".utf8))
        XCTAssertEqual(composer.paths, ["a/d.txt"])
        for bad in ["/etc/passwd", "../x", "a/../b", ".git/config", "a//b", ""] {
            XCTAssertThrowsError(try composer.setFile(bad, contents: Data())) { error in
                guard case .invalidPath? = error as? LabGitError else { return XCTFail("\(bad): \(error)") }
            }
        }
    }

    func testWorkingFilesIncludeUntrackedButNotIgnoredOrExcluded() throws {
        let repository = try makeRepository(files: [
            "lab/deploy.yaml": "v1\n", "lab/gone.yaml": "bye\n", ".gitignore": "*.log\n", "other/keep.txt": "keep\n",
        ])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        try write("v2\n", to: "lab/deploy.yaml", in: url)
        try FileManager.default.removeItem(at: url.appendingPathComponent("lab/gone.yaml"))
        try write("new\n", to: "lab/sub/new.yaml", in: url)
        try write("noise\n", to: "lab/debug.log", in: url)
        try write("kind: Secret\ndata: {}\n", to: "lab/secret.yaml", in: url)
        try write("not in the paths\n", to: "other/untracked.txt", in: url)
        let statusBefore = try GitWitness.run(["status", "--porcelain"], in: url)

        let composer = try TreeComposer(repository: repository, base: head)
        try composer.addWorkingFiles(under: ["lab"], excluding: ["lab/secret.yaml"])
        let tree = try composer.write()
        XCTAssertEqual(try GitWitness.lines(["ls-tree", "-r", "--name-only", tree.hex], in: url),
                       [".gitignore", "lab/deploy.yaml", "lab/sub/new.yaml", "other/keep.txt"])
        XCTAssertEqual(try repository.blob(at: "lab/deploy.yaml", in: tree), Data("v2\n".utf8))
        XCTAssertEqual(try GitWitness.run(["status", "--porcelain"], in: url), statusBefore, "the index is untouched")
    }

    func testIndexStagesAFolderForANormalCommit() throws {
        let repository = try makeRepository(files: ["lab/a.yaml": "a\n"])
        let url = repository.workdir!
        try write("b\n", to: "lab/b.yaml", in: url)
        try write("kind: Secret\n", to: "lab/secret.yaml", in: url)
        try FileManager.default.removeItem(at: url.appendingPathComponent("lab/a.yaml"))
        try write("outside\n", to: "notes.txt", in: url)

        let index = try repository.index()
        try index.stage(under: ["lab"], excluding: ["lab/secret.yaml"])
        try index.write()
        XCTAssertEqual(index.paths, ["lab/b.yaml"])
        XCTAssertEqual(try GitWitness.lines(["status", "--porcelain"], in: url),
                       ["D  lab/a.yaml", "A  lab/b.yaml", "?? lab/secret.yaml", "?? notes.txt"])
        let head = try repository.headCommitID()!
        let commit = try repository.createCommit(tree: try index.writeTree(), parents: [head],
                                                 message: CommitMessage(subject: "Start lab"), author: alice)
        try repository.updateHead(to: commit, expecting: .value(head), message: "klab start")
        XCTAssertEqual(try GitWitness.lines(["status", "--porcelain"], in: url), ["?? lab/secret.yaml", "?? notes.txt"])

        try index.add("notes.txt")
        try index.remove("lab/b.yaml")
        XCTAssertTrue(index.contains("notes.txt"))
        try index.reload()
        XCTAssertFalse(index.contains("notes.txt"), "reload drops what was not written")
        try index.read(tree: head)
        try index.write()
        XCTAssertEqual(try GitWitness.lines(["diff", "--cached", "--name-status"], in: url), ["A\tlab/a.yaml", "D\tlab/b.yaml"])
    }
}

final class WorkingFileModeTests: TemporaryDirectoryTestCase {
    func testSymbolicLinksAndExecutablesKeepTheirModes() throws {
        let repository = try makeRepository(files: ["lab/a.yaml": "a\n"])
        let url = repository.workdir!
        try FileManager.default.createSymbolicLink(atPath: url.appendingPathComponent("lab/link.yaml").path,
                                                   withDestinationPath: "a.yaml")
        try write("#!/bin/sh\n", to: "lab/run.sh", in: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.appendingPathComponent("lab/run.sh").path)
        try write("nested\n", to: "lab/inner/.git/HEAD", in: url)
        let composer = try TreeComposer(repository: repository, base: try repository.headCommitID())
        try composer.addWorkingFiles(under: ["lab"])
        let tree = try composer.write()
        XCTAssertEqual(try GitWitness.lines(["ls-tree", "-r", "--format=%(objectmode) %(path)", tree.hex], in: url),
                       ["100644 lab/a.yaml", "120000 lab/link.yaml", "100755 lab/run.sh"])
        XCTAssertEqual(try repository.blob(at: "lab/link.yaml", in: tree), Data("a.yaml".utf8))
    }
}
