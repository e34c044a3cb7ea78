import Foundation
import TestSupport
import XCTest

final class LabListCommandTests: XCTestCase {
    func testListsEveryValidLabAndFailsOnTheBrokenOnes() throws {
        let result = try KlabBinary.run(["lab", "list", "--labs", LabShowCommandTests.fixtureLabs, "--output", "json"])
        let labs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let complete = try XCTUnwrap(labs.first { $0["id"] as? String == "complete-lab" })
        XCTAssertEqual(complete["title"] as? String, "A small lab that uses every part of the format")
        XCTAssertEqual(complete["steps"] as? Int, 2)
        // The fixture labs broken on purpose are reported on stderr, one line each, and make the exit 2.
        XCTAssertEqual(result.status, 2)
        let broken = result.stderr.split(separator: "\n")
        XCTAssertTrue(broken.contains { $0.contains("unknown-keys/lab.yaml:4:1: unknown key 'sumary' in the lab; did you mean 'summary'?") }, result.stderr)
        XCTAssertFalse(labs.contains { $0["id"] as? String == "unknown-keys" })
    }

    func testTextTable() throws {
        let result = try KlabBinary.run(["lab", "list", "--labs", LabShowCommandTests.fixtureLabs])
        let lines = result.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("ID") ?? false, result.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("complete-lab") && $0.contains("  2  ") && $0.hasSuffix("A small lab that uses every part of the format") }, result.stdout)
    }
}
