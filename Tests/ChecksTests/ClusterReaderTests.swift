import KubeCore
import KubeJSON
import LabSpec
import XCTest
@testable import Checks

final class ClusterReaderTests: XCTestCase {
    private func reader() throws -> (ClusterReader, CountingCluster) {
        let counting = CountingCluster(try SnapshotCluster(directory: ClusterFixtures.shop))
        return (ClusterReader(cluster: counting, labNamespace: "shop"), counting)
    }

    func testSelectsByNameLabelsAndFieldsInTheLabNamespace() throws {
        let (reader, _) = try reader()
        let byName = try reader.select(ObjectSelector(kind: "Pod", name: "redis-0"))
        XCTAssertEqual(ClusterFixtures.names(byName.objects), ["redis-0"])
        XCTAssertEqual(byName.candidates.count, 3)
        XCTAssertEqual(byName.namespace, "shop")

        let byLabels = try reader.select(ObjectSelector(kind: "Pod", labels: "app=web,!canary"))
        XCTAssertEqual(ClusterFixtures.names(byLabels.objects), ["web-7d4b9c8f6-abcde"])

        let byFields = try reader.select(ObjectSelector(kind: "Pod", fields: "status.phase=Running,spec.hostNetwork=false"))
        XCTAssertEqual(ClusterFixtures.names(byFields.objects), ["web-7d4b9c8f6-abcde"])

        let both = try reader.select(ObjectSelector(kind: "Pod", labels: "tier in (frontend)", fields: "status.phase!=Running"))
        XCTAssertEqual(ClusterFixtures.names(both.objects), ["web-7d4b9c8f6-fghij"])
    }

    func testNoMatchStillListsTheCandidates() throws {
        let (reader, _) = try reader()
        let selection = try reader.select(ObjectSelector(kind: "Pod", labels: "app=api"))
        XCTAssertEqual(selection.objects, [])
        XCTAssertEqual(selection.candidates.count, 3)
        XCTAssertEqual(selection.kind, KindReference(kind: "Pod"))
    }

    func testOneListPerKindAndScopeSharedByEveryCheck() throws {
        let (reader, counting) = try reader()
        _ = try reader.select(ObjectSelector(kind: "Pod", name: "redis-0"))
        _ = try reader.select(ObjectSelector(kind: "pods", labels: "app=web"))
        _ = try reader.select(ObjectSelector(apiVersion: "v1", kind: "Pod", fields: "status.phase=Running"))
        _ = try reader.select(ObjectSelector(kind: "Pod", namespace: .named("shop")))
        _ = try reader.select(ObjectSelector(kind: "Deployment"))
        _ = try reader.select(ObjectSelector(apiVersion: "apps/v1", kind: "deploy"))
        XCTAssertEqual(counting.lists, ["Pod shop", "Deployment shop"])
    }

    func testAnAllNamespacesListServesEachNamespace() throws {
        let (reader, counting) = try reader()
        let all = try reader.select(ObjectSelector(kind: "Pod", namespace: .all))
        XCTAssertEqual(all.objects.count, 4)
        XCTAssertNil(all.namespace)
        let system = try reader.select(ObjectSelector(kind: "Pod", namespace: .named("kube-system")))
        XCTAssertEqual(ClusterFixtures.names(system.objects), ["coredns-5d849c4789-xk2lp"])
        XCTAssertEqual(system.candidates.count, 1)
        XCTAssertEqual(counting.lists, ["Pod *"])
    }

    func testClusterScopedKindsIgnoreTheNamespace() throws {
        let (reader, counting) = try reader()
        let nodes = try reader.select(ObjectSelector(kind: "Node", labels: "eks.amazonaws.com/compute-type=fargate"))
        XCTAssertEqual(ClusterFixtures.names(nodes.objects), ["ip-192-168-40-2.us-west-2.compute.internal"])
        XCTAssertNil(nodes.namespace)
        _ = try reader.select(ObjectSelector(kind: "no", namespace: .named("elsewhere"), fields: "spec.unschedulable=true"))
        XCTAssertEqual(counting.lists, ["Node *"])
    }

    func testBadSelectorsThrowBeforeReading() throws {
        let (reader, counting) = try reader()
        XCTAssertThrowsError(try reader.select(ObjectSelector(kind: "Pod", labels: "app in (web"))) { error in
            XCTAssertEqual((error as? ClusterError)?.exitCode, 2)
            XCTAssertEqual(
                String(describing: error),
                "invalid label selector \"app in (web\": found '', expected: ',' or ')'; fix the check's labels")
        }
        XCTAssertThrowsError(try reader.select(ObjectSelector(kind: "Deployment", fields: "status.phase=Running"))) { error in
            XCTAssertEqual((error as? ClusterError)?.exitCode, 2)
            XCTAssertEqual(
                String(describing: error),
                "invalid field selector \"status.phase=Running\" for Deployment: field label not supported: status.phase; fix the check's fields")
        }
        XCTAssertEqual(counting.lists, [])
    }

    func testRefreshReadsAgain() throws {
        let (reader, counting) = try reader()
        _ = try reader.select(ObjectSelector(kind: "Pod"))
        reader.refresh()
        _ = try reader.select(ObjectSelector(kind: "Pod"))
        XCTAssertEqual(counting.lists, ["Pod shop", "Pod shop"])
    }

    func testObjectsAreTrimmedOfManagedFieldsAndLastAppliedConfiguration() throws {
        let (reader, _) = try reader()
        let deployment = try reader.select(ObjectSelector(kind: "Deployment")).objects[0]
        XCTAssertNil(deployment["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"])
        XCTAssertEqual(deployment["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"], .string("1"))
        let pod = try reader.select(ObjectSelector(kind: "Pod", name: "web-7d4b9c8f6-abcde")).objects[0]
        XCTAssertNil(pod["metadata"]?["managedFields"])
        XCTAssertEqual(pod["metadata"]?["labels"]?["app"], .string("web"))
    }

    // MARK: - Evidence

    private let selectors: [ObjectSelector] = [
        ObjectSelector(kind: "Pod", labels: "app=web"),
        ObjectSelector(kind: "Node", fields: "spec.unschedulable=false"),
        ObjectSelector(apiVersion: "apps/v1", kind: "Deployment", name: "web"),
        ObjectSelector(kind: "Secret", namespace: .all, fields: "type=kubernetes.io/tls"),
        ObjectSelector(kind: "Service"),
    ]

    private func readEverything(_ reader: ClusterReader) throws -> [Selection] {
        let selections = try selectors.map(reader.select)
        _ = try reader.exec(namespace: "shop", pod: "web-7d4b9c8f6-abcde", container: "web", command: ["printenv", "DB_HOST"])
        _ = try reader.http(url: "http://a1b2c3.elb.us-west-2.amazonaws.com/", timeout: 5)
        _ = try reader.command(["helm", "list", "-n", "shop", "-o", "json"])
        return selections
    }

    func testEvidenceReadBackAnswersTheSameSelectionsAndOutputs() throws {
        let (reader, _) = try reader()
        let original = try readEverything(reader)
        let evidence = reader.evidence
        XCTAssertEqual(evidence.paths, [
            "_all/Secret.json", "_cluster/Node.json",
            "outputs/command-\(Evidence.fnv1a("command helm list -n shop -o json")).json",
            "outputs/exec-\(Evidence.fnv1a("exec in pod shop/web-7d4b9c8f6-abcde (container web): printenv DB_HOST")).json",
            "outputs/http-\(Evidence.fnv1a("http GET http://a1b2c3.elb.us-west-2.amazonaws.com/")).json",
            "shop/Deployment.json", "shop/Pod.json", "shop/Service.json",
        ])
        let replay = ClusterReader(cluster: try SnapshotCluster(evidence: evidence), labNamespace: "shop")
        let again = try readEverything(replay)
        XCTAssertEqual(again, original)
        XCTAssertEqual(replay.evidence, evidence, "grading evidence again records the same evidence")
    }

    func testEvidenceIsTheSameBytesWhateverTheReadingOrder() throws {
        let (first, _) = try reader()
        _ = try readEverything(first)
        let (second, _) = try reader()
        for selector in selectors.reversed() { _ = try second.select(selector) }
        _ = try second.command(["helm", "list", "-n", "shop", "-o", "json"])
        _ = try second.http(url: "http://a1b2c3.elb.us-west-2.amazonaws.com/", timeout: 5)
        _ = try second.exec(namespace: "shop", pod: "web-7d4b9c8f6-abcde", container: "web", command: ["printenv", "DB_HOST"])
        XCTAssertEqual(first.evidence, second.evidence)
    }

    func testEvidenceListFileIsAStableKindList() throws {
        let (reader, _) = try reader()
        _ = try reader.select(ObjectSelector(kind: "Deployment"))
        let text = String(decoding: reader.evidence.files["shop/Deployment.json"]!, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    {\n      \"apiVersion\": \"apps/v1\","), text)
        XCTAssertTrue(text.hasSuffix("  \"kind\": \"List\"\n}\n"))
        XCTAssertFalse(text.contains("last-applied-configuration"))
    }

    func testEvidenceKeepsTheLatestReadingAfterRefresh() throws {
        let before = try SnapshotCluster(directory: try ClusterFixtures.folder([
            "cm.json": #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "n"}}"#,
        ]))
        let after = try SnapshotCluster(directory: try ClusterFixtures.folder([:]))
        let changing = ChangingCluster([before, after])
        let reader = ClusterReader(cluster: changing, labNamespace: "n")
        XCTAssertEqual(try reader.select(ObjectSelector(kind: "ConfigMap")).objects.count, 1)
        XCTAssertTrue(String(decoding: reader.evidence.files["n/ConfigMap.json"]!, as: UTF8.self).contains("\"a\""))
        reader.refresh()
        XCTAssertEqual(try reader.select(ObjectSelector(kind: "ConfigMap")).objects.count, 0)
        XCTAssertEqual(String(decoding: reader.evidence.files["n/ConfigMap.json"]!, as: UTF8.self),
                       "{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n  \"kind\": \"List\"\n}\n",
                       "the evidence is the reading the verdict was based on")
    }

    func testEvidenceNamesAnExplicitNonDefaultVersion() throws {
        let (reader, _) = try reader()
        _ = try reader.select(ObjectSelector(apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler"))
        XCTAssertEqual(reader.evidence.paths, ["shop/HorizontalPodAutoscaler.autoscaling_v1.json"])
    }
}
