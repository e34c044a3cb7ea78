import Checks
import Foundation
import LabSpec
import TestSupport
import XCTest
@testable import Workspace

/// `klab verify --watch` as an engine: rounds on an injected clock (no real sleeping, no
/// timing in the verdicts), and a hint taken from "another terminal" while it watches.
final class StepWatcherTests: XCTestCase {
    static let lab = """
        format: 1
        id: secrets
        title: Secrets
        steps:
          - id: db
            title: The database password
            hints:
              - Create the Secret db.
            checks:
              - name: the Secret exists
                get: Secret/db
          - id: after
            title: After
            checks:
              - name: still there
                get: Secret/db
        """

    /// The clock a test drives: each sleep runs what the test wants done "meanwhile".
    final class ScriptedClock: CheckClock {
        var sleeps = 0
        var meanwhile: (Int) throws -> Void = { _ in }
        var failures: [Error] = []
        func now() -> Double { Double(sleeps) }
        func sleep(seconds: Double) {
            sleeps += 1
            do { try meanwhile(sleeps) } catch { failures.append(error) }
        }
    }

    /// Which snapshot the cluster answers from; the test moves it between rounds.
    final class ClusterState: @unchecked Sendable {
        var directory: String
        init(_ directory: String) { self.directory = directory }
    }

    var root: URL!
    var folder: URL { root.appendingPathComponent("ws") }
    var lab: Lab!
    let settings = LabSettings(lab: "secrets", namespace: "default", parameters: [:], labDigest: "sha256:x")
    var empty: String { root.appendingPathComponent("empty").path }
    var withSecret: String { root.appendingPathComponent("with-secret").path }

    override func setUpWithError() throws {
        root = try temporaryDirectory()
        let labs = root.appendingPathComponent("labs/secrets")
        try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
        try Self.lab.write(to: labs.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        lab = try LabLoader(labsDirectory: root.appendingPathComponent("labs")).load("secrets")
        for path in [empty, withSecret] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try Data(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default","uid":"u-1"}}"#.utf8)
            .write(to: URL(fileURLWithPath: withSecret).appendingPathComponent("secret.json"))
        // `klab start`, which then exits and lets go of the lock.
        let starting = try LearnerWorkspace.openOrCreate(at: folder, learner: "ada", labsDirectory: "/labs")
        _ = try starting.start(labID: "secrets", firstStep: "db", settings: settings, files: ["README.md": Data("# Secrets\n".utf8)])
    }

    func watcher(_ lockMode: LearnerWorkspace.LockMode, clock: ScriptedClock, cluster: ClusterState) throws -> StepWatcher {
        let workspace = try LearnerWorkspace.open(at: folder, lockMode: lockMode)
        let verifier = StepVerifier(workspace: workspace, lab: lab, settings: settings, classKey: nil,
                                    cluster: { try SnapshotCluster(directory: cluster.directory) })
        return StepWatcher(verifier: verifier, clock: clock, interval: 2)
    }

    /// What `klab hint` does in the other terminal: open the workspace (waiting briefly for
    /// its lock, as every klab command does) and record the hint.
    func hintFromAnotherTerminal() throws {
        let other = try LearnerWorkspace.open(at: folder, lockTimeout: 0.2)
        try other.recordHint(lab: "secrets", step: "db", number: 1)
    }

    func testAHintRunsWhileAWatchIsActive() throws {
        let clock = ScriptedClock(), cluster = ClusterState(empty)
        clock.meanwhile = { _ in
            cluster.directory = self.withSecret
            try self.hintFromAnotherTerminal()
        }
        let watch = try watcher(.whileWriting, clock: clock, cluster: cluster)
        var rounds: [(String, Bool)] = []
        let ending = try watch.run(stopped: { false }) { rounds.append(($0.step.id, $0.passed)) }

        XCTAssertTrue(clock.failures.isEmpty, "the hint ran while the watch was active: \(clock.failures)")
        XCTAssertEqual(ending, .complete)
        XCTAssertEqual(rounds.map(\.0), ["db", "db", "after"])
        XCTAssertEqual(rounds.map(\.1), [false, true, true])
        XCTAssertEqual(clock.sleeps, 1, "a passed step moves on without sleeping")
        let progress = try LearnerWorkspace.open(at: folder).progress(stepOrder: ["secrets": ["db", "after"]])["secrets"]
        XCTAssertEqual(progress?.hintsShown["db"], 1, "the hint is recorded")
        XCTAssertEqual(progress?.passed.map(\.step), ["db", "after"], "and so are both passes, after it")
        let events = try GitWitness.run(["log", "--reverse", "--format=%(trailers:key=Klab-Event,valueonly)"], in: folder)
            .split(separator: "\n")
        XCTAssertEqual(events, ["start", "hint", "pass", "pass"])
        try GitWitness.run(["fsck", "--strict"], in: folder)
    }

    /// The lock held for the workspace's whole life (every other command) keeps the hint out:
    /// the mode is what makes the test above pass.
    func testAWatchHoldingTheLockForItsLifeKeepsTheHintOut() throws {
        let clock = ScriptedClock(), cluster = ClusterState(empty)
        clock.meanwhile = { _ in
            cluster.directory = self.withSecret
            try self.hintFromAnotherTerminal()
        }
        let watch = try watcher(.whileOpen, clock: clock, cluster: cluster)
        _ = try watch.run(stopped: { false }) { _ in }
        XCTAssertEqual(clock.failures.count, 1)
        guard case .locked? = clock.failures.first as? WorkspaceError else { return XCTFail("\(clock.failures)") }
    }

    func testStoppingEndsTheWatchBetweenRoundsWithNothingRecorded() throws {
        let clock = ScriptedClock(), cluster = ClusterState(empty)
        var stopped = false
        clock.meanwhile = { _ in stopped = true }
        let watch = try watcher(.whileWriting, clock: clock, cluster: cluster)
        var rounds = 0
        let ending = try watch.run(stopped: { stopped }) { _ in rounds += 1 }
        XCTAssertEqual(ending, .stopped)
        XCTAssertEqual(rounds, 1)
        XCTAssertEqual(clock.sleeps, 1)
        let events = try GitWitness.run(["log", "--format=%(trailers:key=Klab-Event,valueonly)"], in: folder)
        XCTAssertEqual(events.split(separator: "\n"), ["start"])
    }

    /// A round that fails because the learner stopped (Ctrl-C reached kubectl) is no error.
    func testAFailureAfterTheStopIsNotAnError() throws {
        let clock = ScriptedClock()
        var stopped = false
        let workspace = try LearnerWorkspace.open(at: folder, lockMode: .whileWriting)
        let verifier = StepVerifier(workspace: workspace, lab: lab, settings: settings, classKey: nil, cluster: {
            stopped = true
            throw ClusterError.unreachable(context: nil, detail: "interrupted")
        })
        let ending = try StepWatcher(verifier: verifier, clock: clock).run(stopped: { stopped }) { _ in XCTFail("no round to report") }
        XCTAssertEqual(ending, .stopped)
    }
}
