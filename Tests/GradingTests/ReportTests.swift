import Foundation
@testable import Grading
import TestSupport
import XCTest

/// Every report format against its golden file, and what each format promises its reader.
final class ReportTests: XCTestCase {
    func testTableGolden() throws {
        try ReportFixture.assertGolden(TableReport.render(ReportFixture.grade), "table.txt")
    }

    func testJSONGolden() throws {
        try ReportFixture.assertGolden(JSONReport.render(ReportFixture.grade), "report.json")
    }

    func testCSVGolden() throws {
        try ReportFixture.assertGolden(CSVReport.render(ReportFixture.grade), "report.csv")
    }

    func testJUnitGolden() throws {
        try ReportFixture.assertGolden(JUnitReport.render(ReportFixture.grade), "report.junit.xml")
    }

    func testCSVOneRowPerLearnerWithLabsTotalMaxFlags() throws {
        let csv = CSVReport.render(ReportFixture.grade)
        let rows = csv.components(separatedBy: "\r\n").dropLast()
        XCTAssertEqual(rows.first, "learner,health-probes,fargate,total,max,flags")
        XCTAssertEqual(rows.count, 1 + ReportFixture.grade.learners.count)
        XCTAssertEqual(rows.dropFirst().first, "ada,4,1,5,6,")
        // Quotes doubled, a formula-looking id disarmed, partial points kept.
        XCTAssertTrue(csv.contains("\"chen, \"\"the <quick>\"\" & =SUM(1)\",2.5,0,2.5,6,"), csv)
        XCTAssertEqual(CSVReport.field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"")
        XCTAssertEqual(CSVReport.field("-1"), "'-1")
    }

    func testJUnitSuitePerLearnerCasePerStepFailuresCarryMessages() throws {
        let xml = JUnitReport.render(ReportFixture.grade)
        XCTAssertEqual(xml.components(separatedBy: "<testsuite ").count - 1, 4)
        XCTAssertEqual(xml.components(separatedBy: "<testcase ").count - 1, 4 * 6)
        XCTAssertTrue(xml.contains("<failure message=\"the evidence does not match the digest its commit 1a2b3c4 records: it was changed afterwards\" type=\"flagged:digest-mismatch\">pod restarted: restartCount is 0, want &gt;= 1</failure>"), xml)
        XCTAssertTrue(xml.contains("name=\"chen, &quot;the &lt;quick&gt;&quot; &amp; =SUM(1)\""), xml)
    }

    /// The report is valid against the common JUnit schema, checked by xmllint (libxml2-utils).
    func testJUnitValidatesAgainstTheSchema() throws {
        let xsd = ReportFixture.repositoryRoot.appendingPathComponent("Tests/Fixtures/junit/junit.xsd")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("klab-junit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("report.xml")
        try Data(JUnitReport.render(ReportFixture.grade).utf8).write(to: good)
        let valid = try xmllint(schema: xsd, file: good)
        XCTAssertEqual(valid.status, 0, valid.output)
        XCTAssertTrue(valid.output.contains("validates"), valid.output)

        // The schema does reject what is not JUnit, so the check above can fail.
        let bad = dir.appendingPathComponent("bad.xml")
        try Data("<testsuites><testsuite name=\"x\"><testcase name=\"y\"/></testsuite></testsuites>\n".utf8).write(to: bad)
        XCTAssertNotEqual(try xmllint(schema: xsd, file: bad).status, 0)
    }

    func testEmptyClassRendersInEveryFormat() throws {
        let empty = ClassGrade(mode: "offline", labs: ["health-probes"], steps: [:], learners: [])
        XCTAssertEqual(CSVReport.render(empty), "learner,health-probes,total,max,flags\r\n")
        XCTAssertEqual(JUnitReport.render(empty), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n</testsuites>\n")
    }

    func xmllint(schema: URL, file: URL) throws -> (status: Int32, output: String) {
        let result = try TestProcess.run("xmllint", ["--noout", "--schema", schema.path, file.path])
        return (result.status, result.stdout + result.stderr)
    }
}
