import Foundation
import TestSupport
import XCTest

/// `klab verify --watch` through the built binary on a live cluster: the kubectl stand-in's
/// watch mode plays the cluster; the step passes after the test appends the event that makes
/// it so, with no poll in between, and the pass grades offline. Synchronised on klab's output,
/// never on time.
final class WatchEventsEndToEndTests: XCTestCase {
    func testAStepPassesWhenItsEventArrives() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-watch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        // Named for its learner, as a hand-in is.
        let workspace = root.appendingPathComponent("ada").path
        let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
        let events = root.appendingPathComponent("events.log")
        let log = root.appendingPathComponent("kubectl.log")
        FileManager.default.createFile(atPath: events.path, contents: nil)
        let classKey = "watch-class-key-0123456789abcdef"
        let keyFile = root.appendingPathComponent("class.key")
        try Data((classKey + "\n").utf8).write(to: keyFile)
        XCTAssertEqual(try KlabBinary.run(["start", "health-probes", "--learner", "ada", "--workspace", workspace],
                                          environment: ["KLAB_CLASS_KEY": classKey], currentDirectory: root).status, 0)

        let klab = try BackgroundProcess(KlabBinary.url.path, ["verify", "--watch", "--workspace", workspace], environment: [
            "PATH": KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin",
            "KLAB_STANDIN_SNAPSHOTS": fixtures.appendingPathComponent("liveness--fail-no-probe").path,
            "KLAB_STANDIN_LOG": log.path,
            "KLAB_STANDIN_WATCH_EVENTS": events.path,
            "KLAB_CLASS_KEY": classKey,
            "NO_COLOR": "1",
        ])
        defer { klab.terminate() }

        XCTAssertTrue(klab.waitForOutput { $0.contains("✗") ? true : nil } ?? false, "the first round fails: \(klab.stdout)")
        XCTAssertFalse(klab.stdout.contains("done: recorded"))
        // Once the watch has read the events file, the learner's fix arrives as one event.
        let watching = events.path + ".watching"
        XCTAssertTrue(until { FileManager.default.fileExists(atPath: watching) }, "the watch started")
        let callsAtEvent = calls(log)
        let pods = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("liveness--pass/pods.json"))) as? [String: Any]
        var pod = try XCTUnwrap((pods?["items"] as? [[String: Any]])?.first)
        // A cluster's own UID: the grader flags evidence carrying the shipped fixtures' UIDs as a replay.
        var metadata = try XCTUnwrap(pod["metadata"] as? [String: Any])
        metadata["uid"] = UUID().uuidString.lowercased()
        pod["metadata"] = metadata
        let line = try JSONSerialization.data(withJSONObject: ["type": "MODIFIED", "object": pod]) + Data("\n".utf8)
        let handle = try FileHandle(forWritingTo: events)
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.close()

        XCTAssertTrue(klab.waitForOutput { $0.contains("Step liveness done: recorded") ? true : nil } ?? false, klab.stdout)
        XCTAssertEqual(klab.interrupt(), 0, klab.stdout)
        XCTAssertTrue(klab.waitForOutput { $0.contains("Stopped watching.") ? true : nil } ?? false, klab.stdout)

        let calls = calls(log)
        let podWatches = calls.filter { $0.contains("--watch") && $0.contains("pods") }
        XCTAssertEqual(podWatches.count, 1, "one watch of Pods: \(calls)")
        let podGets = calls.filter { $0.first == "get" && $0.contains("pods") && !$0.contains("--watch") }
        XCTAssertEqual(podGets.count, 1, "the first list; the pass was recorded from the watched list; no polling: \(calls)")
        XCTAssertFalse(calls.dropFirst(callsAtEvent.count).contains { $0.contains("pods") },
                       "after the event, Pods were not read again: \(calls)")
        let passes = try GitWitness.lines(["log", "--format=%(trailers:key=Klab-Event,valueonly)"], in: URL(fileURLWithPath: workspace))
        XCTAssertEqual(passes.filter { $0 == "pass" }.count, 1)

        // Graded offline, the evidence recorded from the watched list holds up.
        let graded = try KlabBinary.run(["grade", workspace, "--key-file", keyFile.path, "--lab", "health-probes", "--format", "json"])
        XCTAssertEqual(graded.status, 0, graded.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(graded.stdout.utf8)) as? [String: Any])
        let learner = try XCTUnwrap((report["learners"] as? [[String: Any]])?.first, graded.stdout)
        XCTAssertEqual((learner["flags"] as? [[String: Any]])?.count, 0, graded.stdout)
        XCTAssertEqual(learner["points"] as? Int, 1, graded.stdout)
    }

    private func calls(_ log: URL) -> [[String]] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String]
        }
    }

    /// Until the stand-in has opened the events file (60 s at most: a bound for a hang, not a verdict).
    private func until(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while !condition() {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }
}
