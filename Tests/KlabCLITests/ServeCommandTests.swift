import Foundation
import KubeJSON
import TestSupport
import XCTest

/// `klab serve` through the built binary, on a free loopback port: a class of hand-ins, a
/// class graded live through the kubectl stand-in, and learners reporting with `klab verify`;
/// the API, the event stream, the token and the errors a user meets.
final class ServeCommandTests: XCTestCase {
    var root: URL!
    let repository = KlabBinary.repositoryRoot
    var fixtures: URL { repository.appendingPathComponent("labs/health-probes/fixtures") }
    var standin: URL { repository.appendingPathComponent("Tests/Fixtures/kubectl-standin") }
    var servers: [BackgroundProcess] = []

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-serve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for server in servers { server.terminate() }
        try? FileManager.default.removeItem(at: root)
    }

    /// Starts `klab serve ARGS --port 0 --output json`; its address and token once it listens.
    func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> (base: String, token: String?, process: BackgroundProcess) {
        let process = try BackgroundProcess(KlabBinary.url.path, ["serve"] + arguments + ["--port", "0", "--output", "json"],
                                            environment: environment.merging(["NO_COLOR": "1"]) { a, _ in a })
        servers.append(process)
        guard let line = process.waitForOutput(timeout: 120, { $0.split(separator: "\n").first.map(String.init) }),
              let json = try? JSONParser.parse(bytes: Data(line.utf8)), let port = json["port"]?.doubleValue else {
            throw ServeTestError(message: "klab serve did not start: \(process.stdout) \(process.stderr)")
        }
        return ("http://127.0.0.1:\(Int(port))", json["token"]?.stringValue, process)
    }

    func get(_ url: String, headers: [String] = []) throws -> (status: Int, body: String) {
        var arguments = ["-sS", "--max-time", "30", "-o", "-", "-w", "\n%{http_code}"]
        for header in headers { arguments += ["-H", header] }
        let result = try TestProcess.run("curl", arguments + [url])
        var lines = result.stdout.components(separatedBy: "\n")
        return (Int(lines.removeLast()) ?? 0, lines.joined(separator: "\n"))
    }

    /// The boards an event stream has carried so far.
    static func boards(_ text: String) -> [JSONValue] {
        text.components(separatedBy: "\n\n").compactMap { block in
            guard let line = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
            return try? JSONParser.parse(bytes: Data(line.dropFirst(6).utf8))
        }
    }

    func start(_ workspace: URL, learner: String, extra: [String] = [], environment: [String: String] = [:]) throws {
        let result = try KlabBinary.run(["start", "health-probes", "--learner", learner, "--workspace", workspace.path] + extra,
                                        environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func verify(_ workspace: URL, step: String, environment: [String: String] = [:]) throws -> KlabBinary.Result {
        try KlabBinary.run(["verify", "--workspace", workspace.path, "--snapshot", fixtures.appendingPathComponent("\(step)--pass").path],
                           environment: environment)
    }

    func testHandInsServedAsGradedAndRegradedWhenOneChanges() throws {
        let handins = root.appendingPathComponent("handins")
        for learner in ["ana", "bo"] {
            try start(handins.appendingPathComponent(learner), learner: learner)
        }
        XCTAssertEqual(try verify(handins.appendingPathComponent("ana"), step: "liveness").status, 0)
        let server = try serve([handins.path, "--lab", "health-probes", "--accept-snapshots", "--interval", "1s"])

        let health = try get(server.base + "/healthz")
        XCTAssertEqual(health.status, 200)
        let api = try get(server.base + "/api/class.json")
        let graded = try KlabBinary.run(["grade", handins.path, "--lab", "health-probes", "--accept-snapshots", "--output", "json"])
        XCTAssertEqual(api.body, graded.stdout, "/api/class.json is what klab grade --output json prints")

        let stream = try BackgroundProcess("curl", ["-sN", server.base + "/events"])
        defer { stream.terminate() }
        XCTAssertNotNil(stream.waitForOutput { Self.boards($0).first })
        XCTAssertEqual(try verify(handins.appendingPathComponent("bo"), step: "liveness").status, 0)
        let updated = stream.waitForOutput { text in
            Self.boards(text).first { $0["rows"]?.arrayValue?.first { $0["id"]?.stringValue == "bo" }?["cells"]?.stringValue == "pnnn" }
        }
        XCTAssertNotNil(updated, "bo's new pass reaches the page without a reload: \(stream.stdout.suffix(500))")
        let row = updated?["rows"]?.arrayValue?.first { $0["id"]?.stringValue == "bo" }
        XCTAssertEqual(row?["current"]?.stringValue, "health-probes/fail-liveness")

        XCTAssertEqual(server.process.interrupt(), 0, "Ctrl-C stops it cleanly")
    }

    /// Offline, hints come from the hand-in's history (`klab hint` commits): no report needed.
    func testHintsShownInAHandInAreOnTheLearnersPage() throws {
        let handins = root.appendingPathComponent("handins")
        let ana = handins.appendingPathComponent("ana")
        try start(ana, learner: "ana")
        XCTAssertEqual(try verify(ana, step: "liveness").status, 0)
        for _ in 0..<2 {
            let hint = try KlabBinary.run(["hint", "--workspace", ana.path])
            XCTAssertEqual(hint.status, 0, hint.stderr)
        }
        let server = try serve([handins.path, "--lab", "health-probes", "--accept-snapshots"])
        let page = try get(server.base + "/learner?id=ana")
        XCTAssertEqual(page.status, 200)
        let row = page.body.components(separatedBy: "\n").first { $0.contains(">fail-liveness<") } ?? ""
        XCTAssertTrue(row.contains("<td>2</td>"), "two hints shown on the step ana is on: \(row)")
        let done = page.body.components(separatedBy: "\n").first { $0.contains(">liveness<") } ?? ""
        XCTAssertTrue(done.contains("</td><td></td>"), "none on the step passed without one: \(done)")
    }

    func testALiveClassThroughTheKubectlStandIn() throws {
        let roster = root.appendingPathComponent("roster.csv")
        try Data("learner,namespace\nada,default\nbo,ns-bo\n".utf8).write(to: roster)
        let empty = root.appendingPathComponent("empty-cluster")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        // The first round reads an empty cluster, every later one the finished lab.
        let server = try serve(["--live", roster.path, "--lab", "health-probes", "--interval", "1s"], environment: [
            "PATH": standin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "KLAB_STANDIN_SNAPSHOTS": empty.path + ":" + fixtures.appendingPathComponent("complete").path,
            "KLAB_STANDIN_LOG": root.appendingPathComponent("kubectl.log").path,
        ])
        let stream = try BackgroundProcess("curl", ["-sN", server.base + "/events"])
        defer { stream.terminate() }
        let done = stream.waitForOutput { text in
            Self.boards(text).first { $0["rows"]?[0]?["cells"]?.stringValue == "pppp" }
        }
        XCTAssertNotNil(done, "ada's lab completes on the board once the cluster has it: \(stream.stdout.suffix(400)) \(server.process.stderr)")
        XCTAssertEqual(done?["mode"]?.stringValue, "live")
        XCTAssertEqual(done?["rows"]?[1]?["cells"]?.stringValue, "ffff", "bo's namespace is empty")
        let first = Self.boards(stream.stdout).first
        XCTAssertNotEqual(first?["rows"]?[0]?["cells"]?.stringValue, "pppp", "the first round read the empty cluster")
        let api = try JSONParser.parse(bytes: Data(try get(server.base + "/api/class.json").body.utf8))
        XCTAssertEqual(api["learners"]?[0]?["points"]?.doubleValue, 4)
    }

    func testReportingLearnersWithTheirOwnKeys() throws {
        let key = root.appendingPathComponent("class.key")
        try Data("a-class-key\n".utf8).write(to: key)
        let roster = root.appendingPathComponent("roster.csv")
        try Data("learner\nana\nbo\n".utf8).write(to: roster)
        let keys = try KlabBinary.run(["grade", "keys", roster.path, "--key-file", key.path])
        let learnerKeys = Dictionary(uniqueKeysWithValues: keys.stdout.split(separator: "\n").map {
            let parts = $0.split(separator: " ", omittingEmptySubsequences: true)
            return (String(parts[0]), String(parts[1]))
        })
        // No hand-ins: the class is who reports.
        let server = try serve(["--key-file", key.path, "--learner-keys", "--lab", "health-probes", "--token", "tok"])

        let ana = root.appendingPathComponent("ana")
        try start(ana, learner: "ana", extra: ["--report-to", server.base, "--token", "tok"])
        let passed = try verify(ana, step: "liveness", environment: ["KLAB_CLASS_KEY": learnerKeys["ana"]!])
        XCTAssertEqual(passed.status, 0, passed.stderr)
        XCTAssertEqual(passed.stderr, "", "a report taken says nothing")
        let settings = try String(contentsOf: ana.appendingPathComponent(".git/klab/report.json"), encoding: .utf8)
        XCTAssertTrue(settings.contains("tok"))
        XCTAssertFalse(try GitWitness.run(["log", "-p", "--all"], in: ana).contains("\"tok\""), "the token is never committed")

        // bo signs with ana's key: refused, and bo's verify still passes.
        let bo = root.appendingPathComponent("bo")
        try start(bo, learner: "bo", extra: ["--report-to", server.base, "--token", "tok"])
        let forged = try verify(bo, step: "liveness", environment: ["KLAB_CLASS_KEY": learnerKeys["ana"]!])
        XCTAssertEqual(forged.status, 0)
        XCTAssertEqual(forged.stderr.split(separator: "\n").count, 1, forged.stderr)
        XCTAssertTrue(forged.stderr.hasPrefix("klab: progress was not reported to \(server.base): the dashboard answered 403"), forged.stderr)

        let api = try JSONParser.parse(bytes: Data(try get(server.base + "/api/class.json?token=tok").body.utf8))
        let learners = api["learners"]?.arrayValue ?? []
        XCTAssertEqual(learners.compactMap { $0["learner"]?.stringValue }, ["ana"], "learners appear as their reports are taken")
        XCTAssertEqual(learners.first?["labs"]?[0]?["steps"]?[0]?["status"]?.stringValue, "passed")
        XCTAssertEqual(try get(server.base + "/api/class.json").status, 401, "the token guards the API")
    }

    func testADashboardThatIsDownNeverFailsAVerify() throws {
        let ana = root.appendingPathComponent("ana")
        // Port 9 (discard) on loopback: nothing listens there on a test machine.
        try start(ana, learner: "ana", extra: ["--report-to", "http://127.0.0.1:9", "--token", "tok"])
        let result = try verify(ana, step: "liveness", environment: ["KLAB_CLASS_KEY": "some-key"])
        XCTAssertEqual(result.status, 0)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(lines.first?.hasPrefix("klab: progress was not reported to http://127.0.0.1:9: ") == true, result.stderr)
        XCTAssertTrue(result.stdout.contains("Step liveness done"))

        let bad = try KlabBinary.run(["start", "health-probes", "--workspace", root.appendingPathComponent("x").path, "--learner", "x", "--report-to", "ftp://host"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("klab: --report-to ftp://host is not an http:// or https:// address"), bad.stderr)
    }

    /// Scripts/load-serve, short: 20 learners posting every half second for 4 s; every pass
    /// posted is on /api/class.json at the end. No timing is asserted here (the script's
    /// full run measures it).
    func testNoReportIsLostUnderABoundedLoad() throws {
        let result = try TestProcess.run(repository.appendingPathComponent("Scripts/load-serve").path, [
            "--learners", "20", "--seconds", "4", "--every", "0.5", "--no-timing", "--klab", KlabBinary.url.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr.suffix(1000))
        XCTAssertTrue(result.stdout.contains(", 0 refused, 0 lost"), result.stdout)
    }

    func testStartingErrorsAreOneLineWithTheirExitCode() throws {
        let badBind = try KlabBinary.run(["serve", "--bind", "not-an-address", "--port", "0"])
        XCTAssertEqual(badBind.status, 2)
        XCTAssertEqual(badBind.stderr.split(separator: "\n").count, 1, badBind.stderr)
        XCTAssertTrue(badBind.stderr.contains("--bind not-an-address is not an IP address"), badBind.stderr)

        let first = try serve([])
        let port = first.base.split(separator: ":").last!
        let taken = try KlabBinary.run(["serve", "--port", String(port)])
        XCTAssertEqual(taken.status, 3)
        XCTAssertEqual(taken.stderr, "klab: port \(port) on 127.0.0.1 is in use by another program; choose another with --port (--port 0 picks a free one)\n")

        let live = try KlabBinary.run(["serve", "--live"])
        XCTAssertEqual(live.status, 2)

        // Any other address than loopback gets a token, made up when none is given.
        let open = try serve(["--bind", "0.0.0.0"])
        XCTAssertEqual(open.token?.count, 32)
        XCTAssertEqual(try get(open.base + "/").status, 401)
        XCTAssertEqual(try get(open.base + "/?token=\(open.token ?? "")").status, 200)
        XCTAssertEqual(try get(open.base + "/healthz").status, 200)
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
