import Foundation
import TestSupport
import XCTest

/// A workspace damaged by hand, or a labs folder that lost a lab: one line saying what is
/// wrong and how to recover, exit 4 (2 for an unknown lab), and never a plaintext Secret in git.
final class WorkspaceDamageTests: XCTestCase {
    var root: URL!
    var workspace: URL { root.appendingPathComponent("ws") }
    let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-damage-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func klab(_ arguments: [String], environment: [String: String] = [:]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments + ["--workspace", workspace.path], environment: environment, currentDirectory: root)
    }

    func start(labs: String? = nil) throws {
        let result = try klab(["start", "health-probes", "--learner", "ada"] + (labs.map { ["--labs", $0] } ?? []))
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func git(_ arguments: [String]) throws -> String {
        try GitWitness.runAllowingFailure(arguments, in: workspace).stdout
    }

    /// Every workspace command gives the same single line and exit status.
    func assertEveryCommand(exits status: Int32, saying words: [String], labs: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let extra = labs.map { ["--labs", $0] } ?? []
        for command in [["status"], ["verify", "--snapshot", fixtures.appendingPathComponent("liveness--pass").path], ["hint"], ["reset"]] {
            let result = try klab(command + extra)
            let name = command[0]
            XCTAssertEqual(result.status, status, "\(name): \(result.stdout)\(result.stderr)", file: file, line: line)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(name): \(result.stderr)", file: file, line: line)
            XCTAssertEqual(result.stdout, "", name, file: file, line: line)
            for word in words {
                XCTAssertTrue(result.stderr.contains(word), "\(name) should say \(word): \(result.stderr)", file: file, line: line)
            }
        }
    }

    func testDeletedGitFolder() throws {
        try start()
        try FileManager.default.removeItem(at: workspace.appendingPathComponent(".git"))
        try assertEveryCommand(exits: 4, saying: ["no .git", "restore the .git folder"])
    }

    func testGarbageHead() throws {
        try start()
        try "garbage\n".write(to: workspace.appendingPathComponent(".git/HEAD"), atomically: true, encoding: .utf8)
        try assertEveryCommand(exits: 4, saying: ["damaged", "restore"])
    }

    func testGarbageWorkspaceSettings() throws {
        try start()
        try "{ not json".write(to: workspace.appendingPathComponent(".klab/workspace.json"), atomically: true, encoding: .utf8)
        try assertEveryCommand(exits: 4, saying: [".klab/workspace.json", "git checkout -- .klab"])
    }

    func testLabGoneFromTheLabsFolder() throws {
        let labs = root.appendingPathComponent("labs")
        try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes"),
                                         to: labs.appendingPathComponent("health-probes"))
        try start(labs: labs.path)
        try FileManager.default.removeItem(at: labs.appendingPathComponent("health-probes"))
        try assertEveryCommand(exits: 2, saying: ["lab health-probes is in this workspace's history but not in the labs folder", "--labs DIR"],
                               labs: labs.path)
    }

    // MARK: plaintext Secrets

    func testPlaintextSecretsAreNeverCommittedAndTheLearnerIsToldWhy() throws {
        try start()
        let secret = workspace.appendingPathComponent("health-probes/db-secret.yaml")
        try """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
        stringData:
          password: hunter2-plaintext
        data:
          token: c2VjcmV0LXRva2VuLXZhbHVl

        """.write(to: secret, atomically: true, encoding: .utf8)

        let pass = try klab(["verify", "--snapshot", fixtures.appendingPathComponent("liveness--pass").path])
        XCTAssertEqual(pass.status, 0, pass.stdout + pass.stderr)
        XCTAssertTrue(pass.stdout.contains("hold a Secret in plain text"), pass.stdout)
        XCTAssertTrue(pass.stdout.contains("  health-probes/db-secret.yaml\n"), pass.stdout)

        XCTAssertEqual(try klab(["hint"]).status, 0)

        let reset = try klab(["reset", "--lab"])
        XCTAssertEqual(reset.status, 0, reset.stderr)
        XCTAssertTrue(reset.stdout.contains("  health-probes/db-secret.yaml\n"), reset.stdout)
        XCTAssertTrue(reset.stdout.contains("out of the backup"), reset.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: secret.path), "the learner's file is left where it was")

        XCTAssertEqual(try klab(["reset", "--undo"]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: secret.path))

        let history = try git(["log", "--all", "-p", "--format=%H %s"])
        XCTAssertTrue(history.contains("Undo the reset"), "the witness read the history")
        for value in ["hunter2-plaintext", "c2VjcmV0LXRva2VuLXZhbHVl", "db-secret.yaml"] {
            XCTAssertFalse(history.contains(value), "\(value) is in git")
        }
        XCTAssertEqual(try git(["status", "--porcelain", "--", "health-probes/db-secret.yaml"]), "?? health-probes/db-secret.yaml\n")
    }
}
