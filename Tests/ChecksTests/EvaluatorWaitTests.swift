import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// `wait` polls about every second, re-reading the cluster, until the check passes or the time
/// is up; it reports the last failure. A fake clock keeps the tests instant.
final class EvaluatorWaitTests: XCTestCase {
    private func states(_ phases: [String]) throws -> ChangingCluster {
        let snapshots = try phases.map { phase in
            try SnapshotCluster(directory: ClusterFixtures.folder(["pod.json": #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"default"},"status":{"phase":"\#(phase)"}}"#]))
        }
        return ChangingCluster(snapshots)
    }

    private let running = Check(name: "app runs", source: get("Pod", "app"),
                                expectation: Expectation(all: [value("{.status.phase}", .equals(.string("Running")))]), wait: 5)

    func testPollsUntilTheCheckPasses() throws {
        let clock = FakeClock()
        let evaluator = CheckEvaluator(reader: ClusterReader(cluster: try states(["Pending", "ContainerCreating", "Running"]), labNamespace: "default"), clock: clock)
        let result = try evaluator.evaluate(running)
        XCTAssertEqual(result.status, .passed)
        XCTAssertEqual(result.attempts, 3)
        XCTAssertEqual(clock.sleeps, [1, 1])
    }

    func testReportsTheLastFailureWhenTimeRunsOut() throws {
        let clock = FakeClock()
        let cluster = try states(["Pending", "Pending", "ContainerCreating"])
        let evaluator = CheckEvaluator(reader: ClusterReader(cluster: cluster, labNamespace: "default"), clock: clock)
        var check = running
        check.wait = 2.5
        let result = try evaluator.evaluate(check)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.message, [#"Pod default/app: .status.phase expected "Running", found "ContainerCreating""#, "still failing after waiting 3s (4 attempts)"])
        XCTAssertEqual(clock.sleeps, [1, 1, 0.5])
        XCTAssertEqual(clock.now(), 1002.5)
    }

    func testWithoutWaitACheckIsEvaluatedOnce() throws {
        let clock = FakeClock()
        var check = running
        check.wait = nil
        let result = try CheckEvaluator(reader: ClusterReader(cluster: try states(["Pending", "Running"]), labNamespace: "default"), clock: clock).evaluate(check)
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.attempts, 1)
        XCTAssertEqual(clock.sleeps, [])
        let ignoring = CheckEvaluator(reader: ClusterReader(cluster: try states(["Pending", "Running"]), labNamespace: "default"),
                                      options: .init(honourWait: false), clock: clock)
        XCTAssertEqual(try ignoring.evaluate(running).attempts, 1)
    }
}
