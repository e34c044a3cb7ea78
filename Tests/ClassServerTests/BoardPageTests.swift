import Foundation
import Grading
import XCTest
@testable import ClassServer

/// The heatmap's letters and the pass rates, from one walk over the class: every state, a
/// flag on a pass, and a learner whose steps are not in catalog order.
final class BoardPageTests: XCTestCase {
    func testEveryCellLetterAndThePassRatePerColumn() {
        let grade = ClassGrade(mode: "offline", labs: ["a", "b"], steps: ["a": ["s1", "s2", "s3"], "b": ["t1", "t2"]], learners: [
            LearnerGrade(learner: "ana", source: "x", labs: [
                LabGrade(lab: "a", steps: [
                    StepGrade(step: "s1", status: .passed, points: 1, maxPoints: 1),
                    StepGrade(step: "s2", status: .failed, points: 0.5, maxPoints: 1),
                    StepGrade(step: "s3", status: .failed, points: 0, maxPoints: 1),
                ], started: true),
                LabGrade(lab: "b", steps: [
                    // Not in catalog order.
                    StepGrade(step: "t2", status: .flagged, points: 0, maxPoints: 1),
                    StepGrade(step: "t1", status: .passed, points: 1, maxPoints: 1),
                ], started: true),
            ], flags: [GradeFlag(.signatureInvalid, lab: "b", step: "t1", detail: "forged")]),
            LearnerGrade(learner: "bo", source: "y", labs: [
                LabGrade(lab: "a", steps: [StepGrade(step: "s1", status: .passed, points: 1, maxPoints: 1)], started: true),
            ], flags: []),
        ])
        var passed = [Int](repeating: 0, count: 5)
        XCTAssertEqual(BoardPage.cells(grade.learners[0], grade, passed: &passed), "phfxx")
        XCTAssertEqual(BoardPage.cells(grade.learners[1], grade, passed: &passed), "pnnnn")
        XCTAssertEqual(passed, [2, 0, 0, 1, 0], "a flagged pass still counts as passed, as the grade says")
        XCTAssertEqual(BoardPage.cells(grade.learners[0], grade), "phfxx")
    }
}
