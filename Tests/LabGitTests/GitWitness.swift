import Foundation
import XCTest
import LabGit

/// The `git` command line, used by the tests as an independent witness of what LabGit wrote.
/// Isolated from the user's configuration so that results do not depend on the machine.
enum GitWitness {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL, input: String? = nil) throws -> String {
        let result = try runAllowingFailure(arguments, in: directory, input: input)
        guard result.status == 0 else {
            throw Failure(description: "git \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    static func runAllowingFailure(_ arguments: [String], in directory: URL, input: String? = nil) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Witness"
        environment["GIT_AUTHOR_EMAIL"] = "witness@example.org"
        environment["GIT_COMMITTER_NAME"] = "Witness"
        environment["GIT_COMMITTER_EMAIL"] = "witness@example.org"
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func lines(_ arguments: [String], in directory: URL, input: String? = nil) throws -> [String] {
        try run(arguments, in: directory, input: input).split(separator: "\n").map(String.init)
    }
}

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
