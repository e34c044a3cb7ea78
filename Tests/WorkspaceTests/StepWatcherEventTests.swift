import Checks
import Foundation
import KubeCore
import KubeJSON
import LabSpec
import TestSupport
import XCTest
@testable import Workspace

/// `klab verify --watch` on a live cluster: the kubectl stand-in's watch mode
/// (`KLAB_STANDIN_WATCH_EVENTS`) plays the cluster, the test appends the events. The clock
/// never lets time pass unless the test says so, so every round after the first is one an
/// event caused; kubectl processes are counted from the stand-in's log.
final class StepWatcherEventTests: XCTestCase {
    var root: URL!
    var folder: URL { root.appendingPathComponent("ws") }
    var events: URL { root.appendingPathComponent("events.log") }
    var log: URL { root.appendingPathComponent("kubectl.log") }
    var lab: Lab!
    let settings = LabSettings(lab: "secrets", namespace: "default", parameters: [:], labDigest: "sha256:x")
    let clock = WatchTestClock()

    override func setUpWithError() throws {
        root = try temporaryDirectory()
        let labs = root.appendingPathComponent("labs/secrets")
        try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
        try StepWatcherTests.lab.write(to: labs.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        lab = try LabLoader(labsDirectory: root.appendingPathComponent("labs")).load("secrets")
        let snapshot = root.appendingPathComponent("cluster")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try Data(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"}}"#.utf8)
            .write(to: snapshot.appendingPathComponent("configmap.json"))
        FileManager.default.createFile(atPath: events.path, contents: nil)
        let starting = try LearnerWorkspace.openOrCreate(at: folder, learner: "ada", labsDirectory: "/labs")
        _ = try starting.start(labID: "secrets", firstStep: "db", settings: settings, files: ["README.md": Data("# Secrets\n".utf8)])
    }

    func watcher(timing: WatchingCluster.Timing = .init()) throws -> (StepWatcher, WatchingCluster) {
        let standIn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/kubectl-standin").path
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = standIn + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["KLAB_STANDIN_SNAPSHOTS"] = root.appendingPathComponent("cluster").path
        environment["KLAB_STANDIN_LOG"] = log.path
        environment["KLAB_STANDIN_WATCH_EVENTS"] = events.path
        let cluster = WatchingCluster(kubectl: KubectlCluster(options: .init(requestTimeout: 5, environment: environment)), timing: timing)
        let workspace = try LearnerWorkspace.open(at: folder, lockMode: .whileWriting)
        let verifier = StepVerifier(workspace: workspace, lab: lab, settings: settings, classKey: nil, cluster: { cluster })
        return (StepWatcher(verifier: verifier, clock: clock, interval: 2, watch: cluster), cluster)
    }

    func append(_ lines: String...) throws {
        let handle = try FileHandle(forWritingTo: events)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.close()
    }

    func event(_ type: String, _ kind: String, _ name: String) -> String {
        #"{"type":"\#(type)","object":{"apiVersion":"v1","kind":"\#(kind)","metadata":{"name":"\#(name)","namespace":"default","uid":"u-\#(name)"},"data":{"k":"dg=="}}}"#
    }

    var calls: [[String]] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String]
        }
    }
    /// The step's reads; not the provenance's `get namespace kube-system`.
    var plainGets: Int { calls.filter { $0.first == "get" && !$0.contains("--watch") && !$0.contains("kube-system") }.count }
    /// The cluster's provenance (version, config view, kube-system), recorded with a pass.
    var provenanceReads: Int { calls.filter { $0.first == "version" || $0.first == "config" || $0.contains("kube-system") }.count }
    var watches: Int { calls.filter { $0.contains("--watch") }.count }
    /// Explicit synchronisation: until `count` watches have read the events file (30 s at most).
    func untilWatching(_ count: Int) {
        let deadline = Date().addingTimeInterval(30)
        while ((try? String(contentsOfFile: events.path + ".watching", encoding: .utf8)) ?? "").split(separator: "\n").count < count {
            if Date() > deadline { return XCTFail("the watch never started") }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    /// Explicit synchronisation: until the provenance read ahead is remembered (30 s at most).
    func untilProvenanceRemembered() {
        let file = folder.appendingPathComponent(".git/klab-provenance.json").path
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: file) {
            if Date() > deadline { return XCTFail("the provenance was never read ahead") }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    func testTheStepIsEvaluatedAgainOnEachEventItReadsAndOnlyThen() throws {
        let (watch, _) = try watcher()
        var rounds: [(String, Bool)] = []
        let ending = try watch.run(stopped: { false }) { round in
            rounds.append((round.step.id, round.passed))
            switch rounds.count {
            case 1:
                // A ConfigMap (no check reads them) and a Secret that is not the one asked for.
                try append(event("MODIFIED", "ConfigMap", "settings"), event("ADDED", "Secret", "other"))
            case 2:
                try append(event("ADDED", "Secret", "db"))
            default:
                break
            }
        }
        XCTAssertEqual(ending, .complete)
        XCTAssertEqual(rounds.map(\.0), ["db", "db", "db", "after"], "one round for the Secret other, one for db; none for the ConfigMap")
        XCTAssertEqual(rounds.map(\.1), [false, false, true, true])
        XCTAssertEqual(clock.missedEvents, 0)
        XCTAssertEqual(clock.time, 0, "no timer ran: every round after the first was an event's")
        XCTAssertEqual(watches, 1, "one watch of Secrets for the whole lab: \(calls)")
        XCTAssertEqual(plainGets, 1, "the first list; each pass was recorded from the watched list: \(calls)")
        XCTAssertEqual(provenanceReads, 3, "the passes come from the cluster, read ahead once and kept: \(calls)")
        XCTAssertFalse(calls.contains { $0.contains("configmaps") }, "nothing reads ConfigMaps: \(calls)")
        let events = try GitWitness.run(["log", "--reverse", "--format=%(trailers:key=Klab-Event,valueonly)"], in: folder)
        XCTAssertEqual(events.split(separator: "\n"), ["start", "pass", "pass"])
    }

    func testAPassAnEventBringsIsRecordedFromTheWatchedListWithoutRunningKubectl() throws {
        let (watch, _) = try watcher()
        var callsAtEvent: [[String]]?
        clock.meanwhile = { [self] in
            guard callsAtEvent == nil else { return }
            untilWatching(1)
            untilProvenanceRemembered()
            callsAtEvent = calls
            try append(event("ADDED", "Secret", "db"))
        }
        var rounds: [(String, Bool)] = []
        let ending = try watch.run(stopped: { false }) { round in rounds.append((round.step.id, round.passed)) }
        XCTAssertEqual(ending, .complete)
        XCTAssertEqual(rounds.map(\.0), ["db", "db", "after"])
        XCTAssertEqual(rounds.map(\.1), [false, true, true])
        XCTAssertEqual(clock.missedEvents, 0)
        XCTAssertTrue(clock.failures.isEmpty, "\(clock.failures)")

        let before = try XCTUnwrap(callsAtEvent)
        XCTAssertEqual(before.filter { $0.contains("--watch") }.count, 1, "the watch ran when the event came: \(before)")
        XCTAssertEqual(before.filter { $0.first == "version" || $0.first == "config" || $0.contains("kube-system") }.count, 3,
                       "the provenance was read ahead, before the step passed: \(before)")
        XCTAssertEqual(calls, before, "from the event to both passes recorded, no kubectl ran")

        // What was recorded is what was evaluated: the Secret as the event brought it.
        let evidence = try GitWitness.run(["show", "HEAD~1:.klab/evidence/secrets/db/default/Secret.json"], in: folder)
        let recorded = try JSONParser.parse(evidence)
        XCTAssertEqual(recorded["items"]?[0]?["metadata"]?["uid"]?.stringValue, "u-db", evidence)
        XCTAssertEqual(recorded["items"]?.arrayValue?.count, 1, evidence)
        let results = try GitWitness.run(["show", "HEAD~1:.klab/evidence/secrets/db/results.json"], in: folder)
        XCTAssertTrue(results.contains(#""status" : "passed""#) || results.contains(#""status": "passed""#), results)
    }

    /// A cluster whose cached answer and fresh answer differ (a watch that missed a deletion).
    final class StaleCache: Cluster {
        var cached: [JSONValue]
        var fresh: [JSONValue]
        private var refreshed = false
        init(cached: [JSONValue], fresh: [JSONValue]) {
            self.cached = cached
            self.fresh = fresh
        }
        func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue] { refreshed ? fresh : cached }
        func refresh() { refreshed = true }
        func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput {
            throw ClusterError.unreachable(context: nil, detail: "no exec here")
        }
        func http(_ request: HTTPRequest) throws -> HTTPOutput { throw ClusterError.unreachable(context: nil, detail: "no http here") }
        func command(_ arguments: [String]) throws -> CommandOutput { throw ClusterError.unreachable(context: nil, detail: "no commands here") }
    }

    func testAPassSeenInTheCacheIsRecordedOnlyIfAFreshReadAgrees() throws {
        let secret = try JSONParser.parse(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"}}"#)
        let workspace = try LearnerWorkspace.open(at: folder, lockMode: .whileWriting)
        let stale = StepVerifier(workspace: workspace, lab: lab, settings: settings, classKey: nil,
                                 cluster: { StaleCache(cached: [secret], fresh: []) })
        let round = try XCTUnwrap(try stale.verify(confirm: { true }))
        XCTAssertFalse(round.passed, "the fresh read has no Secret db: nothing is recorded")
        XCTAssertEqual(round.results.map(\.status), [.failed])
        XCTAssertEqual(try GitWitness.run(["log", "--format=%(trailers:key=Klab-Event,valueonly)"], in: folder)
            .split(separator: "\n"), ["start"])

        let agreeing = StepVerifier(workspace: workspace, lab: lab, settings: settings, classKey: nil,
                                    cluster: { StaleCache(cached: [secret], fresh: [secret]) })
        XCTAssertEqual(try agreeing.verify(confirm: { true })?.passed, true, "the fresh read agrees: recorded")
    }

    func testABrokenStreamFallsBackToPollingAndTheWatchResumes() throws {
        let (watch, cluster) = try watcher(timing: .init(pollInterval: 2, firstRetry: 1))
        var rounds: [(String, Bool)] = []
        let ending = try watch.run(stopped: { false }) { [self] round in
            rounds.append((round.step.id, round.passed))
            if rounds.count == 1 {
                untilWatching(1)
                try append("BREAK")
            }
            if rounds.count == 2 {
                // The fallback poll read kubectl; now let time pass until the watch is back,
                // then the change arrives as an event.
                clock.waitsForEvents = false
                clock.meanwhile = { [self] in
                    guard cluster.streamsStarted == 2, !clock.waitsForEvents else { return }
                    clock.waitsForEvents = true
                    try append(event("ADDED", "Secret", "db"))
                }
            }
        }
        XCTAssertEqual(ending, .complete)
        XCTAssertEqual(rounds.map(\.0), ["db", "db", "db", "after"])
        XCTAssertEqual(rounds.map(\.1), [false, false, true, true])
        XCTAssertEqual(clock.time, 1, "the watch was started again 1 s after it broke, before the 2 s poll")
        XCTAssertEqual(watches, 2)
        XCTAssertEqual(plainGets, 2, "the first list and the fallback poll when the stream broke; the passes came from the watch: \(calls)")
        XCTAssertEqual(clock.missedEvents, 0)
        XCTAssertTrue(clock.failures.isEmpty, "\(clock.failures)")
    }
}
