import Foundation
import TestSupport
import XCTest
import LabGit

final class WorkingDifferencesTests: TemporaryDirectoryTestCase {
    func testDifferencesFromACommitToTheFolderAsGitSeesThem() throws {
        let repository = try makeRepository(files: ["lab/a.yaml": "a\n", "lab/b.yaml": "b\n", "other/x.txt": "x\n", ".gitignore": "*.log\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        XCTAssertEqual(try repository.differences(from: head), [])
        try write("a changed\n", to: "lab/a.yaml", in: url)
        try FileManager.default.removeItem(at: url.appendingPathComponent("lab/b.yaml"))
        try write("new\n", to: "lab/deep/c.yaml", in: url)
        try write("debug\n", to: "lab/x.log", in: url)
        try write("secret\n", to: "lab/secret.yaml", in: url)
        try write("x changed\n", to: "other/x.txt", in: url)
        // Staging does not matter: the commit is compared with the files on disk.
        let index = try repository.index()
        try index.add("lab/a.yaml")
        try index.write()
        XCTAssertEqual(try repository.differences(from: head, under: ["lab"], excluding: ["lab/secret.yaml"]), [
            WorkingDifference(path: "lab/a.yaml", change: .changed),
            WorkingDifference(path: "lab/b.yaml", change: .onlyInCommit),
            WorkingDifference(path: "lab/deep/c.yaml", change: .onlyInFolder),
        ])
        // git agrees (its own listing of the same comparison, ignored files left out).
        let witness = try GitWitness.lines(["diff", "--name-status", head.hex, "--", "lab"], in: url)
        XCTAssertEqual(witness.sorted(), ["D\tlab/b.yaml", "M\tlab/a.yaml"])
        XCTAssertEqual(try repository.differences(from: head).map(\.path), ["lab/a.yaml", "lab/b.yaml", "lab/deep/c.yaml", "lab/secret.yaml", "other/x.txt"])
    }

    func testBlobIDIsGitsAndStoresNothing() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let id = try Repository.blobID(of: Data("hello\n".utf8))
        XCTAssertEqual(id.hex, "ce013625030ba8dba906f756967f9e9ca394464a")
        XCTAssertFalse(try repository.contains(id))
    }

    /// libgit2 checks "must not exist" before taking the ref's lock; `.absent` is checked
    /// again under the lock, so of writers racing for one name exactly one wins.
    func testOnlyOneOfManyRacingWritersCreatesAnAbsentReference() throws {
        let repository = try makeRepository(files: ["a.txt": "a\n"])
        let url = repository.workdir!
        let head = try repository.headCommitID()!
        let winners = Winners()
        for round in 0..<30 {
            DispatchQueue.concurrentPerform(iterations: 4) { writer in
                guard let mine = try? Repository.open(at: url),
                      let commit = try? mine.createCommit(tree: try mine.treeID(of: head), parents: [head], message: CommitMessage(subject: "w\(writer)"),
                                                          author: Signature(name: "t", email: "t@example.invalid", time: Date(timeIntervalSince1970: 0)))
                else { return winners.add(round, "writer \(writer) could not start") }
                do {
                    try mine.updateReference("refs/klab/race/\(round)", to: commit, expecting: .absent, message: "race")
                    winners.add(round, commit.hex)
                } catch LabGitError.referenceChanged {
                } catch LabGitError.libgit2(_, .locked, _) {
                } catch {
                    winners.add(round, "writer \(writer): \(error)")
                }
            }
        }
        for round in 0..<30 {
            let won = winners.of(round)
            XCTAssertEqual(won.count, 1, "round \(round): \(won)")
            XCTAssertEqual(try GitWitness.run(["rev-parse", "refs/klab/race/\(round)"], in: url), (won.first ?? "") + "\n")
        }
    }
}

private final class Winners: @unchecked Sendable {
    private var byRound: [Int: [String]] = [:]
    private let lock = NSLock()
    func add(_ round: Int, _ value: String) { lock.lock(); byRound[round, default: []].append(value); lock.unlock() }
    func of(_ round: Int) -> [String] { lock.lock(); defer { lock.unlock() }; return byRound[round] ?? [] }
}
