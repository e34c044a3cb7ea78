import Foundation
import TestSupport
import XCTest
import LabGit

/// Grading reads learners' repositories as untrusted data: nothing may be written there.
final class ReadOnlyTests: TemporaryDirectoryTestCase {
    func testReadingForGradingWritesNothingInTheRepository() throws {
        let repository = try makeRepository(files: ["lab/a.yaml": "v1\n"])
        let url = repository.workdir!
        try write("v2\n", to: "lab/a.yaml", in: url)
        try commitAll(repository, subject: "Verify", trailers: [Trailer("Klab-Step", "one")])
        try write("unsaved\n", to: "lab/a.yaml", in: url)
        try GitWitness.run(["gc", "-q"], in: url)  // packed objects and packed refs too
        let before = try fingerprint(url)

        for reader in [try Repository.openForReading(at: url), try Repository.open(at: url)] {
            let head = try XCTUnwrap(try reader.headCommitID())
            for commit in try reader.commits(from: head) {
                _ = try reader.treeEntries(of: commit.id)
                _ = try reader.blob(at: "lab/a.yaml", in: commit.id)
                _ = commit.trailers
            }
            _ = try reader.references(under: "refs/")
            _ = try reader.reflog(of: "refs/heads/main")
            _ = try reader.isAncestor(head, of: head)
        }
        XCTAssertEqual(try fingerprint(url), before)
    }

    func testReflogRecordsEveryMoveWithItsMessage() throws {
        let repository = try makeRepository(files: ["a.txt": "1\n"])
        let url = repository.workdir!
        let first = try repository.headCommitID()!
        try write("2\n", to: "a.txt", in: url)
        let second = try commitAll(repository, subject: "Two")
        try repository.keepReflog(for: "refs/klab/progress")
        try repository.updateReference("refs/klab/progress", to: first, message: "start")
        try repository.updateReference("refs/klab/progress", to: second, expecting: .value(first), message: "advance")
        let entries = try repository.reflog(of: "refs/klab/progress")
        XCTAssertEqual(entries.map(\.message), ["advance", "start"])
        XCTAssertEqual(entries.map(\.old), [first, nil])
        XCTAssertEqual(entries.map(\.new), [second, first])
        XCTAssertEqual(try GitWitness.lines(["log", "-g", "--format=%gs", "refs/klab/progress"], in: url), ["advance", "start"])
        XCTAssertEqual(try repository.reflog(of: "refs/klab/unlogged"), [])
    }

    /// Every file under the repository with its size, modification time and content.
    private func fingerprint(_ url: URL) throws -> [String] {
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)!
        var lines: [String] = []
        for case let file as URL in enumerator {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let data = (attributes[.type] as? FileAttributeType) == .typeRegular ? try Data(contentsOf: file) : Data()
            lines.append("\(file.path) \(attributes[.size] ?? 0) \(modified) \(data.base64EncodedString())")
        }
        return lines.sorted()
    }
}

final class ForeignRepositoryTests: TemporaryDirectoryTestCase {
    func testARepositoryOfAnotherUserIsNamedAsSuchAndCanStillBeGraded() throws {
        let repository = try makeRepository(files: ["lab/a.yaml": "v1\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        try repository.updateReference("refs/klab/l/start", to: head, message: "start")

        let reader = try Repository.openForReading(at: url)
        XCTAssertNil(reader.workdir, "no working folder: nothing can be checked out")
        XCTAssertEqual(try reader.headCommitID(), head)
        XCTAssertEqual(try reader.references(under: "refs/klab/").map(\.name), ["refs/klab/l/start"])
        XCTAssertEqual(try Repository.openForReading(at: url.appendingPathComponent(".git")).headCommitID(), head)
        XCTAssertThrowsError(try Repository.openForReading(at: root)) { error in
            XCTAssertEqual(error as? LabGitError, .notARepository(path: root.path))
        }

        // Only root can give files away; this machine's tests run as root.
        XCTAssertEqual(geteuid(), 0, "this test needs to run as root to make a repository of another user")
        guard geteuid() == 0 else { return }
        let enumerator = FileManager.default.enumerator(atPath: url.path)!
        XCTAssertEqual(chown(url.path, 1000, 1000), 0)
        for case let file as String in enumerator { XCTAssertEqual(lchown(url.appendingPathComponent(file).path, 1000, 1000), 0) }
        XCTAssertNotEqual(try GitWitness.runAllowingFailure(["log"], in: url).status, 0, "git refuses it too")

        XCTAssertThrowsError(try Repository.open(at: url)) { error in
            XCTAssertEqual(error as? LabGitError, .ownedByAnotherUser(path: url.path))
            XCTAssertTrue("\(error)".contains("safe.directory"), "\(error)")
        }
        XCTAssertThrowsError(try Repository.discover(from: url.appendingPathComponent("lab"))) { error in
            XCTAssertEqual(error as? LabGitError, .ownedByAnotherUser(path: url.appendingPathComponent("lab").path))
        }
        let foreign = try Repository.openForReading(at: url)
        XCTAssertEqual(try foreign.blob(at: "lab/a.yaml", in: head), Data("v1\n".utf8))
    }
}
