import Foundation
import TestSupport
import XCTest

/// The pool that concurrent tests (crash points, chapter fixtures) share out their items with.
final class ConcurrentlyTests: XCTestCase {
    func testEveryIndexRunsOnceAndResultsComeBackInIndexOrder() {
        let calls = Locked([Int: Int]())
        let results = concurrently(50, workers: 3) { index, _ in
            calls.update { $0[index, default: 0] += 1 }
            if index % 7 == 0 { usleep(2_000) }  // uneven items: the others go on meanwhile
            return index * index
        }
        XCTAssertEqual(results, (0..<50).map { $0 * $0 })
        XCTAssertEqual(calls.value, Dictionary(uniqueKeysWithValues: (0..<50).map { ($0, 1) }))
    }

    func testWorkersAreNumberedBelowTheirCountAndNoMoreRunAtOnce() {
        let running = Locked((now: 0, most: 0))
        let workers = concurrently(12, workers: 3) { _, worker in
            running.update { $0.now += 1; $0.most = max($0.most, $0.now) }
            usleep(1_000)
            running.update { $0.now -= 1 }
            return worker
        }
        XCTAssertTrue(workers.allSatisfy { (0..<3).contains($0) }, "\(workers)")
        XCTAssertLessThanOrEqual(running.value.most, 3)
    }

    func testNoItemsRunsNothing() {
        let results: [Int] = concurrently(0, workers: 3) { index, _ in
            XCTFail("item \(index) of none ran")
            return index
        }
        XCTAssertEqual(results, [])
    }
}
