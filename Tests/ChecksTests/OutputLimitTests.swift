@testable import Checks
import Foundation
import KubeJSON
import XCTest

/// What klab keeps of a program's output: `InputLimits.programOutputBytes` of a kubectl get
/// (more fails the read), `InputLimits.execOutputBytes` of an exec or command check (more is
/// cut, and said), the same of any stderr. A program that never stops printing is ended.
final class OutputLimitTests: XCTestCase {
    func testOutputPastTheLimitIsCutAndTheEndlessProgramEnded() throws {
        // `yes` never ends by itself: only the limit ends it (the timeout is a backstop).
        let result = try ProcessRunner.run("yes", [], timeout: 60, outputLimit: 10_000)
        XCTAssertTrue(result.stdoutCut)
        XCTAssertFalse(result.timedOut, "the limit ended it, not the timeout")
        XCTAssertEqual(result.stdout.count, 10_000)
        XCTAssertEqual(result.stdoutText.prefix(4), "y\ny\n")
    }

    func testOutputWithinTheLimitIsWhole() throws {
        let result = try ProcessRunner.run("sh", ["-c", "head -c 10000 /dev/zero"], timeout: 20, outputLimit: 10_000)
        XCTAssertFalse(result.stdoutCut)
        XCTAssertEqual(result.stdout.count, 10_000)
    }

    func testStderrIsKeptToTheExecLimitAndTheRestDropped() throws {
        let bytes = InputLimits.execOutputBytes + 4096
        let result = try ProcessRunner.run("sh", ["-c", "head -c \(bytes) /dev/zero >&2; echo done"], timeout: 20)
        XCTAssertTrue(result.stderrCut)
        XCTAssertEqual(result.stderr.count, InputLimits.execOutputBytes)
        XCTAssertEqual(result.stdoutText, "done\n", "the program ran to its end: stderr past the limit is read and dropped")
    }

    func testAnExecOutputCutAtTheLimitSaysSoOnStderr() {
        var result = ProcessResult(executable: "kubectl", arguments: ["exec"], status: 0, stdout: Data("abc".utf8),
                                   stderr: Data("warning".utf8), timedOut: false)
        XCTAssertEqual(KubectlCluster.output(of: result).stderr, "warning")
        result.stdoutCut = true
        XCTAssertEqual(KubectlCluster.output(of: result).stderr,
                       "warning\nklab: the output was cut at \(InputLimits.execOutputBytes >> 20) MiB and the program ended")
        XCTAssertEqual(KubectlCluster.output(of: result).stdout, "abc")
    }

    func testAnExecCheckKeepsTheExecLimitOfAnEndlessCommand() throws {
        let cluster = KubectlCluster(options: .init(commandTimeout: 60))
        let output = try cluster.command(["yes"])
        XCTAssertEqual(output.stdout.utf8.count, InputLimits.execOutputBytes)
        XCTAssertTrue(output.stderr.hasSuffix("the program ended"), output.stderr)
    }
}
