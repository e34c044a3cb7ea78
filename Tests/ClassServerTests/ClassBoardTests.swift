import ClassServer
import Foundation
import Grading
import LabSpec
import Workspace
import KubeJSON
import XCTest

/// The board: reports laid over grades, who is on which step since when (an injected clock),
/// and which reports are turned away.
final class ClassBoardTests: XCTestCase {
    static let classKey = Data("class-key-for-board-tests".utf8)
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func labs() throws -> [Lab] {
        [try LabCatalog.loader(labs: root.appendingPathComponent("labs").path).load("health-probes")]
    }

    func board(roster: Set<String>? = nil, learnerKeysOnly: Bool = false, clock: TestClock = TestClock()) throws -> ClassBoard {
        ClassBoard(labs: try Self.labs(), graded: ["health-probes"], mode: "reports", roster: roster,
                   keys: ReportKeys(classKey: Self.classKey, learnerKeysOnly: learnerKeysOnly), clock: clock.now)
    }

    static func report(_ learner: String, _ step: String, passed: Bool, sequence: Int64, key: Data? = nil, hints: Int = 0) -> ProgressReport {
        let signing = key ?? Data(LearnerKeys.key(classKey: classKey, learner: learner).utf8)
        return ProgressReport(learner: learner, lab: "health-probes", step: step, passed: passed,
                              failedChecks: passed ? [] : ["the pod restarts"], hintsUsed: hints, sequence: sequence).signed(key: signing)
    }

    func status(_ snapshot: ClassBoard.Snapshot, _ learner: String, _ step: String) -> StepGrade.Status? {
        snapshot.grade.learners.first { $0.learner == learner }?.lab("health-probes")?.steps.first { $0.step == step }?.status
    }

    func testAReportedPassMovesTheLearnerOnAndTheClockSaysSinceWhen() throws {
        let clock = TestClock()
        let board = try board(clock: clock)
        try board.receive(Self.report("ana", "liveness", passed: true, sequence: 1))
        var snapshot = board.snapshot()
        XCTAssertEqual(status(snapshot, "ana", "liveness"), .passed)
        XCTAssertEqual(status(snapshot, "ana", "fail-liveness"), .notAttempted)
        XCTAssertEqual(snapshot.rows.first?.current, "health-probes/fail-liveness")
        XCTAssertEqual(snapshot.rows.first?.since, clock.start)
        XCTAssertEqual(snapshot.grade.learners.first?.points, 1, "a reported pass earns the step's points on the board")

        clock.advance(300)
        try board.receive(Self.report("ana", "fail-liveness", passed: false, sequence: 2, hints: 2))
        snapshot = board.snapshot()
        XCTAssertEqual(snapshot.rows.first?.current, "health-probes/fail-liveness")
        XCTAssertEqual(snapshot.rows.first?.since, clock.start, "still on the same step: the time on it keeps counting")
        XCTAssertEqual(snapshot.rows.first?.hints["health-probes/fail-liveness"], 2)
        XCTAssertEqual(snapshot.grade.learners.first?.lab("health-probes")?.steps[1].messages,
                       ["the pod restarts: failed (reported by klab verify)"])

        clock.advance(60)
        try board.receive(Self.report("ana", "fail-liveness", passed: true, sequence: 3))
        snapshot = board.snapshot()
        XCTAssertEqual(snapshot.rows.first?.current, "health-probes/readiness")
        XCTAssertEqual(snapshot.rows.first?.since, clock.start.addingTimeInterval(360))
        XCTAssertEqual(snapshot.version, 3)
        XCTAssertEqual(snapshot.reportsAccepted, 3)
    }

    /// Offline, the hand-in's history says how many hints were shown; a report that says more
    /// (shown since the hand-in was read) wins, one that says fewer does not take them back.
    func testHintsFromTheHistoryAndFromReportsWhicheverIsMore() throws {
        let board = try board()
        let grade = ClassGrade(mode: "offline", labs: ["health-probes"], steps: ["health-probes": ["liveness", "fail-liveness"]], learners: [
            LearnerGrade(learner: "ana", source: "handins/ana", labs: [LabGrade(lab: "health-probes", steps: [
                StepGrade(step: "liveness", status: .passed, points: 1, maxPoints: 1),
                StepGrade(step: "fail-liveness", status: .notAttempted, points: 0, maxPoints: 1),
            ], started: true)], flags: []),
        ])
        board.regraded(grade, stale: [], hints: ["ana": ["health-probes/liveness": 1, "health-probes/fail-liveness": 2]])
        XCTAssertEqual(board.snapshot().rows.first?.hints, ["health-probes/liveness": 1, "health-probes/fail-liveness": 2])

        try board.receive(Self.report("ana", "fail-liveness", passed: false, sequence: 1, hints: 3))
        try board.receive(Self.report("ana", "liveness", passed: true, sequence: 2, hints: 0))
        XCTAssertEqual(board.snapshot().rows.first?.hints, ["health-probes/liveness": 1, "health-probes/fail-liveness": 3])
        let page = BoardPage.learnerPage(board.snapshot(), learner: "ana", tokenQuery: "") ?? ""
        XCTAssertTrue(page.contains("<td class=\"who\">fail-liveness</td><td class=\"c f\">failed</td><td>3</td>"), page)
    }

    func testALateReportNeverTakesProgressBack() throws {
        let board = try board()
        try board.receive(Self.report("ana", "liveness", passed: true, sequence: 10))
        try board.receive(Self.report("ana", "liveness", passed: false, sequence: 9))
        XCTAssertEqual(status(board.snapshot(), "ana", "liveness"), .passed)
    }

    func testReportsThatDoNotVerifyAreRefused() throws {
        let board = try board(roster: ["ana", "bo"], learnerKeysOnly: true)
        XCTAssertThrowsError(try board.receive(Self.report("ana", "liveness", passed: true, sequence: 1, key: Data("guess".utf8)))) {
            XCTAssertEqual($0 as? ClassBoard.Refusal, .badSignature("ana"))
        }
        // bo's key signing a report that says it is ana's.
        let bosKey = Data(LearnerKeys.key(classKey: Self.classKey, learner: "bo").utf8)
        XCTAssertThrowsError(try board.receive(Self.report("ana", "liveness", passed: true, sequence: 1, key: bosKey))) {
            XCTAssertEqual($0 as? ClassBoard.Refusal, .badSignature("ana"))
        }
        XCTAssertThrowsError(try board.receive(Self.report("ana", "liveness", passed: true, sequence: 1, key: Self.classKey)),
                             "with per-learner keys, the class-wide key signs for nobody")
        XCTAssertThrowsError(try board.receive(Self.report("cy", "liveness", passed: true, sequence: 1))) {
            XCTAssertEqual($0 as? ClassBoard.Refusal, .notOnRoster("cy"))
        }
        XCTAssertThrowsError(try board.receive(Self.report("ana", "no-such-step", passed: true, sequence: 1))) {
            XCTAssertEqual($0 as? ClassBoard.Refusal, .unknownStep("health-probes/no-such-step"))
        }
        var tampered = Self.report("ana", "liveness", passed: false, sequence: 1)
        tampered.passed = true
        XCTAssertThrowsError(try board.receive(tampered), "a field changed after signing")
        XCTAssertEqual(board.snapshot().version, 0, "nothing refused changed the board")
        XCTAssertEqual(board.snapshot().reportsAccepted, 0)

        let open = try self.board()
        XCTAssertNoThrow(try open.receive(Self.report("ana", "liveness", passed: true, sequence: 1, key: Self.classKey)),
                         "without --learner-keys the class key signs for anyone")
    }

    func testAReportNeverOverridesWhatTheGraderFound() throws {
        let board = try board()
        let labs = try Self.labs()
        let steps = labs[0].steps.map { StepGrade(step: $0.id, status: .flagged, points: 0, maxPoints: $0.points) }
        let graded = LearnerGrade(learner: "ana", source: "handins/ana", labs: [LabGrade(lab: "health-probes", steps: steps, started: true)],
                                  flags: [GradeFlag(.evidenceMissing, lab: "health-probes", step: "liveness", detail: "gone")])
        board.regraded(ClassGrade(mode: "offline", labs: ["health-probes"], steps: ["health-probes": labs[0].steps.map(\.id)], learners: [graded]),
                       stale: ["ana"])
        try board.receive(Self.report("ana", "liveness", passed: true, sequence: 1))
        let snapshot = board.snapshot()
        XCTAssertEqual(status(snapshot, "ana", "liveness"), .flagged)
        XCTAssertEqual(snapshot.rows.map(\.stale), [true])
        XCTAssertEqual(snapshot.grade.learners.count, 1)
    }

    func testTheBoardJSONHasACellPerStepAndTheStuckLongestFirst() throws {
        let clock = TestClock()
        let board = try board(clock: clock)
        try board.receive(Self.report("ana", "liveness", passed: false, sequence: 1))
        clock.advance(120)
        try board.receive(Self.report("bo", "liveness", passed: true, sequence: 1))
        let json = BoardPage.boardJSON(board.snapshot())
        XCTAssertEqual(json["rows"]?.arrayValue?.compactMap { $0["cells"]?.stringValue }, ["fnnn", "pnnn"])
        XCTAssertEqual(json["rates"]?.arrayValue?.compactMap { $0.doubleValue }, [50, 0, 0, 0])
        XCTAssertEqual(json["stuck"]?.arrayValue?.compactMap { $0["id"]?.stringValue }, ["ana", "bo"])
        XCTAssertEqual(json["steps"]?.arrayValue?.count, 4)
    }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    // @unchecked: `offset` is read and written only under `lock`.
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    private let lock = NSLock()
    private var offset: TimeInterval = 0

    func advance(_ seconds: TimeInterval) {
        lock.lock()
        offset += seconds
        lock.unlock()
    }

    var now: @Sendable () -> Date {
        { [self] in
            lock.lock()
            defer { lock.unlock() }
            return start.addingTimeInterval(offset)
        }
    }
}
