import Foundation
import LabSpec
import XCTest
@testable import Workspace

/// The one rule by which every command merges its flags, the started lab, the workspace, the
/// environment and the lab's defaults into the parameters of a run.
final class LabInvocationTests: XCTestCase {
    private let lab = Lab(
        id: "probes", title: "Probes",
        parameters: [LabParameter(name: "namespace", defaultValue: "shop"), LabParameter(name: "replicas", defaultValue: "2")],
        steps: [LabStep(id: "s", title: "s", checks: [
            Check(name: "in ${namespace} for ${learner}", source: .get(ObjectSelector(kind: "Pod", name: "web-${replicas}"))),
        ])],
        directory: URL(fileURLWithPath: "/tmp"), contentDirectory: URL(fileURLWithPath: "/tmp"))
    private let started = LabSettings(lab: "probes", namespace: "team-a", parameters: ["replicas": "5"], labDigest: "sha256:0")

    /// Each row: what is given, and the namespace, learner and replicas the run uses.
    func testPrecedence() throws {
        let rows: [(String, LabInvocation, namespace: String, learner: String, replicas: String)] = [
            ("the lab's defaults", LabInvocation(), "shop", "learner", "2"),
            ("-n", LabInvocation(namespace: "team-b"), "team-b", "learner", "2"),
            ("--set namespace=", LabInvocation(assignments: ["namespace": "team-c"]), "team-c", "learner", "2"),
            ("-n and --set namespace= agreeing", LabInvocation(assignments: ["namespace": "x"], namespace: "x"), "x", "learner", "2"),
            ("--set", LabInvocation(assignments: ["replicas": "3"]), "shop", "learner", "3"),
            ("--learner", LabInvocation(learner: "ada"), "shop", "ada", "2"),
            ("--set learner=", LabInvocation(assignments: ["learner": "ada"]), "shop", "ada", "2"),
            ("KLAB_LEARNER", LabInvocation(environment: ["KLAB_LEARNER": "grace"]), "shop", "grace", "2"),
            ("an empty KLAB_LEARNER is unset", LabInvocation(environment: ["KLAB_LEARNER": ""]), "shop", "learner", "2"),
            ("--learner over KLAB_LEARNER", LabInvocation(learner: "ada", environment: ["KLAB_LEARNER": "grace"]), "shop", "ada", "2"),
            ("the workspace's learner over KLAB_LEARNER",
             LabInvocation(workspaceLearner: "ada", environment: ["KLAB_LEARNER": "grace"]), "shop", "ada", "2"),
            ("--learner naming the workspace's learner", LabInvocation(learner: "ada", workspaceLearner: "ada"), "shop", "ada", "2"),
            ("the started lab over the defaults", LabInvocation(started: started, workspaceLearner: "ada"), "team-a", "ada", "5"),
            ("-n naming the started namespace", LabInvocation(namespace: "team-a", started: started), "team-a", "learner", "5"),
        ]
        for (name, invocation, namespace, learner, replicas) in rows {
            let parameters = try invocation.parameters(for: lab)
            XCTAssertEqual(parameters.namespace, namespace, name)
            XCTAssertEqual(parameters.learner, learner, name)
            XCTAssertEqual(parameters.values["replicas"], replicas, name)
            let resolved = try invocation.resolve(lab).lab
            XCTAssertEqual(resolved.steps[0].checks[0].name, "in \(namespace) for \(learner)", "\(name): the checks are resolved with the same values")
        }
    }

    func testWhatIsRefused() {
        let rows: [(String, LabInvocation, WorkspaceError)] = [
            ("-n and --set namespace= disagreeing", LabInvocation(assignments: ["namespace": "b"], namespace: "a"),
             .conflictingParameter(name: "namespace", first: "-n/--namespace a", second: "--set namespace=b")),
            ("--learner and --set learner= disagreeing", LabInvocation(assignments: ["learner": "b"], learner: "a"),
             .conflictingParameter(name: "learner", first: "--learner a", second: "--set learner=b")),
            ("-n other than the started namespace", LabInvocation(namespace: "team-b", started: started),
             .startedWithOtherValue(lab: "probes", name: "namespace", started: "team-a", asked: "team-b")),
            ("--set other than the started value", LabInvocation(assignments: ["replicas": "9"], started: started),
             .startedWithOtherValue(lab: "probes", name: "replicas", started: "5", asked: "9")),
            ("--learner other than the workspace's", LabInvocation(learner: "grace", workspaceLearner: "ada"),
             .belongsToAnotherLearner(owner: "ada", asked: "grace")),
        ]
        for (name, invocation, expected) in rows {
            XCTAssertThrowsError(try invocation.parameters(for: lab), name) { error in
                XCTAssertEqual(error as? WorkspaceError, expected, name)
            }
        }
        XCTAssertThrowsError(try LabInvocation(assignments: ["replica": "3"]).parameters(for: lab)) { error in
            guard case .unknownParameter("replica", _, _)? = error as? LabSpecError else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(WorkspaceError.startedWithOtherValue(lab: "probes", name: "namespace", started: "team-a", asked: "team-b").description
            .contains("klab start probes -n team-b"))
    }

    /// What start records: the chosen values, without the namespace and learner the settings
    /// and the workspace keep.
    func testRecordedParametersLeaveOutNamespaceAndLearner() throws {
        let parameters = try LabInvocation(assignments: ["replicas": "3"], namespace: "x", learner: "ada").parameters(for: lab)
        XCTAssertEqual(parameters.recorded, ["replicas": "3"])
        XCTAssertEqual(parameters.chosen, ["replicas": "3", "namespace": "x", "learner": "ada"])
    }
}
