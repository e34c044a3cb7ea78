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

    /// Found by the address-sanitizer run: after ProbeCleanup ignored SIGTERM to handle it, a
    /// child inherited the ignored SIGTERM and outlived the kill meant to end it.
    func testChildrenStartWithDefaultSignalActions() throws {
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let result = try ProcessRunner.run("sh", ["-c", "grep SigIgn /proc/self/status"], timeout: 10)
        let mask = String(decoding: result.stdout, as: UTF8.self).split(separator: "\t").last
            .flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16) }
        let ignored = try XCTUnwrap(mask, String(decoding: result.stdout, as: UTF8.self))
        XCTAssertEqual(ignored & (1 << UInt64(SIGTERM - 1)), 0, "the child ignores SIGTERM")
        let child = try ProcessRunner.run("sh", ["-c", "sleep 30"], timeout: 1)
        XCTAssertTrue(child.timedOut)
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

    func testAGrandchildHoldingStderrIsEndedWithItsGroup() throws {
        // The child exits at once; the grandchild it leaves (as a kubectl credential plugin
        // or `aws` can) keeps stderr open for 300 s. Only the child was signalled before, and
        // the reads waited for the grandchild. Now the run's process group is ended.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klab-pgroup-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pidFile = folder.appendingPathComponent("grandchild").path
        let started = Date()
        let result = try ProcessRunner.run("sh", ["-c", "sleep 300 >&2 & echo $! > '\(pidFile)'; echo started"], timeout: 1)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.stdoutText, "started\n")
        XCTAssertEqual(result.status, 0, "the child itself exited normally")
        // Generous: anything near 300 s means the grandchild was waited for.
        XCTAssertLessThan(Date().timeIntervalSince(started), 120)
        let grandchild = try XCTUnwrap(pid_t(String(decoding: try Data(contentsOf: URL(fileURLWithPath: pidFile)), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertTrue(isGone(grandchild), "the grandchild was ended with its group")
    }

    /// A child started from a dispatch thread (which blocks nearly every signal) held SIGTERM
    /// blocked across exec until SIGKILL came.
    func testChildrenStartWithNoSignalBlocked() throws {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<ProcessResult, Error>?
        DispatchQueue.global().async {
            result = Result { try ProcessRunner.run("sh", ["-c", "grep SigBlk /proc/self/status"], timeout: 10) }
            done.signal()
        }
        done.wait()
        let text = try XCTUnwrap(result).get().stdoutText
        let mask = text.split(separator: "\t").last.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16) }
        XCTAssertEqual(mask, 0, "the child blocks no signal: \(text)")
    }

    /// What `klab serve` does when it stops: its kubectl children lead their own process
    /// groups, so the signal that stops klab does not reach them.
    func testEndAllEndsRunningChildrenWithTheirGroupsAndStartsNoMore() throws {
        defer { RunningChildren.reopen() }
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("klab-endall-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<ProcessResult, Error>?
        DispatchQueue.global().async {
            result = Result { try ProcessRunner.run("sh", ["-c", "sleep 300 & echo $! > \"$0.tmp\"; mv \"$0.tmp\" \"$0\"; wait", pidFile.path], timeout: 600) }
            done.signal()
        }
        // Once the grandchild's pid is written, the child and its grandchild both run.
        let deadline = Date(timeIntervalSinceNow: 30)
        while !FileManager.default.fileExists(atPath: pidFile.path) && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(RunningChildren.count, 1)

        RunningChildren.endAll()
        XCTAssertEqual(RunningChildren.count, 0)
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "the run returned once its child was ended")
        let run = try XCTUnwrap(result).get()
        XCTAssertFalse(run.timedOut)
        XCTAssertEqual(run.status, SIGTERM, "ended by SIGTERM: \(run.stderrText)")
        let written = try String(contentsOf: pidFile, encoding: .utf8)
        let grandchild = try XCTUnwrap(pid_t(written.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertTrue(isGone(grandchild), "the grandchild (sleep) was ended with its group")

        XCTAssertThrowsError(try ProcessRunner.run("true", [])) { error in
            XCTAssertEqual("\(error)", "could not start true: Operation canceled", "nothing starts once klab is stopping")
        }
    }

    func testAChildLeadsItsOwnProcessGroup() throws {
        let result = try ProcessRunner.run("sh", ["-c", "echo $$; ps -o pgid= -p $$"])
        let lines = result.stdoutText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(lines.count, 2, result.stdoutText + result.stderrText)
        XCTAssertEqual(lines.first, lines.last, "the child's process group is its own pid")
    }

    func testStdinIsWrittenAndClosed() throws {
        let result = try ProcessRunner.run("cat", [], stdin: Data("hello\n".utf8), timeout: 20)
        XCTAssertEqual(result.stdoutText, "hello\n")
        XCTAssertEqual(try ProcessRunner.run("cat", [], timeout: 20).stdoutText, "", "without stdin, the child reads /dev/null")
    }

    /// Whether a process has ended (a zombie not yet reaped by init counts as ended).
    private func isGone(_ pid: pid_t) -> Bool {
        for _ in 0..<100 {
            if kill(pid, 0) != 0 { return true }
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            if state == "Z" { return true }
            usleep(100_000)
        }
        return false
    }
}
