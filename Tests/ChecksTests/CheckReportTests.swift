import KubeJSON
import LabSpec
import XCTest
@testable import Checks

final class CheckReportTests: XCTestCase {
    private let results = [
        CheckResult(name: "pod runs", status: .passed, captures: ["node": "ip-1"]),
        CheckResult(name: "deployment available", status: .failed, message: ["line one", "line two"],
                    location: SourceLocation(file: "labs/x/lab.yaml", line: 12, column: 9)),
        CheckResult(name: "answers", status: .notEvaluated, message: ["--kube-only: http checks are not evaluated"]),
    ]

    func testTextShowsMarksMessagesHintAndSummary() {
        let report = CheckReport(title: "x: step one", results: results, hint: "Apply it.")
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.text(), """
        x: step one
        ✓ pod runs
        ✗ deployment available
            line one
            line two
        - answers (not evaluated)
            --kube-only: http checks are not evaluated
        hint: Apply it.
        1 of 3 checks passed, 1 failed, 1 not evaluated

        """)
        XCTAssertTrue(report.text(color: true).contains("\u{1B}[31m✗\u{1B}[0m deployment available"))
        XCTAssertFalse(report.text().contains("\u{1B}"))
    }

    func testChecksNotEvaluatedDoNotFailAndTheHintIsOnlyForFailures() {
        let report = CheckReport(title: "x: completion", results: [results[0], results[2]], hint: "Apply it.")
        XCTAssertTrue(report.passed)
        XCTAssertFalse(report.text().contains("hint:"))
        XCTAssertEqual(report.json()["hint"], .null)
    }

    func testJSONListsEachCheck() {
        let json = CheckReport(title: "x: step one", results: results, hint: "Apply it.").json()
        XCTAssertEqual(json["passed"], .bool(false))
        XCTAssertEqual(json["hint"], .string("Apply it."))
        let checks = json["checks"]?.arrayValue ?? []
        XCTAssertEqual(checks.map { $0["status"]?.stringValue }, ["passed", "failed", "not-evaluated"])
        XCTAssertEqual(checks[1]["message"], .string("line one\nline two"))
        XCTAssertEqual(checks[1]["location"], .string("labs/x/lab.yaml:12:9"))
        XCTAssertEqual(checks[0]["captures"]?["node"], .string("ip-1"))
    }
}
