import KubeCore
import KubeJSON
import XCTest
@testable import Checks

final class KubernetesKindsTests: XCTestCase {
    /// The index answers every name of the table, in any case, as a scan of the table in
    /// order does: the first entry whose kind, plural or a short name it is.
    func testEveryNameFindsWhatAScanInOrderFinds() {
        func scan(_ name: String) -> KindInfo? {
            let lower = name.lowercased()
            return KubernetesKinds.all.first { $0.kind.lowercased() == lower || $0.plural == lower || $0.shortNames.contains(lower) }
        }
        var names = ["", "nothing", "SealedSecret", "pods.", " pods"]
        for info in KubernetesKinds.all {
            names += [info.kind, info.kind.lowercased(), info.kind.uppercased(), info.plural, info.plural.uppercased()] + info.shortNames
        }
        for name in names {
            XCTAssertEqual(KubernetesKinds.info(named: name), scan(name), name)
        }
    }

    func testNamesResolveAsKubectlResolvesThem() {
        for name in ["Deployment", "deployment", "deployments", "deploy", "DEPLOY"] {
            XCTAssertEqual(KubernetesKinds.info(named: name)?.kind, "Deployment", name)
        }
        XCTAssertEqual(KubernetesKinds.info(named: "po")?.kind, "Pod")
        XCTAssertEqual(KubernetesKinds.info(named: "svc")?.kind, "Service")
        XCTAssertEqual(KubernetesKinds.info(named: "no")?.kind, "Node")
        XCTAssertEqual(KubernetesKinds.info(named: "hpa")?.apiVersion, "autoscaling/v2")
        XCTAssertNil(KubernetesKinds.info(named: "SealedSecret"))
    }

    func testClusterScopedKinds() {
        for kind in ["Node", "Namespace", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
                     "CustomResourceDefinition", "IngressClass", "PriorityClass"] {
            XCTAssertEqual(KubernetesKinds.isClusterScoped(kind: kind, group: nil), true, kind)
        }
        for kind in ["Pod", "Deployment", "Service", "Role", "RoleBinding", "PersistentVolumeClaim", "Event"] {
            XCTAssertEqual(KubernetesKinds.isClusterScoped(kind: kind, group: nil), false, kind)
        }
        XCTAssertNil(KubernetesKinds.isClusterScoped(kind: "ENIConfig", group: nil))
        XCTAssertNil(KubernetesKinds.isClusterScoped(kind: "Deployment", group: "example.com"),
                     "a Deployment of another group is not the built-in one")
    }

    func testTheDefaultClusterScopeAnswerComesFromTheTable() throws {
        let cluster = try SnapshotCluster(directory: try ClusterFixtures.folder([:]))
        XCTAssertEqual(cluster.isClusterScoped(KindReference(kind: "ns")), true)
        XCTAssertEqual(KubectlCluster().isClusterScoped(KindReference(kind: "Namespace")), true)
        XCTAssertEqual(KubectlCluster().isClusterScoped(KindReference(kind: "pods")), false)
        XCTAssertNil(KubectlCluster().isClusterScoped(KindReference(kind: "Widget")))
    }

    func testMatchingObjects() {
        XCTAssertTrue(KindReference(kind: "deploy").matches(apiVersion: "apps/v1", kind: "Deployment"))
        XCTAssertFalse(KindReference(kind: "deploy").matches(apiVersion: "apps/v1", kind: "DaemonSet"))
        XCTAssertTrue(KindReference(kind: "Deployment", apiVersion: "apps/v1").matches(apiVersion: "apps/v1", kind: "Deployment"))
        XCTAssertFalse(KindReference(kind: "Deployment", apiVersion: "apps/v1").matches(apiVersion: "apps/v1beta1", kind: "Deployment"))
        XCTAssertTrue(KindReference(kind: "eniconfigs").matches(apiVersion: "crd.k8s.amazonaws.com/v1alpha1", kind: "ENIConfig"))
        XCTAssertTrue(KindReference(kind: "networkpolicies").matches(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy"))
        XCTAssertTrue(KindReference(kind: "globalnetworkpolicies").matches(apiVersion: "crd.projectcalico.org/v1", kind: "GlobalNetworkPolicy"))
        XCTAssertFalse(KindReference(kind: "Widget").matches(apiVersion: "v1", kind: "Gadget"))
    }

    func testCanonicalSpelling() {
        XCTAssertEqual(KindReference(kind: "sts").canonical, KindReference(kind: "StatefulSet"))
        XCTAssertEqual(KindReference(kind: "Widget").canonical, KindReference(kind: "Widget"))
    }
}

final class RecordedOutputTests: XCTestCase {
    func testEachCallRoundTripsThroughItsFileFormat() {
        let outputs: [RecordedOutput] = [
            .exec(namespace: "shop", pod: "web-1", container: nil, command: ["cat", "/tmp/x"],
                  result: CommandOutput(exitCode: 1, stdout: "", stderr: "cat: /tmp/x: No such file or directory\n")),
            .exec(namespace: "shop", pod: "web-1", container: "app", command: ["true"], result: CommandOutput(exitCode: 0, stdout: "", stderr: "")),
            .http(url: "http://lb/", result: HTTPOutput(status: 200, body: "ok")),
            .http(url: "http://lb/", result: HTTPOutput(status: 0, body: "", error: "Could not resolve host: lb")),
            .command(arguments: ["helm", "list", "-o", "json"], result: CommandOutput(exitCode: 0, stdout: "[]", stderr: "")),
        ]
        for output in outputs {
            XCTAssertEqual(try RecordedOutput.parse(output.json).get(), output, output.call)
        }
    }

    func testTheDocumentedExampleReads() throws {
        let example = try JSONParser.parse("""
            {"exec": {"namespace": "default", "pod": "secret-env-pod", "container": "main", "command": ["printenv", "DB_PASSWORD"]},
             "result": {"exitCode": 0, "stdout": "s3cr3t\\n", "stderr": ""}}
            """)
        XCTAssertEqual(try RecordedOutput.parse(example).get(), .exec(
            namespace: "default", pod: "secret-env-pod", container: "main", command: ["printenv", "DB_PASSWORD"],
            result: CommandOutput(exitCode: 0, stdout: "s3cr3t\n", stderr: "")))
    }

    func testMalformedRecordsSayWhatIsMissing() throws {
        XCTAssertEqual(RecordedOutput.parse(try JSONParser.parse(#"{"http": {"url": "x"}}"#)).failure?.reason, "no \"result\" object")
        XCTAssertEqual(RecordedOutput.parse(try JSONParser.parse(#"{"http": {"url": "x"}, "result": {"status": "200"}}"#)).failure?.reason,
                       "\"result\" needs an integer \"status\"")
        XCTAssertEqual(RecordedOutput.parse(try JSONParser.parse(#"{"ssh": {}, "result": {}}"#)).failure?.reason,
                       "expected one of \"exec\", \"http\", \"command\", \"probe\" or \"workspace\"")
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
