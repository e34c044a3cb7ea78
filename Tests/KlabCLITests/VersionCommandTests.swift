import Foundation
import TestSupport
import XCTest

final class VersionCommandTests: XCTestCase {
    func testTextNamesKlabAndLibgit2() throws {
        let result = try KlabBinary.run(["version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "klab 0.1.0")
        XCTAssertTrue(lines.contains { $0.hasPrefix("libgit2 1.") }, result.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("kubectl ") }, result.stdout)
    }

    func testJSONSaysWhenKubectlIsMissing() throws {
        let result = try KlabBinary.run(["version", "--output", "json"], environment: ["PATH": "/nonexistent"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["klab"] as? String, "0.1.0")
        XCTAssertNotNil(json?["libgit2"] as? String)
        XCTAssertTrue(json?["kubectl"] is NSNull, result.stdout)
    }

    /// One line saying what is wrong (with the closest command), then the usage (issue 9).
    func testUnknownCommandIsBadUsage() throws {
        let result = try KlabBinary.run(["versio"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.first, "klab: 'versio' is not a klab command. Did you mean 'version'?", result.stderr)
        XCTAssertEqual(lines.dropFirst().first, "Usage: klab <subcommand>", result.stderr)
    }
}
