import Foundation
import XCTest
@testable import Grading

/// A class is graded more hand-ins at a time than there are cores, so that one hand-in's disk
/// reads overlap the others' checks: proved by a barrier every hand-in must reach before any
/// may finish, which only that many threads at once can pass.
final class HandInsAtOnceTests: XCTestCase {
    func testEightHandInsPerCoreUpToThirtyTwo() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        XCTAssertEqual(ClassGrader.handInsAtOnce, min(32, 8 * cores))
        XCTAssertGreaterThan(ClassGrader.handInsAtOnce, cores)
    }

    func testThatManyHandInsAreInFlightTogetherAndTheOrderIsKept() {
        let count = ClassGrader.handInsAtOnce
        let barrier = Barrier(parties: count)
        let results = ClassGrader.parallelMap(Array(0..<count), progress: nil) { item -> (Int, Bool) in
            (item, barrier.arriveAndWait())
        }
        XCTAssertEqual(results.map(\.0), Array(0..<count), "results come back in the roster's order")
        XCTAssertEqual(results.filter(\.1).count, count, "every hand-in was in flight while the others were")
    }

    func testNoMoreThanTheThreadsAskedForRunAtOnce() {
        let running = Counter()
        _ = ClassGrader.parallelMap(Array(0..<40), threads: 3, progress: nil) { _ in
            running.enter()
            // Yield so that other workers get the chance to start while this one is running.
            for _ in 0..<50 { sched_yield() }
            running.leave()
        }
        XCTAssertLessThanOrEqual(running.highest, 3)
        XCTAssertGreaterThanOrEqual(running.highest, 1)
    }
}

/// Waits until `parties` threads have arrived; false if they never do (fewer threads ran at
/// once than asked), after a bound long enough for any loaded machine.
private final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private let parties: Int
    private var arrived = 0

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date().addingTimeInterval(120)
        while arrived < parties {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private(set) var highest = 0

    func enter() {
        lock.lock()
        now += 1
        highest = max(highest, now)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        now -= 1
        lock.unlock()
    }
}
