import Foundation
import TestSupport
import XCTest

/// `klab verify --watch` through the built binary on a live cluster: the kubectl stand-in's
/// watch mode plays the cluster; the step passes after the test appends the event that makes
/// it so, with no poll in between. Synchronised on klab's output, never on time.
final class WatchEventsEndToEndTests: XCTestCase {
    func testAStepPassesWhenItsEventArrives() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-watch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = root.appendingPathComponent("ws").path
        let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
        let events = root.appendingPathComponent("events.log")
        let log = root.appendingPathComponent("kubectl.log")
        FileManager.default.createFile(atPath: events.path, contents: nil)
        XCTAssertEqual(try KlabBinary.run(["start", "health-probes", "--learner", "ada", "--workspace", workspace], currentDirectory: root).status, 0)

        let process = Process()
        process.executableURL = KlabBinary.url
        process.arguments = ["verify", "--watch", "--workspace", workspace]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin"
        environment["KLAB_STANDIN_SNAPSHOTS"] = fixtures.appendingPathComponent("liveness--fail-no-probe").path
        environment["KLAB_STANDIN_LOG"] = log.path
        environment["KLAB_STANDIN_WATCH_EVENTS"] = events.path
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        let output = Output()
        out.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        XCTAssertTrue(output.until { $0.contains("✗") }, "the first round fails: \(output.text)")
        XCTAssertFalse(output.text.contains("done: recorded"))
        // Once the watch has read the events file, the learner's fix arrives as one event.
        let watching = events.path + ".watching"
        XCTAssertTrue(until { FileManager.default.fileExists(atPath: watching) }, "the watch started")
        let pods = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("liveness--pass/pods.json"))) as? [String: Any]
        let pod = try XCTUnwrap((pods?["items"] as? [[String: Any]])?.first)
        let line = try JSONSerialization.data(withJSONObject: ["type": "MODIFIED", "object": pod]) + Data("\n".utf8)
        let handle = try FileHandle(forWritingTo: events)
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.close()

        XCTAssertTrue(output.until { $0.contains("Step liveness done: recorded") }, output.text)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output.text)
        XCTAssertTrue(output.until { $0.contains("Stopped watching.") }, output.text)

        let calls = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String]
        }
        let podWatches = calls.filter { $0.contains("--watch") && $0.contains("pods") }
        XCTAssertEqual(podWatches.count, 1, "one watch of Pods: \(calls)")
        let podGets = calls.filter { $0.first == "get" && $0.contains("pods") && !$0.contains("--watch") }
        XCTAssertEqual(podGets.count, 2, "the first list and the fresh read that confirmed the pass; no polling: \(calls)")
        let passes = try TestProcessGit.log(workspace)
        XCTAssertEqual(passes.filter { $0 == "pass" }.count, 1)
    }

    private func until(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while !condition() {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    /// klab's stdout as it arrives.
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ chunk: Data) {
            lock.lock()
            data.append(chunk)
            lock.unlock()
        }
        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
        /// Until the output says so (60 s at most: explicit synchronisation, not a verdict on time).
        func until(_ condition: (String) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(60)
            while !condition(text) {
                if Date() > deadline { return false }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return true
        }
    }
}

/// The workspace's klab events, read with the git CLI (an independent witness).
enum TestProcessGit {
    static func log(_ workspace: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", workspace, "log", "--format=%(trailers:key=Klab-Event,valueonly)"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
