import ClassServer
import Foundation
import Grading
import KubeJSON
import TestSupport
import XCTest

/// The dashboard over a real loopback socket (a free port each time), read with curl: the
/// API, the pages, the event stream, the token, and reports good and bad.
final class ClassServerHTTPTests: XCTestCase {
    var server: ClassServer!
    var base = ""

    // The tests are synchronous on purpose: they block while curl runs, which must not be on
    // one of the few threads Swift concurrency (and so the server) has.
    func start(token: String? = nil, roster: Set<String>? = nil) throws -> ClassBoard {
        let board = ClassBoard(labs: try ClassBoardTests.labs(), graded: ["health-probes"], mode: "reports", roster: roster,
                               keys: ReportKeys(classKey: ClassBoardTests.classKey, learnerKeysOnly: true))
        server = try ClassServer(board: board, options: .init(bind: "127.0.0.1", port: 0, token: token, eventGap: .milliseconds(10)))
        let server = self.server!
        let port = try Self.await { () async throws(ServeError) -> UInt16 in try await server.start() }.get()
        base = "http://127.0.0.1:\(port)"
        return board
    }

    override func tearDown() {
        if let server { _ = Self.await { () async throws(ServeError) -> Void in await server.stop() } }
    }

    /// Runs async work from a synchronous test and waits for it.
    static func await<T: Sendable>(_ work: @escaping @Sendable () async throws(ServeError) -> T) -> Result<T, ServeError> {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(ServeError) { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return box.result!
    }

    /// Status and body of a request made with curl.
    func request(_ path: String, method: String = "GET", body: Data? = nil, headers: [String] = []) throws -> (status: Int, body: String) {
        var arguments = ["-sS", "--max-time", "20", "-X", method, "-o", "-", "-w", "\n%{http_code}"]
        for header in headers { arguments += ["-H", header] }
        var input: String?
        if let body {
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
            input = String(decoding: body, as: UTF8.self)
        }
        let result = try TestProcess.run("curl", arguments + [base + path], stdin: input)
        XCTAssertEqual(result.status, 0, result.stderr)
        var lines = result.stdout.components(separatedBy: "\n")
        let status = Int(lines.removeLast()) ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    func testHealthPagesAndTheClassJSON() throws {
        let board = try start()
        try board.receive(ClassBoardTests.report("ana", "liveness", passed: true, sequence: 1))

        let health = try request("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.body, "ok\n")

        let api = try request("/api/class.json")
        XCTAssertEqual(api.status, 200)
        XCTAssertEqual(api.body, JSONReport.render(board.snapshot().grade), "the same JSON as klab grade --output json")
        let json = try JSONParser.parse(bytes: Data(api.body.utf8))
        XCTAssertEqual(json["learners"]?[0]?["learner"]?.stringValue, "ana")
        XCTAssertEqual(json["learners"]?[0]?["labs"]?[0]?["steps"]?[0]?["status"]?.stringValue, "passed")

        let page = try request("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("<script id=\"board-data\" type=\"application/json\">"))
        XCTAssertFalse(page.body.contains("src=\"http") || page.body.contains("href=\"http"), "nothing fetched from elsewhere")

        let learner = try request("/learner?id=ana")
        XCTAssertEqual(learner.status, 200)
        XCTAssertTrue(learner.body.contains("<h1>ana</h1>"))
        XCTAssertEqual(try request("/learner?id=nobody").status, 404)
        XCTAssertEqual(try request("/.klab/evidence").status, 404, "no file is ever served")
        XCTAssertEqual(try request("/api/class.json", method: "DELETE").status, 405)
    }

    func testTheTokenGuardsEverythingButHealth() throws {
        _ = try start(token: "s3cret")
        XCTAssertEqual(try request("/healthz").status, 200)
        for path in ["/", "/api/class.json", "/learner?id=ana", "/events"] {
            XCTAssertEqual(try request(path).status, 401, path)
        }
        XCTAssertEqual(try request("/?token=wrong").status, 401)
        XCTAssertEqual(try request("/?token=s3cret").status, 200)
        XCTAssertEqual(try request("/api/class.json", headers: ["Authorization: Bearer s3cret"]).status, 200)
        let report = try ClassBoardTests.report("ana", "liveness", passed: true, sequence: 1).json()
        XCTAssertEqual(try request("/api/report", method: "POST", body: report).status, 401)
        XCTAssertEqual(try request("/api/report", method: "POST", body: report, headers: ["Authorization: Bearer s3cret"]).status, 200)
    }

    func testReportsAreCheckedBeforeTheyCount() throws {
        let board = try start(roster: ["ana"])
        let good = try ClassBoardTests.report("ana", "liveness", passed: true, sequence: 1).json()
        let forged = try ClassBoardTests.report("ana", "readiness", passed: true, sequence: 2, key: Data("not-ana".utf8)).json()
        let stranger = try ClassBoardTests.report("zed", "liveness", passed: true, sequence: 1).json()
        XCTAssertEqual(try request("/api/report", method: "POST", body: good).status, 200)
        let refused = try request("/api/report", method: "POST", body: forged)
        XCTAssertEqual(refused.status, 403)
        XCTAssertTrue(refused.body.contains("signature does not verify"), refused.body)
        XCTAssertEqual(try request("/api/report", method: "POST", body: stranger).status, 403)
        XCTAssertEqual(try request("/api/report", method: "POST", body: Data("{not json".utf8)).status, 400)
        XCTAssertEqual(try request("/api/report", method: "POST", body: Data(repeating: 0x20, count: 70_000)).status, 413)
        XCTAssertEqual(board.snapshot().reportsAccepted, 1)
        XCTAssertEqual(board.snapshot().grade.learners.map(\.learner), ["ana"])
    }

    func testTheEventStreamSendsTheBoardThenEveryChange() throws {
        let board = try start()
        let stream = try BackgroundProcess("curl", ["-sN", base + "/events"])
        defer { stream.terminate() }
        let first = stream.waitForOutput { Self.events($0).first }
        XCTAssertEqual(first?["version"]?.doubleValue, 0, "a new reader gets the board as it is")
        XCTAssertTrue(stream.stdout.hasPrefix("retry: 2000\n\nevent: board\ndata: {"), stream.stdout)

        try board.receive(ClassBoardTests.report("ana", "liveness", passed: true, sequence: 1))
        let changed = stream.waitForOutput { text in Self.events(text).first { $0["rows"]?.arrayValue?.isEmpty == false } }
        XCTAssertEqual(changed?["rows"]?[0]?["cells"]?.stringValue, "pnnn")
        XCTAssertEqual(changed?["rows"]?[0]?["current"]?.stringValue, "health-probes/fail-liveness")
        XCTAssertEqual(server.events.count, 1)
    }

    func testAddressesThatCannotBeHad() throws {
        XCTAssertThrowsError(try ClassServer(board: ClassBoard(labs: [], graded: [], mode: "reports"), options: .init(bind: "300.1.1.1"))) {
            XCTAssertEqual(($0 as? ServeError)?.exitCode, 2)
        }
        XCTAssertThrowsError(try ClassServer(board: ClassBoard(labs: [], graded: [], mode: "reports"), options: .init(bind: "localhost:80")))
        _ = try start()
        let port = UInt16(base.split(separator: ":").last!)!
        let second = try ClassServer(board: ClassBoard(labs: [], graded: [], mode: "reports"), options: .init(bind: "127.0.0.1", port: port))
        switch Self.await({ () async throws(ServeError) -> UInt16 in try await second.start() }) {
        case .success: XCTFail("a second server on a taken port")
        case .failure(let error):
            XCTAssertEqual(error, .portInUse(address: "127.0.0.1", port: port))
            XCTAssertEqual(error.exitCode, 3)
        }
        XCTAssertTrue(ClassServer.isLoopback("127.0.0.1") && ClassServer.isLoopback("::1") && !ClassServer.isLoopback("0.0.0.0"))
    }

    /// The boards in an event stream so far, in order.
    static func events(_ text: String) -> [JSONValue] {
        text.components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard lines.contains("event: board") else { return nil }
            let data = lines.filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }.joined(separator: "\n")
            return try? JSONParser.parse(bytes: Data(data.utf8))
        }
    }
}

final class ResultBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: written once by the task before the semaphore is signalled, read after.
    var result: Result<T, ServeError>?
}
