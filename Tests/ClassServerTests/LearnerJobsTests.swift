@testable import ClassServer
import Dispatch
import Foundation
import XCTest

/// One learner whose grading hangs never holds up a round, is not started twice, and its
/// result is taken when it comes.
final class LearnerJobsTests: XCTestCase {
    func testAHungJobIsLeftBehindNotRestartedAndPickedUpLater() {
        let jobs = LearnerJobs()
        let release = DispatchSemaphore(value: 0)
        let starts = Counter()
        let slow = LearnerJobs.Job(key: "slow") { starts.increment(); release.wait(); return "slow graded" }
        let fast = LearnerJobs.Job(key: "fast") { "fast graded" }

        // The deadline bounds the wait for the hung job; the verdict does not depend on it.
        var round = jobs.run([fast, slow], timeout: 1)
        XCTAssertEqual(round["fast"] as? String, "fast graded")
        XCTAssertNil(round["slow"], "the hung learner is left out of this round")

        round = jobs.run([fast, slow], timeout: 1)
        XCTAssertEqual(round["fast"] as? String, "fast graded")
        XCTAssertNil(round["slow"])
        XCTAssertEqual(starts.value, 1, "a job still running is not started again")

        release.signal()
        round = jobs.run([fast, slow], timeout: 60)
        XCTAssertEqual(round["slow"] as? String, "slow graded", "the late result is taken by the next round")
        XCTAssertEqual(starts.value, 1)
    }
}

final class Counter: @unchecked Sendable {
    // @unchecked: `count` is read and written only under `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
