import XCTest
@testable import Checks

final class ProcessRunnerTests: XCTestCase {
    func testCapturesOutputAndStatus() throws {
        let result = try ProcessRunner.run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.stdoutText, "out\n")
        XCTAssertEqual(result.stderrText, "err\n")
        XCTAssertEqual(result.status, 3)
        XCTAssertFalse(result.timedOut)
    }

    func testTimeoutKillsTheChild() throws {
        let result = try ProcessRunner.run("sleep", ["5"], timeout: 0.3)
        XCTAssertTrue(result.timedOut)
    }

    func testMissingProgramIsNamed() {
        XCTAssertThrowsError(try ProcessRunner.run("no-such-program-klab", [])) { error in
            XCTAssertEqual(error as? ProcessRunnerError, .notFound("no-such-program-klab"))
        }
    }

    func testLargeOutputDoesNotDeadlock() throws {
        let result = try ProcessRunner.run("sh", ["-c", "head -c 5000000 /dev/zero"], timeout: 20)
        XCTAssertEqual(result.stdout.count, 5_000_000)
    }
}
