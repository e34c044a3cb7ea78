import Foundation
import XCTest
@testable import Checks

/// `ProcessSignals`: several parts of klab observe the same signal without undoing each other,
/// the newest first. Raised at this test process with a signal no other test uses (SIGUSR2 is
/// not in klab's set, so the test owns its disposition).
final class ProcessSignalsTests: XCTestCase {
    func testEveryObserverIsCalledNewestFirstAndALateSignalCallStillCatches() {
        let calls = Calls()
        let first = ProcessSignals.observe(SIGUSR2) { calls.append("first") }
        let second = ProcessSignals.observe(SIGUSR2) { calls.append("second") }
        defer { first.cancel(); second.cancel() }
        XCTAssertEqual(ProcessSignals.observers(of: SIGUSR2), 2)

        kill(getpid(), SIGUSR2)
        XCTAssertTrue(calls.wait(for: 2), "both observers are called: \(calls.names)")
        XCTAssertEqual(calls.names, ["second", "first"])

        second.cancel()
        XCTAssertEqual(ProcessSignals.observers(of: SIGUSR2), 1)
        kill(getpid(), SIGUSR2)
        XCTAssertTrue(calls.wait(for: 3), "still caught after a cancel: \(calls.names)")
        XCTAssertEqual(calls.names.last, "first")
    }

    /// The first observer of a signal returns only once libdispatch has armed its source: until
    /// then the signal is ignored, and a Ctrl-C pressed right after klab's first output was lost.
    /// SIGUSR1 is observed nowhere else in this process, so this is its first source.
    func testASignalRaisedTheMomentTheFirstObserverReturnsIsCaught() {
        let calls = Calls()
        let observation = ProcessSignals.observe(SIGUSR1) { calls.append("usr1") }
        defer { observation.cancel() }
        kill(getpid(), SIGUSR1)
        XCTAssertTrue(calls.wait(for: 1), "the signal raised right after observe is caught: \(calls.names)")
    }

    func testASignalObservedIsRememberedAsEndingKlabByDefault() {
        let observation = ProcessSignals.observe(SIGUSR2) {}
        defer { observation.cancel() }
        XCTAssertTrue(ProcessSignals.endedKlabByDefault(SIGUSR2), "SIGUSR2 ends a process by default")
    }
}

// @unchecked: `names` is read and written only under `condition`.
private final class Calls: @unchecked Sendable {
    private let condition = NSCondition()
    private var list: [String] = []

    func append(_ name: String) {
        condition.lock()
        list.append(name)
        condition.broadcast()
        condition.unlock()
    }

    var names: [String] {
        condition.lock()
        defer { condition.unlock() }
        return list
    }

    /// Waits until `count` calls were made (a bound for a lost signal, not a timing verdict).
    func wait(for count: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: 30)
        while list.count < count { if !condition.wait(until: deadline) { return false } }
        return true
    }
}
