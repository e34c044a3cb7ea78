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
