import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// Counts, absence and the quantifiers over selected objects, on the `game` snapshot.
final class EvaluatorSelectionTests: XCTestCase {
    private let game = NamespaceSelection.named("2048-game")

    func testCountsSayWhatWasExpectedAndFound() throws {
        let five = try EvaluatorFixtures.evaluate(Check(name: "five", source: get("Pod", namespace: game, labels: "app=2048"),
                                                        expectation: Expectation(count: .exactly(5))))
        XCTAssertEqual(five.status, .failed)
        XCTAssertEqual(five.message, ["expected 5 Pods with labels app=2048 in namespace 2048-game, found 3"])
        let three = try EvaluatorFixtures.evaluate(Check(name: "three", source: get("Pod", namespace: game, labels: "app=2048"),
                                                         expectation: Expectation(count: .exactly(3))))
        XCTAssertEqual(three.status, .passed)
        let range = try EvaluatorFixtures.evaluate(Check(name: "range", source: get("Node"), expectation: Expectation(count: .range(min: 4, max: nil))))
        XCTAssertEqual(range.message, ["expected at least 4 Nodes, found 3"])
        let between = try EvaluatorFixtures.evaluate(Check(name: "between", source: get("Node"), expectation: Expectation(count: .range(min: 1, max: 2))))
        XCTAssertEqual(between.message, ["expected between 1 and 2 Nodes, found 3"])
        let more = try EvaluatorFixtures.evaluate(Check(name: "more", source: get("Node"), expectation: Expectation(count: .comparison(.greater, "3"))))
        XCTAssertEqual(more.message, ["expected more than 3 Nodes, found 3"])
        let ok = try EvaluatorFixtures.evaluate(Check(name: "ok", source: get("Node"), expectation: Expectation(count: .comparison(.greaterOrEqual, " 3"))))
        XCTAssertEqual(ok.status, .passed)
    }

    func testAZeroCountNamesTheClosestCandidate() throws {
        let result = try EvaluatorFixtures.evaluate(Check(name: "web", source: get("Pod", namespace: game, labels: "app=2049"),
                                                          expectation: Expectation(count: .range(min: 1, max: nil))))
        XCTAssertEqual(result.message, ["expected at least 1 Pod with labels app=2049 in namespace 2048-game, found 0; 3 Pods in the namespace, the closest: 2048-game/2048-deployment-6d8c9b7f4-4kq8z (app=2048)"])
    }

    func testNothingSelectedNamesTheNamespaceAndTheClosestCandidate() throws {
        let byLabel = try EvaluatorFixtures.evaluate(Check(name: "web", source: get("Pod", labels: "app=readiness-deploymnet"),
                                                           expectation: Expectation(all: [value("{.status.phase}", .equals(.string("Running")))])))
        XCTAssertEqual(byLabel.message, ["no Pods with labels app=readiness-deploymnet in namespace default; 2 Pods in the namespace, the closest: default/readiness-deployment-5b8c9d7f6-2hx4k (app=readiness-deployment)"])
        let byName = try EvaluatorFixtures.evaluate(Check(name: "app", source: get("Pod", "liveness-ap")))
        XCTAssertEqual(byName.message, ["no Pod liveness-ap in namespace default; 2 Pods in the namespace, the closest: default/liveness-app"])
        let elsewhere = try EvaluatorFixtures.evaluate(Check(name: "shop", source: get("Pod", namespace: .named("shop"), labels: "app=web")))
        XCTAssertEqual(elsewhere.message, ["no Pods with labels app=web in namespace shop; there are no Pods in the namespace"])
        let byField = try EvaluatorFixtures.evaluate(Check(name: "running", source: get("Pod", labels: "app=liveness", fields: "status.phase=Running")))
        XCTAssertEqual(byField.message, ["no Pods with labels app=liveness and fields status.phase=Running in namespace default; 2 Pods in the namespace, the closest: default/liveness-app (status.phase=Pending)"])
    }

    func testTheClosestCandidateShowsTheFieldValueTheSelectorCompared() throws {
        // An absent boolean field is compared as "false"; the message said "" (it walked the
        // path itself instead of reading the field as the selector does).
        let host = try EvaluatorFixtures.evaluate(Check(name: "host", source: get("Pod", labels: "app=liveness", fields: "spec.hostNetwork=true")))
        XCTAssertEqual(host.message, ["no Pods with labels app=liveness and fields spec.hostNetwork=true in namespace default; 2 Pods in the namespace, the closest: default/liveness-app (spec.hostNetwork=false)"])
    }

    func testAbsentListsWhatIsThere() throws {
        let result = try EvaluatorFixtures.evaluate(Check(name: "gone", source: get("Pod", namespace: game), expectation: Expectation(absent: true)))
        XCTAssertEqual(result.message, ["expected no Pods in namespace 2048-game, found 3: 2048-game/2048-deployment-6d8c9b7f4-4kq8z, 2048-game/2048-deployment-6d8c9b7f4-9xw2m, 2048-game/2048-deployment-6d8c9b7f4-tq7vd"])
        XCTAssertEqual(try EvaluatorFixtures.evaluate(Check(name: "none", source: get("Pod", "nginx"), expectation: Expectation(absent: true))).status, .passed)
    }

    func testExpectHoldsForEveryObjectAndNamesEachThatFails() throws {
        let running = try EvaluatorFixtures.evaluate(Check(name: "running", source: get("Pod"),
                                                           expectation: Expectation(all: [value("{.status.phase}", .equals(.string("Running")))])))
        XCTAssertEqual(running.message, [#"Pod default/liveness-app: .status.phase expected "Running", found "Pending""#])
        let restarted = try EvaluatorFixtures.evaluate(Check(
            name: "restarted", source: get("Pod", labels: "app=readiness-deployment"),
            expectation: Expectation(all: [value("{.status.containerStatuses[0].restartCount}", .compare(.greaterOrEqual, "1"))])))
        XCTAssertEqual(restarted.message, ["Pod default/readiness-deployment-5b8c9d7f6-2hx4k: .status.containerStatuses[0].restartCount expected >= 1, found 0"])
    }

    func testAnyNeedsOneObjectAndShowsTheClosestOtherwise() throws {
        let pending = try EvaluatorFixtures.evaluate(Check(name: "pending", source: get("Pod"),
                                                           expectation: Expectation(any: [value("{.status.phase}", .equals(.string("Pending")))])))
        XCTAssertEqual(pending.status, .passed)
        let failed = try EvaluatorFixtures.evaluate(Check(name: "failed", source: get("Pod"), expectation: Expectation(any: [
            value("{.status.phase}", .equals(.string("Running"))), value("{.metadata.labels.app}", .equals(.string("liveness"))),
        ])))
        XCTAssertEqual(failed.message, [
            "expected at least one Pod to satisfy every `any` assertion, but none of the 2 Pods selected does; the closest:",
            #"  Pod default/liveness-app: .status.phase expected "Running", found "Pending""#,
        ])
        // One object selected: the sentence still says it fails ("does not"), not that it holds.
        let single = try EvaluatorFixtures.evaluate(Check(name: "single", source: get("Pod", "liveness-app"), expectation: Expectation(any: [
            value("{.status.phase}", .equals(.string("Running"))),
        ])))
        XCTAssertEqual(single.message, [
            "expected at least one Pod to satisfy every `any` assertion, but the one Pod selected does not; the closest:",
            #"  Pod default/liveness-app: .status.phase expected "Running", found "Pending""#,
        ])
    }

    func testNoneNamesEachObjectThatMatches() throws {
        let result = try EvaluatorFixtures.evaluate(Check(name: "no ec2", source: get("Pod", namespace: game), expectation: Expectation(none: [
            value("{.spec.nodeName}", .matches("^ip-")),
        ])))
        XCTAssertEqual(result.message, ["Pod 2048-game/2048-deployment-6d8c9b7f4-tq7vd: expected no Pod where .spec.nodeName matches /^ip-/, but this one is"])
    }

    func testDistinctComparesValuesBetweenObjects() throws {
        let nodes = try EvaluatorFixtures.evaluate(Check(name: "spread", source: get("Pod", namespace: game), expectation: Expectation(distinct: ["{.spec.nodeName}"])))
        XCTAssertEqual(nodes.status, .passed)
        let zones = try EvaluatorFixtures.evaluate(Check(name: "zones", source: get("Node"), expectation: Expectation(distinct: ["{.metadata.labels.topology\\.kubernetes\\.io/zone}"])))
        XCTAssertEqual(zones.message, [#"expected .metadata.labels['topology.kubernetes.io/zone'] to differ between the selected objects, found "us-west-2a" for both Node fargate-ip-192-168-101-12.us-west-2.compute.internal and ip-192-168-12-34.us-west-2.compute.internal"#])
    }

    func testAGetWithoutExpectationsNeedsOneObject() throws {
        XCTAssertEqual(try EvaluatorFixtures.evaluate(Check(name: "exists", source: get("Deployment", "readiness-deployment"))).status, .passed)
        XCTAssertEqual(try EvaluatorFixtures.evaluate(Check(name: "missing", source: get("Deployment", "readiness"))).status, .failed)
    }

    func testConditionsAndPartialObjectsOnSelectedObjects() throws {
        let available = try EvaluatorFixtures.evaluate(Check(name: "available", source: get("Deployment", "2048-deployment", namespace: game),
                                                             expectation: Expectation(all: [.condition(type: "Available", status: "True", reason: nil)])))
        XCTAssertEqual(available.message, ["apps/v1 Deployment 2048-game/2048-deployment: expected condition Available=True, found Available=False (MinimumReplicasUnavailable: Deployment does not have minimum availability.)"])
        let partial = try EvaluatorFixtures.evaluate(Check(name: "partial", source: get("Deployment", "readiness-deployment"), expectation: Expectation(all: [
            .partial(json(#"{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"readiness-deployment","image":"alpine"}]}}}}"#), anyOrder: false),
        ])))
        XCTAssertEqual(partial.message, ["apps/v1 Deployment default/readiness-deployment: .spec.replicas expected 3, found 1"])
    }

    func testAnInvalidSelectorIsTheLabsFaultAndThrows() throws {
        XCTAssertThrowsError(try EvaluatorFixtures.evaluate(Check(name: "bad", source: get("Pod", labels: "app in (")))) { error in
            XCTAssertEqual((error as? ClusterError)?.exitCode, 2)
        }
    }
}
