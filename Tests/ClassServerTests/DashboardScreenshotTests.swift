import ClassServer
import Foundation
import TestSupport
import XCTest

/// The class page in headless Chromium (Debian `chromium`, from Scripts/setup --test): it
/// draws the board, keeps its event stream open, and redraws when a learner passes: the
/// cells turn from failed (vermillion) to passed (blue). The screenshot after the update is
/// kept under .build/test-artifacts/ and named in the test's output. Chromium is driven by
/// Tests/Fixtures/screenshot/page_shot.py, which waits for what each picture must show.
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

        // Chromium is driven over the DevTools protocol (page_shot.py): each picture is taken
        // once the page shows what it is waiting for, so the picture never depends on how fast
        // the machine is. The timeout only bounds a page that never gets there.
        let driver = ClassBoardTests.root.appendingPathComponent("Tests/Fixtures/screenshot/page_shot.py").path
        func shot(_ png: URL, until condition: String) throws -> BackgroundProcess {
            try BackgroundProcess("python3", [driver, url, png.path, "--until", condition, "--timeout", "90"])
        }
        let cells = steps.count * 3
        func allCells(_ state: String) -> String { "document.querySelectorAll('td.c.\(state)').length === \(cells)" }

        let before = dir.appendingPathComponent("before.png")
        let first = try shot(before, until: allCells("f"))
        XCTAssertEqual(first.waitForExit(), 0, first.stderr.suffix(400).description)

        // The second page stays open: the passes are posted only once it has loaded and opened
        // its event stream, so it can learn of them only through that stream, never from the
        // board drawn into the page.
        let after = dir.appendingPathComponent("after.png")
        let subscribersBefore = server.events.count
        let open = try shot(after, until: allCells("p"))
        XCTAssertEqual(open.waitForOutput(timeout: 90) { $0.contains("loaded") ? true : nil }, true, open.stderr.suffix(400).description)
        let deadline = Date(timeIntervalSinceNow: 90)
        while server.events.count <= subscribersBefore && Date() < deadline { usleep(50_000) }
        XCTAssertGreaterThan(server.events.count, subscribersBefore, "the page opened its event stream: \(open.stderr.suffix(300))")
        for learner in ["ana", "bo", "cy"] {
            for (index, step) in steps.enumerated() {
                try board.receive(ClassBoardTests.report(learner, step, passed: true, sequence: Int64(10 + index)))
            }
        }
        XCTAssertEqual(open.waitForExit(), 0, "the open page redrew every cell as passed: \(open.stderr.suffix(400))")

        let artifacts = ClassBoardTests.root.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let kept = artifacts.appendingPathComponent("serve-dashboard-after-pass.png")
        try? FileManager.default.removeItem(at: kept)
        try FileManager.default.copyItem(at: after, to: kept)
        print("DashboardScreenshotTests: the screenshot after the update is \(kept.path)")

        let colours = ["#0072b2", "#d55e00"]
        let firstColours = try Self.colours(before, colours), second = try Self.colours(after, colours)
        XCTAssertGreaterThan(firstColours["#d55e00"]!, 3 * max(firstColours["#0072b2"]!, 1), "before: failed cells, vermillion: \(firstColours)")
        XCTAssertGreaterThan(second["#0072b2"]!, 3 * max(second["#d55e00"]!, 1), "after: passed cells, blue: \(second)")
        XCTAssertGreaterThan(second["#0072b2"]!, firstColours["#d55e00"]! / 2, "the cells changed colour, not only the legend: \(firstColours) \(second)")
    }

    static func colours(_ png: URL, _ colours: [String]) throws -> [String: Int] {
        let script = ClassBoardTests.root.appendingPathComponent("Tests/Fixtures/screenshot/png_colors.py").path
        let result = try TestProcess.run("python3", [script, png.path] + colours)
        let stats = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return stats?["colours"] as? [String: Int] ?? [:]
    }
}
