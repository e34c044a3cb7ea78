import TestSupport
import XCTest
@testable import KlabCLI

/// `klab verify --wait` reads its duration with the lab files' parser. It used to read `500ms`
/// as 500 minutes plus nothing (30,000 s) and take `2mx` as two minutes.
final class WaitDurationTests: XCTestCase {
    func testMillisecondsAreMilliseconds() throws {
        XCTAssertEqual(try parseDuration("500ms"), 0.5)
        XCTAssertEqual(try parseDuration("1m30s"), 90)
        XCTAssertEqual(try parseDuration("45"), 45)
    }

    func testATrailingUnknownUnitIsBadInput() {
        for text in ["2mx", "10d", "ms"] {
            XCTAssertThrowsError(try parseDuration(text), text) { error in
                XCTAssertEqual((error as? CLIFailure)?.status, .badInput)
            }
        }
    }

    func testTheBinarySaysSoInOneLine() throws {
        let result = try KlabBinary.run(["verify", "--wait", "2mx"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertEqual(result.stderr, "klab: invalid duration \"2mx\"; write it like 500ms, 30s, 2m or 1h\n")
    }
}
