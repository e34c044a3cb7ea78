import Foundation
import TestSupport
import XCTest
import LabGit

final class ReferenceTests: TemporaryDirectoryTestCase {
    func testCompareAndSwapOnlyMovesAReferenceFromTheExpectedValue() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        let first = try repository.headCommitID()!
        try write("b\n", to: "a.txt", in: url)
        let second = try commitAll(repository, subject: "Second")
        let name = "refs/klab/health-probes/step/liveness"

        try repository.updateReference(name, to: first, expecting: .absent, message: "step start")
        XCTAssertThrowsError(try repository.updateReference(name, to: second, expecting: .absent, message: "again")) { error in
            XCTAssertEqual(error as? LabGitError, .referenceChanged(name: name, expected: "no reference", actual: first.hex))
        }
        XCTAssertThrowsError(try repository.updateReference(name, to: first, expecting: .value(second), message: "stale")) { error in
            guard case .referenceChanged? = error as? LabGitError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try GitWitness.run(["rev-parse", name], in: url), first.hex + "\n")
        try repository.updateReference(name, to: second, expecting: .value(first), message: "advance")
        XCTAssertEqual(try GitWitness.run(["rev-parse", name], in: url), second.hex + "\n")
        XCTAssertEqual(try repository.referenceTarget(name), second)
        try GitWitness.run(["fsck", "--strict"], in: url)
    }

    func testListsReferencesUnderAPrefixLikeGitForEachRef() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        for name in ["refs/klab/b/start", "refs/klab/a/start", "refs/klab/a/backup/1", "refs/klabber/x", "refs/tags/v1"] {
            try repository.updateReference(name, to: head, message: "test")
        }
        let listed = try repository.references(under: "refs/klab/")
        let witness = try GitWitness.lines(["for-each-ref", "--format=%(refname) %(objectname)", "refs/klab/"], in: url)
        XCTAssertEqual(listed.map { "\($0.name) \($0.target.hex)" }, witness)
        XCTAssertEqual(listed.map(\.name), ["refs/klab/a/backup/1", "refs/klab/a/start", "refs/klab/b/start"])
        XCTAssertEqual(try repository.references(under: "refs/klab").count, 3, "a prefix matches whole components")
        XCTAssertEqual(try repository.references(under: "refs/heads/").map(\.name), ["refs/heads/main"])
    }

    /// Under a prefix ending in `/`, only that folder of refs/ is walked (a glob); packed
    /// references and ones nested deeper are listed all the same, as git lists them.
    func testAPrefixFolderListsPackedAndNestedReferencesLikeGit() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        for name in ["refs/replace/packed", "refs/replace/a/b/c", "refs/replacement/x"] {
            try repository.updateReference(name, to: head, message: "test")
        }
        try GitWitness.run(["pack-refs", "--all"], in: url)
        for name in ["refs/replace/loose", "refs/replace/a/d"] {
            try repository.updateReference(name, to: head, message: "test")
        }
        for prefix in ["refs/replace/", "refs/replace/a/", "refs/", "refs/nothing/"] {
            let listed = try repository.references(under: prefix)
            let witness = try GitWitness.lines(["for-each-ref", "--format=%(refname) %(objectname)", prefix], in: url)
            XCTAssertEqual(listed.map { "\($0.name) \($0.target.hex)" }, witness, prefix)
        }
        XCTAssertEqual(try repository.references(under: "refs/replace/").map(\.name),
                       ["refs/replace/a/b/c", "refs/replace/a/d", "refs/replace/loose", "refs/replace/packed"])
    }

    func testDeleteRespectsTheExpectedValue() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        let other = try repository.createCommit(tree: try repository.commit(head).tree, parents: [head],
                                                message: "other\n", author: alice)
        try repository.updateReference("refs/klab/backup", to: head, message: "backup")
        XCTAssertThrowsError(try repository.deleteReference("refs/klab/backup", expecting: .value(other)))
        XCTAssertEqual(try GitWitness.run(["rev-parse", "refs/klab/backup"], in: url), head.hex + "\n")
        try repository.deleteReference("refs/klab/backup", expecting: .value(head))
        XCTAssertNil(try repository.referenceTarget("refs/klab/backup"))
        XCTAssertEqual(try GitWitness.run(["for-each-ref", "refs/klab/"], in: url), "")
        try repository.deleteReference("refs/klab/backup")
        XCTAssertThrowsError(try repository.deleteReference("refs/klab/backup", expecting: .value(head)))
    }

    func testHeadUpdatesGoToTheBranchWithReflogMessages() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        try repository.setIdentity(name: "klab", email: "klab@localhost")
        try write("changed\n", to: "a.txt", in: url)
        try commitAll(repository, subject: "Second")
        XCTAssertEqual(try GitWitness.lines(["log", "-g", "--format=%gs", "refs/heads/main"], in: url),
                       ["commit: Second", "commit: Initial"])
        XCTAssertEqual(try GitWitness.lines(["log", "-g", "--format=%gs%x09%gn", "HEAD"], in: url).first,
                       "commit: Second\tklab")
        XCTAssertEqual(try GitWitness.run(["status", "--porcelain"], in: url), "")

        try repository.setHead(branch: "refs/heads/other")
        XCTAssertEqual(try repository.headBranch(), "refs/heads/other")
        XCTAssertNil(try repository.headCommitID(), "a branch without commits")
        XCTAssertTrue(Repository.isValidReferenceName("refs/klab/health-probes/start"))
        XCTAssertFalse(Repository.isValidReferenceName("refs/klab/bad..name"))
        XCTAssertFalse(Repository.isValidReferenceName("refs/klab/with space"))
    }
}

final class StaleLockTests: TemporaryDirectoryTestCase {
    func testLocksLeftByAKilledProcessBlockWritesUntilCleared() throws {
        let repository = try makeRepository(files: ["a.txt": "1\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        try Data().write(to: url.appendingPathComponent(".git/index.lock"))
        try Data().write(to: url.appendingPathComponent(".git/refs/heads/main.lock"))
        try FileManager.default.createDirectory(at: url.appendingPathComponent(".git/refs/klab"), withIntermediateDirectories: true)
        try Data().write(to: url.appendingPathComponent(".git/refs/klab/progress.lock"))

        try write("2\n", to: "a.txt", in: url)
        XCTAssertThrowsError(try commitAll(repository, subject: "Blocked")) { error in
            XCTAssertEqual((error as? LabGitError)?.gitCode, .locked, "\(error)")
        }
        XCTAssertThrowsError(try repository.updateReference("refs/klab/progress", to: head, message: "x")) { error in
            XCTAssertEqual((error as? LabGitError)?.gitCode, .locked, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("git_reference_create failed: "), "\(error)")
        }
        XCTAssertEqual(try repository.removeStaleLockFiles(olderThan: 3600), [], "recent locks may belong to a live process")
        XCTAssertEqual(try repository.removeStaleLockFiles(olderThan: 0),
                       ["index.lock", "refs/heads/main.lock", "refs/klab/progress.lock"])
        try commitAll(repository, subject: "Unblocked")
        try repository.updateReference("refs/klab/progress", to: head, message: "x")
        XCTAssertEqual(try GitWitness.run(["log", "-1", "--format=%s"], in: url), "Unblocked\n")
        try GitWitness.run(["fsck", "--strict"], in: url)
    }
}
