import Foundation
import TestSupport
import XCTest
import LabGit

/// A temporary folder per test, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    private(set) var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("labgit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    let alice = Signature(name: "Alice Learner", email: "alice@example.org",
                          time: Date(timeIntervalSince1970: 1_764_000_000), timeZoneOffset: 60)

    func write(_ text: String, to path: String, in directory: URL) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String, in directory: URL) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ path: String, in directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path)
    }

    /// A repository with one commit of `files`, made through the index like a normal commit.
    func makeRepository(_ name: String = "ws", files: [String: String]) throws -> Repository {
        let url = root.appendingPathComponent(name)
        let repository = try Repository.create(at: url)
        for (path, text) in files { try write(text, to: path, in: url) }
        try commitAll(repository, subject: "Initial")
        return repository
    }

    @discardableResult
    func commitAll(_ repository: Repository, subject: String, trailers: [Trailer] = []) throws -> ObjectID {
        let index = try repository.index()
        try index.stage(under: [""])
        try index.write()
        let tree = try index.writeTree()
        let head = try repository.headCommitID()
        let commit = try repository.createCommit(tree: tree, parents: head.map { [$0] } ?? [],
                                                 message: CommitMessage(subject: subject, trailers: trailers), author: alice)
        try repository.updateHead(to: commit, expecting: head.map { .value($0) } ?? .absent, message: "commit: \(subject)")
        return commit
    }
}
