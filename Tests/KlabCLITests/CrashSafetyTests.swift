import Foundation
import XCTest

/// klab killed with SIGKILL at random moments of start, verify and reset: afterwards git fsck
/// accepts the repository, klab reads a progress consistent with the history, and every edit
/// the learner made is still somewhere: in the working folder or in a commit klab keeps.
final class CrashSafetyTests: XCTestCase {
    func testHundredKillsLoseNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-crash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = root.appendingPathComponent("ws")
        let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
        XCTAssertEqual(try KlabBinary.run(["start", "health-probes", "--learner", "ada", "--workspace", workspace.path]).status, 0)

        let operations: [[String]] = [
            ["verify", "--snapshot", fixtures.appendingPathComponent("liveness--pass").path],
            ["verify", "--snapshot", fixtures.appendingPathComponent("fail-liveness--pass").path],
            ["reset", "--lab"],
            ["reset"],
            ["start", "health-probes"],
            ["hint"],
            ["reset", "--undo"],
        ]
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var edits: [String] = []
        for round in 0..<130 {
            // A learner edit before every operation: a new file and a change to a manifest.
            let note = "health-probes/note-\(round).txt"
            try FileManager.default.createDirectory(at: workspace.appendingPathComponent("health-probes"), withIntermediateDirectories: true)
            try "edit \(round)\n".write(to: workspace.appendingPathComponent(note), atomically: true, encoding: .utf8)
            edits.append(note)

            let operation = operations[Int.random(in: 0..<operations.count, using: &generator)]
            let process = Process()
            process.executableURL = KlabBinary.url
            process.arguments = operation + ["--workspace", workspace.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // Somewhere between start-up and completion (a verify takes ~50–150 ms here).
            usleep(UInt32.random(in: 0..<120_000, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()

            let fsck = try Self.git(["fsck", "--strict", "--no-dangling"], in: workspace)
            XCTAssertEqual(fsck.status, 0, "round \(round) \(operation): git fsck: \(fsck.output)")
            let status = try KlabBinary.run(["status", "--output", "json", "--workspace", workspace.path])
            XCTAssertEqual(status.status, 0, "round \(round) \(operation): \(status.stderr)")
            try Self.assertProgressMatchesHistory(status.stdout, workspace: workspace, round: round)
            if round % 10 == 9 || round == 129 { try Self.assertNothingLost(edits, workspace: workspace) }
        }
        XCTAssertGreaterThanOrEqual(kills, 100, "the test must kill klab at least 100 times")
    }

    /// Every step `klab status` says is passed has its evidence in the commit HEAD is on.
    static func assertProgressMatchesHistory(_ json: String, workspace: URL, round: Int) throws {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let labs = object?["labs"] as? [[String: Any]] ?? []
        let tree = try git(["ls-tree", "-r", "--name-only", "HEAD"], in: workspace).output
        for lab in labs {
            for step in lab["passed"] as? [String] ?? [] {
                XCTAssertTrue(tree.contains(".klab/evidence/health-probes/\(step)/results.json"),
                              "round \(round): \(step) counted as passed without its evidence in HEAD")
            }
        }
    }

    /// Each edit is in the working folder or in a commit some ref (branch or backup) keeps.
    static func assertNothingLost(_ edits: [String], workspace: URL) throws {
        let refs = try git(["for-each-ref", "--format=%(refname)"], in: workspace).output.split(separator: "\n").map(String.init)
        var kept = Set<String>()
        for ref in refs + ["HEAD"] {
            let log = try git(["log", "--format=%H", ref], in: workspace).output.split(separator: "\n")
            for commit in log {
                for path in try git(["ls-tree", "-r", "--name-only", String(commit), "health-probes/"], in: workspace).output.split(separator: "\n") {
                    kept.insert(String(path))
                }
            }
        }
        for edit in edits where !FileManager.default.fileExists(atPath: workspace.appendingPathComponent(edit).path) {
            XCTAssertTrue(kept.contains(edit), "\(edit) is gone from the folder and from every commit klab keeps")
        }
    }

    static func git(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
