import XCTest
@testable import Workspace

final class ProgressLogTests: XCTestCase {
    private func entry(_ commit: String, _ event: ProgressEvent, _ step: String? = nil, lab: String = "probes") -> ProgressEntry {
        ProgressEntry(commit: commit, event: event, lab: lab, step: step)
    }

    func testPassesAccumulateAndResetForgetsTheStepAndLaterOnes() {
        let order = ["probes": ["a", "b", "c"]]
        let log = [
            entry("1", .start, "a"), entry("2", .pass, "a"), entry("3", .hint, "b"),
            entry("4", .pass, "b"), entry("5", .reset, "b"),
        ]
        let progress = ProgressLog.replay(log, stepOrder: order)["probes"]!
        XCTAssertEqual(progress.passed.map(\.step), ["a"])
        XCTAssertEqual(progress.currentStep(in: order["probes"]!), "b")
        XCTAssertEqual(progress.hintsShown["b"], 1)
    }

    func testEntriesAreReadFromTrailersAndForeignCommitsIgnored() {
        XCTAssertNil(ProgressEntry(commit: "x", trailers: [("Signed-off-by", "me")]))
        let e = ProgressEntry(commit: "y", trailers: [("Klab-Lab", "fargate"), ("Klab-Event", "pass"), ("Klab-Step", "deploy")])
        XCTAssertEqual(e?.event, .pass)
        XCTAssertEqual(e?.step, "deploy")
    }

    func testRestartBeginsAfresh() {
        let order = ["probes": ["a", "b"]]
        let log = [entry("1", .start), entry("2", .pass, "a"), entry("3", .start)]
        let progress = ProgressLog.replay(log, stepOrder: order)["probes"]!
        XCTAssertTrue(progress.passed.isEmpty)
        XCTAssertEqual(progress.startCommit, "3")
    }
}
