import Foundation
import TestSupport
import XCTest

/// The README's benchmark table is what `Scripts/bench-readme` writes from the committed run
/// (`Scripts/bench-results.json`, one `Scripts/bench --json` run): nobody edits figures by hand,
/// and the table keeps its shape (a header, five cells a row, a row for every section).
final class BenchReadmeTests: XCTestCase {
    let repository = KlabBinary.repositoryRoot

    func testTheReadmeTableIsTheCommittedRunsTable() throws {
        let result = try TestProcess.run(repository.appendingPathComponent("Scripts/bench-readme").path,
                                         ["--check", repository.appendingPathComponent("Scripts/bench-results.json").path])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testTheTableHasItsShape() throws {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try XCTUnwrap(readme.components(separatedBy: "<!-- bench-table -->").dropFirst().first?
            .components(separatedBy: "<!-- /bench-table -->").first)
        let rows = block.split(separator: "\n").filter { $0.hasPrefix("|") }
        XCTAssertEqual(rows.first, "| Measure | klab | Peer, same run | klab vs peer | Target |")
        for row in rows {
            XCTAssertEqual(row.filter { $0 == "|" }.count, 6, "five cells: \(row)")
        }
        for measure in ["Selection over", "Same selection, kubectl's own printer", "Reading the list", "Peak memory", "Verify of each lab's", "Watch:"] {
            XCTAssertTrue(rows.contains { $0.hasPrefix("| " + measure) }, "a row for \(measure)")
        }
        XCTAssertTrue(block.contains("load average"), "the load the figures were measured under")
    }
}
