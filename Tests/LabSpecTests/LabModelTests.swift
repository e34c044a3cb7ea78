import Foundation
import XCTest
@testable import LabSpec

final class LabModelTests: XCTestCase {
    func testDefaultsIncludeNamespaceAndDeclaredParameters() {
        let lab = Lab(
            id: "health-probes", title: "Probes",
            parameters: [LabParameter(name: "replicas", defaultValue: "3")],
            directory: URL(fileURLWithPath: "/labs/health-probes"),
            contentDirectory: URL(fileURLWithPath: "/content/health-probes")
        )
        XCTAssertEqual(lab.defaultParameters, ["replicas": "3", "namespace": "default"])
    }

    func testStepContentDefaultsToStepId() {
        XCTAssertEqual(LabStep(id: "liveness", title: "t").content, "liveness.md")
    }

    func testComparisonOperators() {
        XCTAssertTrue(ComparisonOperator.greaterOrEqual.holds(3, 3))
        XCTAssertFalse(ComparisonOperator.greater.holds(3, 3))
        XCTAssertTrue(ComparisonOperator.notEqual.holds("a", "b"))
    }
}

final class CommandRenderingTests: XCTestCase {
    func testStepCommandsShowTheLearnersValues() throws {
        let lab = Lab(
            id: "fargate", title: "Fargate",
            parameters: [LabParameter(name: "cluster", defaultValue: "eksworkshop"), LabParameter(name: "namespace", defaultValue: "2048-game")],
            steps: [LabStep(id: "profile", title: "Profile", commands: ["eksctl create fargateprofile --cluster {{cluster}} --namespace {{namespace}}"])],
            directory: URL(fileURLWithPath: "/labs/fargate"), contentDirectory: URL(fileURLWithPath: "/content/fargate"))
        let resolved = try lab.resolved(parameters: ["namespace": "games"])
        XCTAssertEqual(resolved.steps[0].commands, ["eksctl create fargateprofile --cluster eksworkshop --namespace games"])
    }
}

/// A grader resolves only the step it re-checks: every shipped lab's steps resolve, one at a
/// time, to the checks the whole lab's resolution gives them, for the defaults and for a
/// learner's own values; a step the lab lacks is nil and a parameter it lacks is refused.
final class StepResolutionTests: XCTestCase {
    func testOneStepResolvesAsTheWholeLabDoes() throws {
        let labs = try LabLoader(labsDirectory: Fixtures.repository.appendingPathComponent("labs")).loadAll()
        XCTAssertGreaterThanOrEqual(labs.count, 20)
        var compared = 0
        for lab in labs {
            for overrides in [[:], ["namespace": "team-7", "learner": "ada"]] {
                let values = try lab.parameterValues(overrides)
                let whole = try lab.resolved(parameters: values)
                for step in lab.steps {
                    XCTAssertEqual(try lab.resolvedChecks(ofStep: step.id, parameters: values), whole.step(step.id)?.checks, "\(lab.id)/\(step.id)")
                    compared += 1
                }
            }
            XCTAssertNil(try lab.resolvedChecks(ofStep: "no-such-step"))
            XCTAssertThrowsError(try lab.resolvedChecks(ofStep: lab.steps[0].id, parameters: ["no-such-parameter": "1"]))
        }
        XCTAssertGreaterThan(compared, 100)
    }
}
