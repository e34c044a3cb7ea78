import Foundation
import XCTest
@testable import LabGit

/// libgit2 1.5.1 spins forever on a loose object cut short after its zlib header; a
/// repository opened for reading must report it as damaged instead.
final class LooseObjectCheckTests: XCTestCase {
    func testTruncatedLooseCommitIsDamagedNotAHang() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try Repository.create(at: root)
        let composer = try TreeComposer(repository: repository)
        try composer.setFile("a.txt", contents: Data("a\n".utf8))
        let commit = try repository.createCommit(
            tree: try composer.write(), parents: [], message: CommitMessage(subject: "one"),
            author: Signature(name: "t", email: "t@example.com"))
        try repository.updateHead(to: commit, message: "test")

        let file = root.appendingPathComponent(".git/objects/\(commit.hex.prefix(2))/\(commit.hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try Data([0x78, 0x01, 0x00]).write(to: file)

        let reading = try Repository.openForReading(at: root)
        XCTAssertThrowsError(try reading.commit(commit)) { error in
            guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains(commit.hex), detail)
        }
    }

    func testSoundObjectsStillRead() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try Repository.create(at: root)
        let composer = try TreeComposer(repository: repository)
        try composer.setFile("dir/a.txt", contents: Data("a\n".utf8))
        let commit = try repository.createCommit(
            tree: try composer.write(), parents: [], message: CommitMessage(subject: "one"),
            author: Signature(name: "t", email: "t@example.com"))
        try repository.updateHead(to: commit, message: "test")
        let reading = try Repository.openForReading(at: root)
        XCTAssertEqual(try reading.blob(at: "dir/a.txt", in: commit), Data("a\n".utf8))
        XCTAssertEqual(try reading.treeEntries(of: commit).map(\.path), ["dir", "dir/a.txt"])
    }

    /// A sound object is checked once per repository, however often it is read (a grader reads
    /// the same trees for every step); a damaged one is reported on every read.
    func testObjectsAreCheckedOnceAndDamageIsReportedEveryTime() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try Repository.create(at: root)
        let composer = try TreeComposer(repository: repository)
        try composer.setFile("dir/a.txt", contents: Data("a\n".utf8))
        try composer.setFile("b.txt", contents: Data("b\n".utf8))
        let commit = try repository.createCommit(
            tree: try composer.write(), parents: [], message: CommitMessage(subject: "one"),
            author: Signature(name: "t", email: "t@example.com"))
        try repository.updateHead(to: commit, message: "test")
        let damaged = try XCTUnwrap(try repository.entry(at: "b.txt", in: commit)).id
        let file = root.appendingPathComponent(".git/objects/\(damaged.hex.prefix(2))/\(damaged.hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try Data([0x78, 0x01, 0x00]).write(to: file)

        let reading = try Repository.openForReading(at: root)
        XCTAssertEqual(try reading.blob(at: "dir/a.txt", in: commit), Data("a\n".utf8))
        let sound = try XCTUnwrap(try reading.entry(at: "dir/a.txt", in: commit)).id
        XCTAssertTrue(reading.checkedObjects.contains(sound))
        XCTAssertTrue(reading.checkedObjects.contains(commit))
        for _ in 0..<2 {
            XCTAssertThrowsError(try reading.blob(damaged)) { error in
                guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains(damaged.hex), detail)
            }
        }
        XCTAssertFalse(reading.checkedObjects.contains(damaged))
        XCTAssertTrue(try LooseObjectCheck.verify(sound, gitDirectory: root.appendingPathComponent(".git")))
        XCTAssertFalse(try LooseObjectCheck.verify(ObjectID(hex: String(repeating: "0", count: 40))!, gitDirectory: root.appendingPathComponent(".git")))
    }
}
