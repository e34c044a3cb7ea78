import Foundation
import Grading
import TestSupport
import XCTest

/// The HTML report: self-contained, and it renders in headless Chromium (Debian `chromium`,
/// installed by `Scripts/setup --test`) into a page with the heatmap's colours on it.
final class HTMLReportTests: XCTestCase {
    func testSelfContainedWithHeatmapPassRatesAndDetail() throws {
        let html = HTMLReport.render(ReportFixture.grade)
        for remote in ["http://", "https://", "<script", "<link", "@import", "src="] {
            XCTAssertFalse(html.contains(remote), "the report must not fetch anything (\(remote))")
        }
        // Heatmap: 4 learners × 6 steps, flagged cells marked with the step's messages.
        XCTAssertEqual(html.components(separatedBy: "<td class=\"flagged\"").count - 1, 2)
        XCTAssertTrue(html.contains("<td class=\"flagged\" title=\"pod restarted: restartCount is 0, want &gt;= 1\">!</td>"), html)
        // Pass rate per step: liveness 3 of 4, fail-readiness 1 of 4.
        XCTAssertTrue(html.contains("<td title=\"3 of 4\">75%</td>"), html)
        XCTAssertTrue(html.contains("<td title=\"1 of 4\">25%</td>"), html)
        // Per-learner detail with the failure messages, escaped.
        XCTAssertTrue(html.contains("<b>health-probes/readiness</b> (flagged): ready replicas: status.readyReplicas is 2, want 3; endpoints: 1 address, want 3"), html)
        XCTAssertTrue(html.contains("chen, &quot;the &lt;quick&gt;&quot; &amp; =SUM(1)"), html)
        XCTAssertFalse(html.contains("<quick>"))
    }

    func testRendersInHeadlessChromium() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("klab-html-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("grades.html")
        try Data(HTMLReport.render(ReportFixture.grade).utf8).write(to: page)
        let png = dir.appendingPathComponent("grades.png")
        let chromium = try run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--hide-scrollbars", "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                                "--window-size=1200,900", "--screenshot=\(png.path)", page.absoluteString])
        XCTAssertTrue(FileManager.default.fileExists(atPath: png.path), "no screenshot: \(chromium)")
        if let keep = ProcessInfo.processInfo.environment["KLAB_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep))
        }

        let script = ReportFixture.repositoryRoot.appendingPathComponent("Tests/Fixtures/screenshot/png_colors.py").path
        let output = try run(["python3", script, png.path, "#2e9d57", "#f2b134", "#b00020", "#e4685d"])
        let stats = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: Any]
        XCTAssertEqual(stats["width"] as? Int, 1200)
        XCTAssertEqual(stats["height"] as? Int, 900)
        XCTAssertGreaterThan(stats["notWhite"] as! Int, 20_000, "the page rendered blank")
        let colours = stats["colours"] as! [String: Int]
        XCTAssertGreaterThan(colours["#2e9d57"]!, 2_000, "passed cells in green")
        XCTAssertGreaterThan(colours["#f2b134"]!, 300, "flagged cells in amber")
        XCTAssertGreaterThan(colours["#b00020"]!, 100, "flagged cells outlined in red")
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let result = try TestProcess.run(arguments[0], Array(arguments.dropFirst()))
        XCTAssertEqual(result.status, 0, "\(arguments[0]): \(result.stderr.suffix(500))")
        return result.stdout
    }
}
