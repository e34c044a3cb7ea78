import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// Joins from an object to related ones: a pod's node, a workload's or service's pods, a
/// service's endpoints, and any selector read from the object.
final class EvaluatorJoinTests: XCTestCase {
    private let game = NamespaceSelection.named("2048-game")

    func testNodeJoinShowsTheChainFromPodToNode() throws {
        let result = try EvaluatorFixtures.evaluate(Check(
            name: "fargate", source: get("Pod", namespace: game, labels: "app=2048"),
            expectation: Expectation(all: [.join(Join(relation: .node, expectation: Expectation(all: [
                value("{.metadata.labels.eks\\.amazonaws\\.com/compute-type}", .equals(.string("fargate"))),
            ])))])))
        XCTAssertEqual(result.message, [
            #"Pod 2048-game/2048-deployment-6d8c9b7f4-tq7vd → Node ip-192-168-12-34.us-west-2.compute.internal: .metadata.labels['eks.amazonaws.com/compute-type'] expected "fargate", found absent"#,
        ])
    }

    func testAnUnscheduledPodHasNoNode() throws {
        let result = try EvaluatorFixtures.evaluate(Check(
            name: "node", source: get("Pod", "liveness-app"),
            expectation: Expectation(all: [.join(Join(relation: .node, expectation: Expectation()))])))
        XCTAssertEqual(result.status, .passed, "liveness-app has a nodeName in the fixture")
        let object = json(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{}}"#)
        let lines = try ExpectationEvaluator(reader: EvaluatorFixtures.reader())
            .failures(of: [.join(Join(relation: .node, expectation: Expectation()))], on: object, label: "Pod default/p")
        XCTAssertEqual(lines, ["Pod default/p → has no .spec.nodeName (not scheduled to a node yet)"])
    }

    func testPodsOfAWorkloadFollowMatchLabelsAndMatchExpressions() throws {
        let fiveReady = Check(name: "pods", source: get("Deployment", "2048-deployment", namespace: game), expectation: Expectation(all: [
            .join(Join(relation: .pods, expectation: Expectation(count: .exactly(5)))),
        ]))
        XCTAssertEqual(try EvaluatorFixtures.evaluate(fiveReady).message, [
            "apps/v1 Deployment 2048-game/2048-deployment → expected 5 Pods with labels app=2048 in namespace 2048-game, found 3",
        ])
        let readiness = Check(name: "pods", source: get("Deployment", "readiness-deployment"), expectation: Expectation(all: [
            .join(Join(relation: .pods, expectation: Expectation(count: .exactly(1), all: [
                value("{.metadata.name}", .matches("^readiness-deployment-[a-z0-9]+-[a-z0-9]{5}$")),
            ]))),
        ]))
        XCTAssertEqual(try EvaluatorFixtures.evaluate(readiness).status, .passed)
        XCTAssertEqual(ExpectationEvaluator.labelSelector(json(#"{"matchLabels":{"app":"a"},"matchExpressions":[{"key":"tier","operator":"In","values":["web","api"]},{"key":"canary","operator":"DoesNotExist"},{"key":"zone","operator":"NotIn","values":["x"]},{"key":"gpu","operator":"Exists"}]}"#).objectValue!),
                       "app=a,tier in (web,api),!canary,zone notin (x),gpu")
    }

    func testPodsAndEndpointsOfAService() throws {
        let result = try EvaluatorFixtures.evaluate(Check(name: "svc", source: get("Service", "service-2048", namespace: game), expectation: Expectation(all: [
            .join(Join(relation: .pods, expectation: Expectation(count: .exactly(3), all: [value("{.status.podIP}", .cidr("192.168.0.0/16"))]))),
            .join(Join(relation: .endpoints, expectation: Expectation(all: [value("{.subsets[0].addresses[*].ip}", .cidr("192.168.100.0/22"))]))),
        ])))
        XCTAssertEqual(result.message, [
            #"Service 2048-game/service-2048 → Endpoints 2048-game/service-2048: .subsets[0].addresses[2].ip expected an IP in 192.168.100.0/22, found "192.168.12.40""#,
        ])
    }

    func testSelectorJoinReadsItsTemplatesFromTheObject() throws {
        // Each 2048 pod shares its node with a pod of the readiness deployment: only the EC2 one does.
        let beside = Check(name: "beside", source: get("Pod", namespace: game, labels: "app=2048"), expectation: Expectation(all: [
            .join(Join(relation: .selector(ObjectSelector(kind: "Pod", namespace: .named("default"), labels: "app=readiness-deployment",
                                                          fields: "spec.nodeName={.spec.nodeName}")),
                       expectation: Expectation(count: .range(min: 1, max: nil)))),
        ]))
        let result = try EvaluatorFixtures.evaluate(beside)
        XCTAssertEqual(result.message.count, 2)
        XCTAssertEqual(result.message.first, "Pod 2048-game/2048-deployment-6d8c9b7f4-4kq8z → expected at least 1 Pod with labels app=readiness-deployment and fields spec.nodeName=fargate-ip-192-168-101-12.us-west-2.compute.internal in namespace default, found 0; 2 Pods in the namespace, the closest: default/readiness-deployment-5b8c9d7f6-2hx4k (spec.nodeName=ip-192-168-12-34.us-west-2.compute.internal)")
        // Without a namespace, the related objects are looked for beside the current object.
        let sameNamespace = Check(name: "same", source: get("Pod", "liveness-app", namespace: .named("default")), expectation: Expectation(all: [
            .join(Join(relation: .selector(ObjectSelector(kind: "Pod", fields: "spec.nodeName={.spec.nodeName}")),
                       expectation: Expectation(count: .exactly(2)))),
        ]))
        XCTAssertEqual(try EvaluatorFixtures.evaluate(sameNamespace, namespace: "2048-game").status, .passed)
    }
}
