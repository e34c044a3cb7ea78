import Checks
import Foundation
import LabSpec
import Workspace
import XCTest
@testable import Grading

/// Live grading says which completion checks it could not evaluate (a workspace check, one
/// that needs a step's capture) instead of silently passing or failing them, in the grade and
/// in the reports.
final class LiveGraderTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    func testChecksThatCannotBeEvaluatedLiveAreListedNotPassedOrFailed() throws {
        var lab = Lab(id: "baselines", title: "Baselines", directory: URL(fileURLWithPath: "/labs/baselines"),
                      contentDirectory: URL(fileURLWithPath: "/content/baselines"))
        var step = LabStep(id: "scale", title: "Scale out")
        step.checks = [Check(name: "Remember the nodes", source: .get(ObjectSelector(kind: "Node")),
                             captures: [Capture(name: "baselineNodes", path: "{.count}")])]
        lab.steps = [step]
        lab.completion = [
            Check(name: "There are nodes", source: .get(ObjectSelector(kind: "Node"))),
            Check(name: "More nodes than before", source: .get(ObjectSelector(kind: "Node")),
                  expectation: Expectation(count: .comparison(.greater, "${baselineNodes}"))),
            Check(name: "No plaintext Secret was committed", source: .workspace(WorkspaceRequest()),
                  expectation: Expectation(all: [.value(path: "{.plaintextSecrets[*]}", predicate: .count(.exactly(0)))])),
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = Self.fixtures.appendingPathComponent("kubectl-standin").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["KLAB_STANDIN_SNAPSHOTS"] = Self.fixtures.appendingPathComponent("cluster-snapshots/shop").path
        let options = KubectlCluster.Options(requestTimeout: 5, environment: environment, clusterWide: true)
        let grader = LiveGrader(labs: [lab], grading: ["baselines"], options: options)

        let grade = try grader.gradeLab(lab, invocation: LabInvocation(namespace: "default"), cluster: KubectlCluster(options: options))
        XCTAssertEqual(grade.steps.map(\.status), [.passed], "the one check evaluated passes")
        XCTAssertEqual(grade.notEvaluated, [
            #"More nodes than before: needs ${baselineNodes}, which step "scale" captures, and no value of it is known here (live grading reads no step captures; klab lab test takes --capture baselineNodes=VALUE)"#,
            "No plaintext Secret was committed: no workspace to read here: a workspace check is evaluated by klab verify, and graded from the evidence it records",
        ])

        let report = ClassGrade(mode: "live", labs: ["baselines"], steps: ["baselines": ["scale"]], learners: [
            LearnerGrade(learner: "ada", source: "default", labs: [grade], flags: []),
            LearnerGrade(learner: "ben", source: "ben", labs: [grade], flags: []),
        ])
        let table = TableReport.render(report)
        XCTAssertTrue(table.contains("\nNot evaluated (the points are what the other checks earned):\n  baselines: More nodes than before: needs ${baselineNodes}"), table)
        XCTAssertEqual(table.components(separatedBy: "baselines: No plaintext Secret").count, 2, "said once per lab, not per learner: \(table)")
        XCTAssertTrue(JSONReport.render(report).contains(#""notEvaluated": ["#), JSONReport.render(report))
    }
}
