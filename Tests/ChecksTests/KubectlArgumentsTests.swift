import KubeCore
import XCTest
@testable import Checks

final class KubectlArgumentsTests: XCTestCase {
    func testGetInANamespace() {
        XCTAssertEqual(
            KubectlArguments.get(kind: KindReference(kind: "Pod"), scope: .namespace("shop")),
            ["get", "pods", "-n", "shop", "-o", "json"])
    }

    func testGetAcrossNamespacesAndClusterScoped() {
        XCTAssertEqual(
            KubectlArguments.get(kind: KindReference(kind: "Pod"), scope: .allNamespaces),
            ["get", "pods", "--all-namespaces", "-o", "json"])
        XCTAssertEqual(
            KubectlArguments.get(kind: KindReference(kind: "Node"), scope: .cluster),
            ["get", "nodes", "-o", "json"])
    }

    func testConnectionFlagsComeLastAndOnlyWhenSet() {
        let connection = KubectlArguments.Connection(context: "eks-prod", kubeconfig: "/home/me/.kube/class", requestTimeout: 10)
        XCTAssertEqual(
            KubectlArguments.get(kind: KindReference(kind: "Deployment", apiVersion: "apps/v1"), scope: .namespace("shop"), connection: connection),
            ["get", "deployments.v1.apps", "-n", "shop", "-o", "json", "--request-timeout=10s",
             "--context=eks-prod", "--kubeconfig=/home/me/.kube/class"])
        XCTAssertEqual(
            KubectlArguments.get(kind: KindReference(kind: "Pod"), scope: .cluster, connection: .init(requestTimeout: 1.5)),
            ["get", "pods", "-o", "json", "--request-timeout=1500ms"])
    }

    func testResourceNamesAreQualifiedByGroup() {
        let cases: [(KindReference, String)] = [
            (KindReference(kind: "Pod"), "pods"),
            (KindReference(kind: "Pod", apiVersion: "v1"), "pods"),
            (KindReference(kind: "po"), "pods"),
            (KindReference(kind: "Deployment"), "deployments.apps"),
            (KindReference(kind: "deploy"), "deployments.apps"),
            (KindReference(kind: "Deployment", apiVersion: "apps/v1"), "deployments.v1.apps"),
            (KindReference(kind: "HorizontalPodAutoscaler", apiVersion: "autoscaling/v1"), "horizontalpodautoscalers.v1.autoscaling"),
            (KindReference(kind: "Ingress"), "ingresses.networking.k8s.io"),
            (KindReference(kind: "ClusterRole"), "clusterroles.rbac.authorization.k8s.io"),
            (KindReference(kind: "SealedSecret", apiVersion: "bitnami.com/v1alpha1"), "sealedsecret.v1alpha1.bitnami.com"),
            (KindReference(kind: "ENIConfig"), "eniconfig"),
        ]
        for (kind, resource) in cases {
            XCTAssertEqual(KubectlArguments.resource(for: kind), resource, kind.description)
        }
    }

    func testExecPutsTheCommandAfterDoubleDash() {
        XCTAssertEqual(
            KubectlArguments.exec(namespace: "shop", pod: "web-1", container: "app", command: ["sh", "-c", "echo -n hi"],
                                  connection: .init(context: "c")),
            ["exec", "-n", "shop", "web-1", "-c", "app", "--context=c", "--", "sh", "-c", "echo -n hi"])
        XCTAssertEqual(
            KubectlArguments.exec(namespace: "shop", pod: "web-1", container: nil, command: ["--version"]),
            ["exec", "-n", "shop", "web-1", "--", "--version"])
    }
}
