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

    /// A loose object's file is read with plain system calls: whole, whatever its size; nil
    /// for what is not a regular file, without waiting on a FIFO.
    func testReadsRegularFilesWholeAndNothingElse() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for size in [0, 1, 4095, 4096, 4097, 100_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let file = root.appendingPathComponent("file-\(size)")
            try Data(bytes).write(to: file)
            XCTAssertEqual(LooseObjectCheck.readRegularFile(file.path), bytes, "\(size) bytes")
        }
        XCTAssertNil(LooseObjectCheck.readRegularFile(root.path), "a folder")
        XCTAssertNil(LooseObjectCheck.readRegularFile(root.appendingPathComponent("absent").path))
        let fifo = root.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        XCTAssertNil(LooseObjectCheck.readRegularFile(fifo.path), "a FIFO, at once")
    }

    /// A large object is inflated in chunks: its header and length are checked all the same.
    func testLargeObjectsAreCheckedAcrossChunks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try Repository.create(at: root)
        var generator = SystemRandomNumberGenerator()
        let large = Data((0..<(LooseObjectCheck.chunkBytes * 3 + 17)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let id = try repository.writeBlob(large)
        let git = root.appendingPathComponent(".git")
        XCTAssertTrue(try LooseObjectCheck.verify(id, gitDirectory: git))
        XCTAssertThrowsError(try LooseObjectCheck.verify(id, gitDirectory: git, limits: UntrustedLimits(
            bundleBytes: .max, packObjects: .max, bundleReferences: .max, objectBytes: large.count - 1, treeBytes: .max,
            treeDepth: .max, treeEntries: .max, gitDirectoryEntries: .max))) { error in
            guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("is \(large.count) bytes, more than the \(large.count - 1)"), detail)
        }
        // Cut short: the stream ends early, whichever chunk it ends in.
        let file = git.appendingPathComponent("objects/\(id.hex.prefix(2))/\(id.hex.dropFirst(2))")
        let whole = try Data(contentsOf: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        try whole.prefix(whole.count - 40).write(to: file)
        XCTAssertThrowsError(try LooseObjectCheck.verify(id, gitDirectory: git)) { error in
            guard case .damagedRepository(_, let detail) = error as? LabGitError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("the data ends early"), detail)
        }
    }

    /// An untrusted repository remembers what its reads found (objects never change): the tree
    /// of a commit, a tree's entries, small blobs; a grader asks for them again for every step.
    func testReadsOfAnUntrustedRepositoryAreRemembered() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-loose-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try Repository.create(at: root)
        let composer = try TreeComposer(repository: repository)
        try composer.setFile("dir/a.txt", contents: Data("a\n".utf8))
        try composer.setFile("big.txt", contents: Data(repeating: 65, count: RememberedReads.blobBytes + 1))
        let commit = try repository.createCommit(
            tree: try composer.write(), parents: [], message: CommitMessage(subject: "one"),
            author: Signature(name: "t", email: "t@example.com"))
        try repository.updateHead(to: commit, message: "test")

        let reading = try Repository.openForReading(at: root)
        XCTAssertEqual(try reading.blob(at: "dir/a.txt", in: commit), Data("a\n".utf8))
        XCTAssertEqual(try reading.blob(at: "big.txt", in: commit)?.count, RememberedReads.blobBytes + 1)
        let tree = try reading.treeID(of: commit)
        let dir = try XCTUnwrap(try reading.entry(at: "dir", in: commit))
        let small = try XCTUnwrap(try reading.entry(at: "dir/a.txt", in: commit))
        let big = try XCTUnwrap(try reading.entry(at: "big.txt", in: commit))
        XCTAssertEqual(reading.remembered.trees[commit], tree)
        XCTAssertEqual(reading.remembered.listings[tree]?.map(\.path), ["big.txt", "dir"])
        XCTAssertEqual(reading.remembered.listings[dir.id]?.map(\.path), ["a.txt"])
        XCTAssertEqual(reading.remembered.blobs[small.id], Data("a\n".utf8))
        XCTAssertNil(reading.remembered.blobs[big.id], "a large blob is not kept")
        // Read again from what was remembered: the same answers.
        XCTAssertEqual(try reading.treeEntries(of: commit).map(\.path), ["big.txt", "dir", "dir/a.txt"])
        XCTAssertEqual(try reading.blob(small.id), Data("a\n".utf8))
        // A repository klab writes to remembers nothing.
        _ = try repository.treeEntries(of: commit)
        XCTAssertTrue(repository.remembered.listings.isEmpty)
    }
}
