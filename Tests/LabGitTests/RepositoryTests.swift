import Foundation
import TestSupport
import XCTest
import LabGit

final class RepositoryTests: TemporaryDirectoryTestCase {
    func testCreateMakesAnOrdinaryRepositoryOnTheGivenBranch() throws {
        let url = root.appendingPathComponent("nested/workspace")
        let repository = try Repository.create(at: url, initialBranch: "learner")
        XCTAssertEqual(repository.workdir?.standardizedFileURL.path, url.standardizedFileURL.path)
        XCTAssertFalse(repository.isBare)
        XCTAssertEqual(try repository.headBranch(), "refs/heads/learner")
        XCTAssertNil(try repository.headCommitID())
        XCTAssertEqual(try GitWitness.run(["rev-parse", "--is-inside-work-tree"], in: url), "true\n")
        XCTAssertEqual(try GitWitness.run(["symbolic-ref", "HEAD"], in: url), "refs/heads/learner\n")
    }

    func testOpenAndDiscoverFindTheSameWorkingFolder() throws {
        let repository = try makeRepository(files: ["lab/deploy.yaml": "kind: Deployment\n"])
        let url = repository.workdir!
        XCTAssertEqual(try Repository.open(at: url).workdir, url)
        XCTAssertEqual(try Repository.discover(from: url.appendingPathComponent("lab")).workdir, url)
        XCTAssertEqual(try Repository.open(at: url).headCommitID(), try repository.headCommitID())
    }

    func testOpeningAFolderWithoutRepositorySaysSo() throws {
        let plain = root.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        XCTAssertThrowsError(try Repository.open(at: plain)) { error in
            XCTAssertEqual(error as? LabGitError, .notARepository(path: plain.path))
            XCTAssertTrue("\(error)".contains("is not a git repository"), "\(error)")
        }
        XCTAssertThrowsError(try Repository.open(at: root.appendingPathComponent("missing"))) { error in
            XCTAssertEqual(error as? LabGitError, .notARepository(path: root.appendingPathComponent("missing").path))
        }
    }

    func testOpeningARepositoryWithoutHeadSaysItIsDamaged() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        try FileManager.default.removeItem(at: url.appendingPathComponent(".git/HEAD"))
        XCTAssertThrowsError(try Repository.open(at: url)) { error in
            guard case .damagedRepository(let path, _)? = error as? LabGitError else {
                return XCTFail("expected damagedRepository, got \(error)")
            }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue("\(error)".contains("is damaged"), "\(error)")
        }
    }

    func testOpeningARepositoryWhoseHeadIsGarbageSaysItIsDamaged() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        try Data("ref: refs/heads/main\n".utf8).write(to: url.appendingPathComponent(".git/HEAD"))
        try Data("not an object id\n".utf8).write(to: url.appendingPathComponent(".git/refs/heads/main"))
        XCTAssertThrowsError(try Repository.open(at: url)) { error in
            guard case .damagedRepository? = error as? LabGitError else {
                return XCTFail("expected damagedRepository, got \(error)")
            }
        }
    }

    func testDiscoverOutsideAnyRepositorySaysSo() throws {
        let lonely = root.appendingPathComponent("lonely/sub")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        XCTAssertNotEqual(try GitWitness.runAllowingFailure(["rev-parse", "--git-dir"], in: lonely).status, 0,
                          "git agrees there is no repository here")
        XCTAssertThrowsError(try Repository.discover(from: lonely)) { error in
            XCTAssertEqual(error as? LabGitError, .notARepository(path: lonely.path))
        }
    }
}

final class RecreateTests: TemporaryDirectoryTestCase {
    func testCreatingOverAnExistingRepositoryKeepsItsHistoryAndBranch() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        let again = try Repository.create(at: url, initialBranch: "other")
        XCTAssertEqual(try again.headCommitID(), head)
        XCTAssertEqual(try again.headBranch(), "refs/heads/main")
        XCTAssertEqual(try GitWitness.run(["rev-parse", "HEAD"], in: url), head.hex + "\n")
        XCTAssertEqual(try GitWitness.run(["status", "--porcelain"], in: url), "")
    }
}
