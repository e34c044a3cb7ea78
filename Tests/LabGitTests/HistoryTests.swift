import Foundation
import TestSupport
import XCTest
import LabGit

final class HistoryTests: TemporaryDirectoryTestCase {
    func testWalksHistoryLikeRevList() throws {
        let repository = try makeRepository(files: ["a.txt": "1\n"])
        let url = repository.workdir!
        for n in 2...4 {
            try write("\(n)\n", to: "a.txt", in: url)
            try commitAll(repository, subject: "Change \(n)", trailers: [Trailer("Klab-Step", "s\(n)")])
        }
        let head = try repository.headCommitID()!
        let ids = try repository.history(from: head)
        XCTAssertEqual(ids.map(\.hex), try GitWitness.lines(["rev-list", "HEAD"], in: url))
        XCTAssertEqual(try repository.history(from: head, limit: 2).count, 2)
        XCTAssertEqual(try repository.commits(from: head).map { $0.trailers.value(for: "Klab-Step") ?? "-" },
                       ["s4", "s3", "s2", "-"])
        XCTAssertTrue(try repository.isAncestor(ids[3], of: ids[0]))
        XCTAssertFalse(try repository.isAncestor(ids[0], of: ids[3]))
        XCTAssertTrue(try repository.isAncestor(ids[1], of: ids[1]))
    }

    func testCorruptObjectsAreErrorsNotCrashes() throws {
        let repository = try makeRepository(files: ["lab/a.yaml": "content that will be damaged\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        let blob = try repository.entry(at: "lab/a.yaml", in: head)!.id
        let objectFile = url.appendingPathComponent(".git/objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: objectFile.path)
        try Data("garbage, not zlib".utf8).write(to: objectFile)

        // A fresh handle, so nothing is cached.
        let reopened = try Repository.open(at: url)
        XCTAssertThrowsError(try reopened.blob(at: "lab/a.yaml", in: head)) { error in
            XCTAssertTrue("\(error)".contains("failed:"), "\(error)")
        }
        XCTAssertNotEqual(try GitWitness.runAllowingFailure(["fsck", "--strict"], in: url).status, 0)

        // A commit object replaced by another object's bytes fails the hash check.
        let commitFile = url.appendingPathComponent(".git/objects/\(head.hex.prefix(2))/\(head.hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: commitFile.path)
        let treeFile = try repository.commit(head).tree
        try FileManager.default.removeItem(at: commitFile)
        try FileManager.default.copyItem(
            at: url.appendingPathComponent(".git/objects/\(treeFile.hex.prefix(2))/\(treeFile.hex.dropFirst(2))"), to: commitFile)
        XCTAssertThrowsError(try Repository.open(at: url).commit(head))
        XCTAssertThrowsError(try Repository.open(at: url).history(from: head))
    }
}
