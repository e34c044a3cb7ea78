import Foundation
import TestSupport
import XCTest

/// `klab serve --live` stops on SIGTERM as on Ctrl-C, through the built binary: after a round
/// whose checks ran probes (each part of klab that took the signal used to silence the one
/// before it), and during a first round that waits on a kubectl that does not answer. Either
/// way no kubectl it started is left running: they lead their own process groups, so the
/// signal to klab does not reach them, and klab ends them.
final class ServeStopTests: XCTestCase {
    var root: URL!
    let repository = KlabBinary.repositoryRoot
    var standin: URL { repository.appendingPathComponent("Tests/Fixtures/kubectl-standin") }
    var process: BackgroundProcess?
    /// In the environment of klab and every process it starts, to find any left behind.
    let marker = "KLAB_SERVE_STOP_TEST=\(UUID().uuidString)"

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-serve-stop-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("learner,namespace\nada,default\n".utf8).write(to: root.appendingPathComponent("roster.csv"))
    }

    override func tearDownWithError() throws {
        process?.terminate()
        for pid in leftovers() { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: root)
    }

    func serve(lab: String, environment: [String: String]) throws -> BackgroundProcess {
        var environment = environment
        environment["PATH"] = standin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment["KLAB_STANDIN_LOG"] = root.appendingPathComponent("kubectl.log").path
        environment[String(marker.split(separator: "=")[0])] = String(marker.split(separator: "=")[1])
        let process = try BackgroundProcess(KlabBinary.url.path, [
            "serve", "--live", root.appendingPathComponent("roster.csv").path, "--lab", lab,
            "--interval", "1s", "--port", "0", "--output", "json"], environment: environment)
        self.process = process
        return process
    }

    /// Processes other than this test whose environment carries the marker.
    func leftovers() -> [pid_t] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { pid_t($0) } ?? []
        return pids.filter { pid in
            guard pid != getpid(), let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environ.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == marker }
        }
    }

    func testSIGTERMStopsALiveClassWhoseChecksRanProbes() throws {
        let fixtures = repository.appendingPathComponent("labs/calico-network-policy/fixtures")
        let server = try serve(lab: "calico-network-policy", environment: [
            "KLAB_STANDIN_SNAPSHOTS": fixtures.appendingPathComponent("complete").path])
        // The address is printed once the first round, probes included, is on the board.
        XCTAssertNotNil(server.waitForOutput(timeout: 120) { $0.contains("\"port\"") ? true : nil }, server.stderr)
        let log = try String(contentsOf: root.appendingPathComponent("kubectl.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("\"create\""), "the round made probe pods: \(log.suffix(400))")

        let status = server.signal(SIGTERM, waitingUpTo: 60)
        XCTAssertEqual(status, 0, "SIGTERM stops klab serve cleanly: \(server.stderr)")
        XCTAssertEqual(leftovers(), [], "no process klab started is left running")
    }

    func testSIGTERMDuringAFirstRoundThatHangsEndsItsKubectlToo() throws {
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let server = try serve(lab: "health-probes", environment: [
            "KLAB_STANDIN_SNAPSHOTS": empty.path, "KLAB_STANDIN_SLEEP": "600"])
        // The stand-in logs its call before it sleeps: klab is waiting on it.
        let log = root.appendingPathComponent("kubectl.log")
        let deadline = Date(timeIntervalSinceNow: 60)
        while ((try? Data(contentsOf: log))?.isEmpty ?? true) && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(leftovers().isEmpty, "a kubectl runs")

        let status = server.signal(SIGTERM, waitingUpTo: 60)
        XCTAssertEqual(status, 0, "SIGTERM stops klab serve before its first round is done: \(server.stderr)")
        XCTAssertEqual(server.stdout, "", "it never served")
        XCTAssertEqual(leftovers(), [], "the hung kubectl was ended with klab")
    }
}
