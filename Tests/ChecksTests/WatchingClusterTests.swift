import Foundation
import KubeCore
import KubeJSON
import TestSupport
import XCTest
@testable import Checks

/// The watch cache against the kubectl stand-in's watch mode (`KLAB_STANDIN_WATCH_EVENTS`):
/// events the test appends reach the lists, wake the wait only for what the round read, and a
/// stream that breaks leaves its kind to polling until it is started again. Time is a clock
/// the test drives; where a real event must arrive, the wait is on it (bounded, never a verdict).
final class WatchingClusterTests: XCTestCase {
    var standIn: KubectlStandIn!
    var events: URL!
    var cluster: WatchingCluster!
    let clock = WatchTestClock()
    let secrets = WatchingCluster.Key(kind: KindReference(kind: "Secret"), namespace: "shop", clusterScoped: false)
    let configMaps = WatchingCluster.Key(kind: KindReference(kind: "ConfigMap"), namespace: "shop", clusterScoped: false)

    override func setUpWithError() throws {
        let snapshot = try ClusterFixtures.folder(["objects.json": """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}},
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}}
            ]}
            """])
        events = URL(fileURLWithPath: snapshot).appendingPathComponent("events.log")
        FileManager.default.createFile(atPath: events.path, contents: nil)
        standIn = KubectlStandIn(snapshots: [snapshot])
        standIn.environment["KLAB_STANDIN_WATCH_EVENTS"] = events.path
        cluster = WatchingCluster(kubectl: standIn.cluster())
    }

    override func tearDown() {
        cluster?.stop()
    }

    func append(_ line: String) throws {
        let handle = try FileHandle(forWritingTo: events)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
        try handle.close()
    }

    func event(_ type: String, _ kind: String, _ name: String, data: String? = nil) -> String {
        let payload = data.map { #","data":{"k":"\#($0)"}"# } ?? ""
        return #"{"type":"\#(type)","object":{"apiVersion":"v1","kind":"\#(kind)","metadata":{"name":"\#(name)","namespace":"shop"}\#(payload)}}"#
    }

    /// One round: what `StepVerifier` does through a `ClusterReader`.
    func round(_ keys: [WatchingCluster.Key]) throws -> [String: [JSONValue]] {
        cluster.beginRound(at: clock.now())
        var lists: [String: [JSONValue]] = [:]
        for key in keys { lists[key.kind.kind] = try cluster.objects(of: key.kind, namespace: key.namespace) }
        cluster.follow(at: clock.now())
        return lists
    }

    var plainGets: Int { standIn.calls.filter { $0.first == "get" && !$0.contains("--watch") }.count }
    var watches: [[String]] { standIn.calls.filter { $0.contains("--watch") } }
    /// Watches that have read the events file and printed their initial list.
    var watching: Int {
        ((try? String(contentsOfFile: events.path + ".watching", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Explicit synchronisation with the stream's thread: until `condition` holds (30 s at most).
    func until(_ what: String, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(30)
        while !condition() {
            if Date() > deadline { return XCTFail("never happened: \(what)") }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    func testAnEventReachesTheListAndOnlyThenWakesTheWait() throws {
        XCTAssertEqual(ClusterFixtures.names(try round([secrets])["Secret"]!), ["db"])
        XCTAssertEqual(plainGets, 1)
        until("the watch runs") { watching == 1 }
        XCTAssertEqual(watches.first, ["get", "secrets", "-n", "shop", "-o", "json", "--watch", "--output-watch-events"],
                       "no --request-timeout: it would end the watch")

        try append(event("MODIFIED", "Secret", "db", data: "dg=="))
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .changed)
        XCTAssertEqual(clock.missedEvents, 0)
        XCTAssertEqual(try round([secrets])["Secret"]?.first?["data"]?["k"]?.stringValue, "dg==")

        try append(event("ADDED", "Secret", "cache"))
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .changed)
        XCTAssertEqual(ClusterFixtures.names(try round([secrets])["Secret"]!), ["cache", "db"])

        try append(event("DELETED", "Secret", "db"))
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .changed)
        XCTAssertEqual(ClusterFixtures.names(try round([secrets])["Secret"]!), ["cache"], "DELETED removes the object")

        XCTAssertEqual(plainGets, 1, "every round after the first read the watched list, not kubectl: \(standIn.calls)")
        XCTAssertEqual(watches.count, 1)
        XCTAssertEqual(cluster.status.watched, [secrets])
        XCTAssertEqual(clock.time, 0, "no timer ran: each wake was an event")
    }

    func testAChangeToAListTheLastRoundDidNotReadDoesNotWakeIt() throws {
        _ = try round([secrets, configMaps])
        until("both watches run") { watching == 2 }
        // The step's next round reads Secrets alone; the ConfigMap watch stays (a later step may read it).
        _ = try round([secrets])
        let before = cluster.version(of: configMaps)
        try append(event("MODIFIED", "ConfigMap", "settings", data: "dg=="))
        until("the ConfigMap event is applied") { cluster.version(of: configMaps) != before }

        clock.waitsForEvents = false
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .resync,
                       "nothing the round read changed: the next round is the periodic fresh read, 60 s on")
        XCTAssertEqual(clock.time, 60)

        _ = try round([secrets])
        clock.waitsForEvents = true
        try append(event("MODIFIED", "Secret", "db", data: "dg=="))
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .changed)
        XCTAssertEqual(clock.missedEvents, 0)
    }

    func testABrokenStreamFallsBackToPollingAndIsStartedAgain() throws {
        cluster = WatchingCluster(kubectl: standIn.cluster(), timing: .init(pollInterval: 2, firstRetry: 3))
        _ = try round([secrets])
        until("the watch runs") { watching == 1 }
        try append("BREAK")
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .streamEnded)
        XCTAssertEqual(Array(cluster.status.down.keys), [secrets])

        // The round after reads kubectl afresh, and so does each round while the watch is down.
        _ = try round([secrets])
        XCTAssertEqual(plainGets, 2)
        clock.waitsForEvents = false
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .poll, "a poll while the watch is down")
        XCTAssertEqual(clock.time, 2, "every 2 s")
        _ = try round([secrets])
        XCTAssertEqual(plainGets, 3)
        XCTAssertEqual(cluster.streamsStarted, 1)

        // 3 s after it ended the watch is started again; from then on an event wakes the wait.
        clock.meanwhile = { [self] in
            guard cluster.streamsStarted == 2, !clock.waitsForEvents else { return }
            clock.waitsForEvents = true
            try append(event("MODIFIED", "Secret", "db", data: "dg=="))
        }
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .changed)
        XCTAssertEqual(clock.time, 3)
        XCTAssertEqual(watches.count, 2, "a second kubectl watch")
        XCTAssertEqual(cluster.status.watched, [secrets])
        XCTAssertEqual(try round([secrets])["Secret"]?.first?["data"]?["k"]?.stringValue, "dg==")
        XCTAssertEqual(plainGets, 3, "from the watched list again")
        XCTAssertEqual(clock.missedEvents, 0)
        XCTAssertTrue(clock.failures.isEmpty, "\(clock.failures)")
    }

    func testGarbageAndErrorEventsEndTheStreamWithAReason() throws {
        _ = try round([secrets])
        until("the watch runs") { watching == 1 }
        try append("<html>502 Bad Gateway</html>")
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .streamEnded)
        XCTAssertTrue(cluster.status.down[secrets]?.contains("not a watch event: <html>502") == true, "\(cluster.status)")

        try append("BREAK")
        clock.time += 1
        _ = try round([secrets])
        until("the second watch runs") { watching == 2 }
        try append(#"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#)
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .streamEnded)
        XCTAssertEqual(cluster.status.down[secrets], "the API server ended it: too old resource version: 1 (5)")
        XCTAssertEqual(clock.missedEvents, 0)
    }

    func testRefreshSendsTheRestOfTheRoundToKubectl() throws {
        _ = try round([secrets])
        until("the watch runs") { watching == 1 }
        cluster.beginRound(at: 0)
        _ = try cluster.objects(of: secrets.kind, namespace: "shop")
        XCTAssertEqual(plainGets, 1, "from the watched list")
        cluster.refresh()
        _ = try cluster.objects(of: secrets.kind, namespace: "shop")
        XCTAssertEqual(plainGets, 2, "a fresh read, to confirm a pass")
    }

    func testARoundNeedsConfirmingOnlyWhileItsListHoldsWhatTheWatchHasNotPrinted() throws {
        // The watch has printed db as the first read saw it: the cached list is what a fresh
        // read would say.
        _ = try round([secrets])
        until("the watch has printed db") { cluster.vouched(secrets) == true }
        XCTAssertEqual(ClusterFixtures.names(try round([secrets])["Secret"]!), ["db"])
        XCTAssertFalse(cluster.roundNeedsConfirming)
        try append(event("ADDED", "Secret", "cache"))
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .changed)
        XCTAssertEqual(ClusterFixtures.names(try round([secrets])["Secret"]!), ["cache", "db"])
        XCTAssertFalse(cluster.roundNeedsConfirming, "an event keeps the list vouched for")
        XCTAssertEqual(plainGets, 1)
    }

    func testAnObjectDeletedBeforeItsWatchStartedMakesTheRoundNeedConfirming() throws {
        // db is read, then deleted before the watch lists: the watch never mentions it.
        cluster.beginRound(at: 0)
        XCTAssertEqual(ClusterFixtures.names(try cluster.objects(of: secrets.kind, namespace: "shop")), ["db"])
        try append(event("DELETED", "Secret", "db"))
        try append("BREAK")
        cluster.follow(at: 0)
        until("the watch runs") { watching == 1 }

        XCTAssertEqual(ClusterFixtures.names(try round([secrets])["Secret"]!), ["db"], "the cache still holds db")
        XCTAssertTrue(cluster.roundNeedsConfirming, "db is known only from the read before the watch")
        XCTAssertEqual(plainGets, 1)
        cluster.refresh()
        XCTAssertEqual(ClusterFixtures.names(try cluster.objects(of: secrets.kind, namespace: "shop")), [], "the fresh read")
        XCTAssertEqual(plainGets, 2)
        XCTAssertEqual(ClusterFixtures.names(try round([secrets])["Secret"]!), [])
        XCTAssertFalse(cluster.roundNeedsConfirming, "the fresh read replaced the list")
    }

    func testAStepWithChecksNoWatchSeesIsPolledMoreSlowly() throws {
        cluster.beginRound(at: 0)
        _ = try cluster.objects(of: secrets.kind, namespace: "shop")
        _ = try cluster.command(["kubectl", "version", "-o", "json"])
        cluster.follow(at: 0)
        until("the watch runs") { watching == 1 }
        XCTAssertTrue(cluster.status.unwatchedChecks)
        clock.waitsForEvents = false
        XCTAssertEqual(cluster.waitForChange(clock: clock, stopped: { false }), .poll)
        XCTAssertEqual(clock.time, 10)
    }
}
