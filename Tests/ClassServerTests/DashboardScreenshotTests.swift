import ClassServer
import Foundation
import TestSupport
import XCTest

/// The class page in headless Chromium (Debian `chromium`, from Scripts/setup --test): it
/// draws the board, keeps its event stream open, and redraws when a learner passes: the
/// cells turn from failed (vermillion) to passed (blue). The screenshot after the update is
/// kept under .build/test-artifacts/ and named in the test's output.
final class DashboardScreenshotTests: XCTestCase {
    var server: ClassServer?

    override func tearDown() {
        if let server { _ = ClassServerHTTPTests.await { () async throws(ServeError) -> Void in await server.stop() } }
    }

    func testTheOpenPageRedrawsWhenALearnerPasses() throws {
        let board = ClassBoard(labs: try ClassBoardTests.labs(), graded: ["health-probes"], mode: "reports",
                               keys: ReportKeys(classKey: ClassBoardTests.classKey, learnerKeysOnly: true))
        let steps = ["liveness", "fail-liveness", "readiness", "fail-readiness"]
        for learner in ["ana", "bo", "cy"] {
            for (index, step) in steps.enumerated() {
                try board.receive(ClassBoardTests.report(learner, step, passed: false, sequence: Int64(index + 1)))
            }
        }
        let server = try ClassServer(board: board, options: .init(bind: "127.0.0.1", port: 0, eventGap: .milliseconds(10)))
        self.server = server
        let port = try ClassServerHTTPTests.await { () async throws(ServeError) -> UInt16 in try await server.start() }.get()
        let url = "http://127.0.0.1:\(port)/"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("klab-serve-shot-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        func chromium(_ png: URL, extra: [String]) throws -> BackgroundProcess {
            try BackgroundProcess("chromium", [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--user-data-dir=\(dir.appendingPathComponent("profile-\(png.lastPathComponent)").path)",
                "--window-size=1200,900", "--screenshot=\(png.path)"] + extra + [url])
        }

        let before = dir.appendingPathComponent("before.png")
        XCTAssertEqual(try chromium(before, extra: []).waitForExit(), 0)

        // The second page stays open (until Chromium's --timeout, real time) so the update
        // reaches it over its event stream; the passes are posted once it has subscribed.
        let after = dir.appendingPathComponent("after.png")
        let subscribersBefore = server.events.count
        let open = try chromium(after, extra: ["--timeout=20000"])
        let deadline = Date(timeIntervalSinceNow: 60)
        while server.events.count <= subscribersBefore && Date() < deadline { usleep(50_000) }
        XCTAssertGreaterThan(server.events.count, subscribersBefore, "the page opened its event stream: \(open.stderr.suffix(300))")
        for learner in ["ana", "bo", "cy"] {
            for (index, step) in steps.enumerated() {
                try board.receive(ClassBoardTests.report(learner, step, passed: true, sequence: Int64(10 + index)))
            }
        }
        XCTAssertEqual(open.waitForExit(), 0)

        let artifacts = ClassBoardTests.root.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let kept = artifacts.appendingPathComponent("serve-dashboard-after-pass.png")
        try? FileManager.default.removeItem(at: kept)
        try FileManager.default.copyItem(at: after, to: kept)
        print("DashboardScreenshotTests: the screenshot after the update is \(kept.path)")

        let colours = ["#0072b2", "#d55e00"]
        let first = try Self.colours(before, colours), second = try Self.colours(after, colours)
        XCTAssertGreaterThan(first["#d55e00"]!, 3 * max(first["#0072b2"]!, 1), "before: failed cells, vermillion: \(first)")
        XCTAssertGreaterThan(second["#0072b2"]!, 3 * max(second["#d55e00"]!, 1), "after: passed cells, blue: \(second)")
        XCTAssertGreaterThan(second["#0072b2"]!, first["#d55e00"]! / 2, "the cells changed colour, not only the legend: \(first) \(second)")
    }

    static func colours(_ png: URL, _ colours: [String]) throws -> [String: Int] {
        let script = ClassBoardTests.root.appendingPathComponent("Tests/Fixtures/screenshot/png_colors.py").path
        let result = try TestProcess.run("python3", [script, png.path] + colours)
        let stats = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return stats?["colours"] as? [String: Int] ?? [:]
    }
}
