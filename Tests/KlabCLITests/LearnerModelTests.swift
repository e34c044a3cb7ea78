import Foundation
import TestSupport
import Workspace
import XCTest

/// The model test of WorkspaceTests (WorkspaceModelTests), shorter, through the built binary:
/// a learner editing files between random klab commands (verify that passes, hint, reset,
/// reset --step, reset --lab, reset --undo, start over). After every command: progress is the
/// model's and nothing the learner made is missing from the folder and klab's refs.
final class LearnerModelTests: XCTestCase {
    func testARandomLearnerThroughTheBinaryLosesNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-model-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
        let steps = ["liveness", "fail-liveness", "readiness", "fail-readiness"]
        let session = LearnerSession(workspace: root.appendingPathComponent("ws"))
        try session.klab(["start", "health-probes", "--learner", "ada"])
        var random = SeededGenerator(seed: 2026)
        var passed: [String] = []
        var started: Set<String> = [steps[0]]
        // Progress before each command that saved the folder first (reset, undo, start over).
        var undoable: [[String]] = []

        for index in 0..<40 {
            for _ in 0..<Int(random.next() % 3) {
                let path = ["health-probes/notes-\(random.next() % 4).txt", "health-probes/mine/x.yaml"][Int(random.next() % 2)]
                try session.edit(path, "op \(index) \(random.next() % 1000)\n")
            }
            if random.next() % 4 == 0 { try session.appendToManifest("# op \(index)\n") }
            let current = steps.first { !passed.contains($0) }
            var command: [String]
            switch random.next() % 8 {
            case 0, 1, 2:
                guard let current else { continue }
                command = ["verify", "--snapshot", fixtures.appendingPathComponent("\(current)--pass").path]
            case 3: command = ["hint"]
            case 4:
                let step = started.sorted()[Int(random.next() % UInt64(started.count))]
                command = ["reset", "--step", step]
            case 5: command = ["reset", random.next() % 2 == 0 ? "--lab" : "--yes"]
            case 6: command = ["reset", "--undo"]
            default: command = ["start", "health-probes"]
            }
            let result = try session.run(command)
            let what = "command \(index) klab \(command.joined(separator: " "))"
            if command == ["reset", "--undo"] && undoable.isEmpty {
                XCTAssertEqual(result.status, 4, "\(what): \(result.stderr)")
                continue
            }
            XCTAssertEqual(result.status, 0, "\(what): \(result.stderr)")
            switch command[0] {
            case "verify":
                passed.append(current!)
                if let next = steps.firstIndex(of: current!).map({ $0 + 1 }), next < steps.count { started.insert(steps[next]) }
            case "start":
                undoable.append(passed)
                passed = []
            default:
                if command.contains("--undo") {
                    let restored = undoable.last!
                    undoable.append(passed)
                    passed = restored
                } else if command.count > 1 || command == ["reset"] {
                    undoable.append(passed)
                    let target = command.contains("--step") ? command[2] : command.contains("--lab") ? steps[0] : (current ?? steps.last!)
                    let from = steps.firstIndex(of: target)!
                    passed.removeAll { steps.firstIndex(of: $0)! >= from }
                }
            }
            // Progress as klab replays it, read in process (a `klab status` per command cost a process).
            XCTAssertEqual(try session.progress()["health-probes"]?.passed.map(\.step), passed, "\(what): progress")
            for problem in try session.lostEdits(what) { XCTFail(problem) }
        }
        for problem in try session.problems("at the end", createsWorkspace: false) { XCTFail(problem) }
    }
}
