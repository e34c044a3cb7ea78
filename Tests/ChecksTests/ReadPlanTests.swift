import KubeCore
import LabSpec
import XCTest
@testable import Checks

/// Which lists a step's checks read together (one kubectl process each batch), and which lists
/// their joins are known to read before any object is.
final class ReadPlanTests: XCTestCase {
    private func kinds(_ names: String...) -> [KindReference] { names.map { KindReference(kind: $0) } }
    private let builtIn: (KindReference) -> Bool = { $0.info.map { !$0.namespaced } ?? false }
    private let builtInSelector: (ObjectSelector) -> Bool = { KubernetesKinds.info(named: $0.kind).map { !$0.namespaced } ?? false }

    func testTheKindsOfOneNamespaceShareABatchAndClusterKindsRideWithTheFirst() {
        let plan = ReadPlan([
            ObjectSelector(kind: "Deployment"), ObjectSelector(apiVersion: "apps/v1", kind: "Deployment", name: "web"),
            ObjectSelector(kind: "Pod", labels: "app=web"), ObjectSelector(kind: "Node"),
            ObjectSelector(kind: "PersistentVolume", namespace: .named("ignored")),
        ], labNamespace: "shop", isClusterScoped: builtIn)
        XCTAssertEqual(plan.batches, [ReadPlan.Batch(namespace: "shop", kinds: kinds("Deployment", "Pod", "Node", "PersistentVolume"))])
        XCTAssertEqual(plan.readAhead, plan.batches)
    }

    func testEachNamespaceIsABatchAndOnlyBatchesOfSeveralListsAreReadAhead() {
        let plan = ReadPlan([
            ObjectSelector(kind: "Deployment", name: "coredns", namespace: .named("kube-system")),
            ObjectSelector(kind: "Service"), ObjectSelector(kind: "Pod"),
            ObjectSelector(kind: "DaemonSet", namespace: .all), ObjectSelector(kind: "ClusterRole"),
        ], labNamespace: "shop", isClusterScoped: builtIn)
        XCTAssertEqual(plan.batches, [
            ReadPlan.Batch(namespace: nil, kinds: kinds("DaemonSet", "ClusterRole")),
            ReadPlan.Batch(namespace: "kube-system", kinds: kinds("Deployment")),
            ReadPlan.Batch(namespace: "shop", kinds: kinds("Service", "Pod")),
        ])
        XCTAssertEqual(plan.readAhead.map(\.namespace), [nil, "shop"])
    }

    func testOnlyClusterKindsMakeOneBatchAndListsReadAlreadyAreLeftOut() {
        let clusterOnly = ReadPlan([ObjectSelector(kind: "Node"), ObjectSelector(kind: "StorageClass")],
                                   labNamespace: "shop", isClusterScoped: builtIn)
        XCTAssertEqual(clusterOnly.batches, [ReadPlan.Batch(namespace: "shop", kinds: kinds("Node", "StorageClass"))])
        let rest = ReadPlan([ObjectSelector(kind: "Node"), ObjectSelector(kind: "Pod"), ObjectSelector(kind: "Service")],
                            labNamespace: "shop", isClusterScoped: builtIn,
                            isRead: { $0.kind == "Node" && $1 == nil || $0.kind == "Pod" && $1 == "shop" })
        XCTAssertEqual(rest.batches, [ReadPlan.Batch(namespace: "shop", kinds: kinds("Service"))])
        XCTAssertTrue(rest.readAhead.isEmpty)
    }

    func testJoinsReadBesideTheObjectTheyStartFrom() {
        let expectation = Expectation(all: [
            .join(Join(relation: .pods, expectation: Expectation(all: [.join(Join(relation: .node, expectation: Expectation()))]))),
            .join(Join(relation: .endpoints, expectation: Expectation())),
        ], any: [
            .join(Join(relation: .selector(ObjectSelector(kind: "PersistentVolume", name: "{.spec.volumeName}")), expectation: Expectation())),
        ], none: [
            .join(Join(relation: .selector(ObjectSelector(kind: "ConfigMap", namespace: .named("kube-system"))), expectation: Expectation())),
        ])
        let found = ReadPlan.joinSelectors(expectation, from: ObjectSelector(kind: "Service", namespace: .named("game")),
                                           isClusterScoped: builtInSelector)
        XCTAssertEqual(found, [
            ObjectSelector(kind: "Pod", namespace: .named("game")), ObjectSelector(kind: "Node", namespace: .all),
            ObjectSelector(kind: "Endpoints", namespace: .named("game")), ObjectSelector(kind: "PersistentVolume", namespace: .named("game")),
            ObjectSelector(kind: "ConfigMap", namespace: .named("kube-system")),
        ])
        // From the lab's namespace, and from objects that have none (the lab's namespace too).
        XCTAssertEqual(ReadPlan.joinSelectors(expectation, from: ObjectSelector(kind: "Deployment"), isClusterScoped: builtInSelector).first,
                       ObjectSelector(kind: "Pod", namespace: .lab))
        XCTAssertEqual(ReadPlan.joinSelectors(Expectation(all: [.join(Join(relation: .pods, expectation: Expectation()))]),
                                              from: ObjectSelector(kind: "Node", namespace: .named("x")), isClusterScoped: builtInSelector),
                       [ObjectSelector(kind: "Pod", namespace: .lab)])
    }

    func testJoinsWhoseListIsKnownOnlyFromTheObjectAreLeftToTheirEvaluation() {
        let expectation = Expectation(all: [
            .join(Join(relation: .pods, expectation: Expectation())),
            .join(Join(relation: .selector(ObjectSelector(kind: "{.spec.scaleTargetRef.kind}")), expectation: Expectation())),
            .join(Join(relation: .selector(ObjectSelector(kind: "Secret", namespace: .named("{.spec.namespace}"))), expectation: Expectation())),
        ])
        // Objects of every namespace: where their pods are is not known ahead.
        XCTAssertEqual(ReadPlan.joinSelectors(expectation, from: ObjectSelector(kind: "Deployment", namespace: .all),
                                              isClusterScoped: builtInSelector), [])
        XCTAssertEqual(ReadPlan.joinSelectors(expectation, from: ObjectSelector(kind: "Deployment"), isClusterScoped: builtInSelector),
                       [ObjectSelector(kind: "Pod", namespace: .lab)])
    }

    func testTheEvaluatorPlansJoinsAndExecPodsButNotWhatWaitsForACapture() {
        let checks = [
            Check(name: "svc", source: get("Service", "web"), expectation: Expectation(all: [
                .join(Join(relation: .pods, expectation: Expectation())),
            ])),
            Check(name: "claims", source: get("PersistentVolumeClaim", labels: "app=db"), expectation: Expectation(all: [
                .join(Join(relation: .selector(ObjectSelector(kind: "PersistentVolume", name: "{.spec.volumeName}")), expectation: Expectation())),
            ])),
            Check(name: "exec", source: .exec(ExecRequest(labels: "app=web", command: ["true"]))),
            Check(name: "later", source: get("ConfigMap", "${name}")),
        ]
        let selectors = CheckEvaluator.selectors(checks, captures: [:], isClusterScoped: builtInSelector)
        let plan = ReadPlan(selectors, labNamespace: "shop", isClusterScoped: builtIn)
        XCTAssertEqual(plan.batches, [ReadPlan.Batch(namespace: "shop", kinds: kinds("Service", "Pod", "PersistentVolumeClaim", "PersistentVolume"))])
        let captured = ReadPlan(CheckEvaluator.selectors(checks, captures: ["name": "settings"], isClusterScoped: builtInSelector),
                                labNamespace: "shop", isClusterScoped: builtIn)
        XCTAssertEqual(captured.batches.first?.kinds.last, KindReference(kind: "PersistentVolume"))
        XCTAssertTrue(captured.batches.first?.kinds.contains(KindReference(kind: "ConfigMap")) ?? false)
    }

    func testAValueOnlyTheExpectationWaitsForKeepsTheReadInThePlan() {
        // pod-autoscaling's step load: the autoscaler's check compares with a time the pod's
        // check captures on the way; what it reads is known before.
        let checks = [
            Check(name: "pod", source: get("Pod", "load-generator")),
            Check(name: "hpa", source: get("HorizontalPodAutoscaler", "php-apache"), expectation: Expectation(all: [
                value("{.status.lastScaleTime}", .time(.greaterOrEqual, "${loadStartedAt}")),
                .join(Join(relation: .selector(ObjectSelector(kind: "${targetKind}")), expectation: Expectation())),
                .join(Join(relation: .selector(ObjectSelector(kind: "Deployment", namespace: .named("${where}"))), expectation: Expectation())),
            ])),
            Check(name: "by capture", source: get("Deployment", "${target}")),
        ]
        let plan = ReadPlan(CheckEvaluator.selectors(checks, captures: [:], isClusterScoped: builtInSelector),
                            labNamespace: "default", isClusterScoped: builtIn)
        XCTAssertEqual(plan.batches, [ReadPlan.Batch(namespace: "default", kinds: kinds("Pod", "HorizontalPodAutoscaler"))])
        let captured = ReadPlan(CheckEvaluator.selectors(checks, captures: ["targetKind": "Deployment", "where": "web", "target": "php"],
                                                         isClusterScoped: builtInSelector),
                                labNamespace: "default", isClusterScoped: builtIn)
        XCTAssertEqual(captured.batches, [
            ReadPlan.Batch(namespace: "default", kinds: kinds("Pod", "HorizontalPodAutoscaler", "Deployment")),
            ReadPlan.Batch(namespace: "web", kinds: kinds("Deployment")),
        ])
    }

    func testAKindReadInEveryNamespaceIsNotReadAgainInOne() {
        // calico-network-policy's step allow-ui: policies in stars, in client, and in any namespace.
        let plan = ReadPlan([
            ObjectSelector(kind: "NetworkPolicy", name: "allow-ui", namespace: .named("stars")),
            ObjectSelector(kind: "NetworkPolicy", name: "allow-ui", namespace: .named("client")),
            ObjectSelector(kind: "NetworkPolicy", namespace: .all), ObjectSelector(kind: "Service", namespace: .named("stars")),
        ], labNamespace: "stars", isClusterScoped: builtIn)
        XCTAssertEqual(plan.batches, [ReadPlan.Batch(namespace: nil, kinds: kinds("NetworkPolicy"), servesNamespaces: true),
                                      ReadPlan.Batch(namespace: "stars", kinds: kinds("Service"))])
        XCTAssertEqual(plan.readAhead, [plan.batches[0]], "read first, it spares two reads")
        // Once it is read, nothing of that kind is planned again.
        let later = ReadPlan([ObjectSelector(kind: "NetworkPolicy", namespace: .named("client"))], labNamespace: "stars",
                             isClusterScoped: builtIn, isRead: { $0.kind == "NetworkPolicy" && $1 == nil })
        XCTAssertEqual(later.batches.map(\.kinds), [kinds("NetworkPolicy")], "ReadPlan alone is told exact lists; ClusterReader says the rest")
    }
}
