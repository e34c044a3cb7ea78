import KubeCore
import KubeJSON
import XCTest
@testable import Checks

final class SnapshotClusterTests: XCTestCase {
    private func names(_ cluster: SnapshotCluster, _ kind: String, _ apiVersion: String? = nil, _ namespace: String? = nil) throws -> [String] {
        ClusterFixtures.names(try cluster.objects(of: KindReference(kind: kind, apiVersion: apiVersion), namespace: namespace))
    }

    func testTypedListItemsGetTheirKindAndVersionFromTheList() throws {
        let cluster = try SnapshotCluster(directory: ClusterFixtures.shop)
        let pods = try cluster.objects(of: KindReference(kind: "Pod"), namespace: "shop")
        XCTAssertEqual(ClusterFixtures.names(pods), ["redis-0", "web-7d4b9c8f6-abcde", "web-7d4b9c8f6-fghij"])
        XCTAssertEqual(pods.map { $0["kind"]?.stringValue }, ["Pod", "Pod", "Pod"])
        XCTAssertEqual(pods.map { $0["apiVersion"]?.stringValue }, ["v1", "v1", "v1"])
    }

    func testListsSingleObjectsMultiDocumentYAMLAndSubfoldersAreAllRead() throws {
        let cluster = try SnapshotCluster(directory: ClusterFixtures.shop)
        XCTAssertEqual(try names(cluster, "Node").count, 2, "kind: List")
        XCTAssertEqual(try names(cluster, "Deployment"), ["web"], "single object")
        XCTAssertEqual(try names(cluster, "Pod", nil, "kube-system"), ["coredns-5d849c4789-xk2lp"], "sub-folder, first YAML document")
        XCTAssertEqual(try names(cluster, "Secret"), ["web-tls"], "second YAML document")
        XCTAssertEqual(try names(cluster, "Pod").count, 4, "nil namespace means every namespace")
    }

    /// Read without digesting (the grader's fixture index): the same objects and outputs, no digest.
    func testReadingWithoutDigestingReadsTheSameObjects() throws {
        let digested = try SnapshotCluster(directory: ClusterFixtures.shop)
        let plain = try SnapshotCluster(directory: ClusterFixtures.shop, digesting: false)
        XCTAssertNotNil(digested.contentDigest)
        XCTAssertNil(plain.contentDigest)
        XCTAssertEqual(plain.allObjects, digested.allObjects)
        XCTAssertEqual(plain.recordedOutputs, digested.recordedOutputs)
    }

    func testKindsMatchByAnyNameKubectlAccepts() throws {
        let cluster = try SnapshotCluster(directory: ClusterFixtures.shop)
        for name in ["Pod", "pod", "pods", "po", "POD"] {
            XCTAssertEqual(try names(cluster, name, nil, "shop").count, 3, name)
        }
        for name in ["deploy", "deployments", "deployment"] {
            XCTAssertEqual(try names(cluster, name), ["web"], name)
        }
        XCTAssertEqual(try names(cluster, "no").count, 2)
        XCTAssertEqual(try names(cluster, "svc"), [])
    }

    func testApiVersionMustMatchWhenGiven() throws {
        let cluster = try SnapshotCluster(directory: ClusterFixtures.shop)
        XCTAssertEqual(try names(cluster, "Deployment", "apps/v1"), ["web"])
        XCTAssertEqual(try names(cluster, "Deployment", "apps/v1beta2"), [])
        XCTAssertEqual(try names(cluster, "Deployment", "extensions/v1beta1"), [])
    }

    func testCustomResourcesMatchByKindAndPlural() throws {
        let dir = try ClusterFixtures.folder([
            "widgets.yaml": """
                apiVersion: example.com/v1
                kind: WidgetList
                items:
                - metadata: {name: w1, namespace: shop}
                - metadata: {name: w2, namespace: other}
                """,
            "policy.json": #"{"apiVersion": "example.com/v1", "kind": "Policy", "metadata": {"name": "p"}}"#,
        ])
        let cluster = try SnapshotCluster(directory: dir)
        XCTAssertEqual(try names(cluster, "Widget", nil, "shop"), ["w1"])
        XCTAssertEqual(try names(cluster, "widgets"), ["w2", "w1"], "ordered by namespace, then name, like kubectl -A")
        XCTAssertEqual(try names(cluster, "Widget", "example.com/v1"), ["w2", "w1"])
        XCTAssertEqual(try names(cluster, "policies"), ["p"])
        XCTAssertEqual(cluster.isClusterScoped(KindReference(kind: "Policy")), true, "objects without a namespace")
        XCTAssertEqual(cluster.isClusterScoped(KindReference(kind: "Widget")), false)
        XCTAssertNil(cluster.isClusterScoped(KindReference(kind: "Gadget")))
        XCTAssertEqual(cluster.isClusterScoped(KindReference(kind: "Node")), true)
    }

    func testAnObjectListedTwiceCountsOnceAndTheLastFileWins() throws {
        let dir = try ClusterFixtures.folder([
            "a.json": #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}, "data": {"v": "old"}}"#,
            "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\ndata: {v: new}\n",
        ])
        let objects = try SnapshotCluster(directory: dir).objects(of: KindReference(kind: "ConfigMap"), namespace: "shop")
        XCTAssertEqual(objects.count, 1)
        XCTAssertEqual(objects.first?["data"]?["v"]?.stringValue, "new")
    }

    func testOutputsHiddenAndOtherFilesAreNotObjects() throws {
        let dir = try ClusterFixtures.folder([
            ".hidden.json": "not json at all",
            "notes.txt": "{",
            "outputs/x.json": #"{"command": ["true"], "result": {"exitCode": 0, "stdout": "", "stderr": ""}}"#,
            "deep/er/cm.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\n",
        ])
        let cluster = try SnapshotCluster(directory: dir)
        XCTAssertEqual(cluster.allObjects.count, 1)
        XCTAssertEqual(cluster.recordedOutputs.count, 1)
    }

    func testYAMLScalarsKeepTheirTypes() throws {
        let dir = try ClusterFixtures.folder([
            "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec: {replicas: 3, paused: false, ratio: 0.5, label: \"3\", none: null}\n",
        ])
        let spec = try SnapshotCluster(directory: dir).allObjects[0]["spec"]
        XCTAssertEqual(spec?["replicas"], .int(3))
        XCTAssertEqual(spec?["paused"], .bool(false))
        XCTAssertEqual(spec?["ratio"], .double(0.5))
        XCTAssertEqual(spec?["label"], .string("3"))
        XCTAssertEqual(spec?["none"], .null)
    }

    func testBrokenJSONIsNamedWithLineAndColumn() throws {
        let dir = try ClusterFixtures.folder(["pods.json": "{\n  \"kind\": \"List\",\n  \"items\": [,]\n}"])
        XCTAssertThrowsError(try SnapshotCluster(directory: dir)) { error in
            guard case .invalidSnapshotFile(let path, let line, let column, _)? = error as? ClusterError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, dir + "/pods.json")
            XCTAssertEqual(line, 3)
            XCTAssertNotNil(column)
            XCTAssertEqual((error as? ClusterError)?.exitCode, 2)
            XCTAssertTrue(String(describing: error).hasPrefix(dir + "/pods.json:3:"), String(describing: error))
        }
    }

    func testBrokenYAMLIsNamedWithLine() throws {
        let dir = try ClusterFixtures.folder(["pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"])
        XCTAssertThrowsError(try SnapshotCluster(directory: dir)) { error in
            guard case .invalidSnapshotFile(let path, let line, _, _)? = error as? ClusterError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, dir + "/pod.yaml")
            XCTAssertNotNil(line)
        }
    }

    func testFilesThatAreNotKubernetesObjectsAreRefused() throws {
        let cases: [(String, String, String)] = [
            ("a.json", "[1, 2]", "expected a Kubernetes object or list, found a array"),
            ("b.json", #"{"metadata": {"name": "x"}}"#, "an object without \"kind\""),
            ("c.json", #"{"kind": "List", "apiVersion": "v1", "items": [{"metadata": {"name": "x"}}]}"#, "item 0 of the List has no \"kind\""),
            ("d.json", #"{"kind": "Pod", "metadata": {"name": "x"}}"#, "the Pod has no \"apiVersion\""),
            ("e.yaml", "kind: Pod\napiVersion: v1\n---\n- 1\n", "expected a Kubernetes object or list (document 2), found a array"),
        ]
        for (name, text, reason) in cases {
            let dir = try ClusterFixtures.folder([name: text])
            XCTAssertThrowsError(try SnapshotCluster(directory: dir), name) { error in
                XCTAssertEqual(error as? ClusterError, .invalidSnapshotFile(path: dir + "/" + name, line: nil, column: nil, reason: reason))
            }
        }
    }

    func testMissingDirectoryIsBadInput() {
        XCTAssertThrowsError(try SnapshotCluster(directory: "/nonexistent/klab-snap")) { error in
            XCTAssertEqual(error as? ClusterError, .snapshotNotFound(directory: "/nonexistent/klab-snap"))
            XCTAssertEqual((error as? ClusterError)?.exitCode, 2)
        }
    }

    func testRecordedOutputsAnswerExecHttpAndCommand() throws {
        let cluster = try SnapshotCluster(directory: ClusterFixtures.shop)
        let exec = try cluster.exec(namespace: "shop", pod: "web-7d4b9c8f6-abcde", container: "web", command: ["printenv", "DB_HOST"])
        XCTAssertEqual(exec, CommandOutput(exitCode: 0, stdout: "redis.shop.svc\n", stderr: ""))
        XCTAssertEqual(
            try cluster.exec(namespace: "shop", pod: "web-7d4b9c8f6-abcde", container: nil, command: ["printenv", "DB_HOST"]), exec,
            "the default container takes the recording")
        XCTAssertEqual(try cluster.http(url: "http://a1b2c3.elb.us-west-2.amazonaws.com/", timeout: 5),
                       HTTPOutput(status: 200, body: "<h1>shop</h1>"))
        XCTAssertEqual(try cluster.command(["helm", "list", "-n", "shop", "-o", "json"]).stdout,
                       #"[{"name":"shop","status":"deployed"}]"#)
    }

    func testAnUnrecordedCallSaysWhichCallAndWhatToDo() throws {
        let cluster = try SnapshotCluster(directory: ClusterFixtures.shop)
        XCTAssertThrowsError(try cluster.exec(namespace: "shop", pod: "web-7d4b9c8f6-abcde", container: "sidecar", command: ["printenv", "DB_HOST"])) { error in
            XCTAssertEqual(
                String(describing: error),
                "exec in pod shop/web-7d4b9c8f6-abcde (container sidecar): printenv DB_HOST was not recorded in \(ClusterFixtures.shop)/outputs; record its output there or evaluate with --kube-only")
        }
        XCTAssertThrowsError(try cluster.http(url: "http://other/", timeout: 5)) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("http GET http://other/ was not recorded"))
        }
        XCTAssertThrowsError(try cluster.command(["aws", "eks", "list-clusters"])) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("command aws eks list-clusters was not recorded"))
        }
    }

    func testMalformedOutputFileIsNamed() throws {
        let dir = try ClusterFixtures.folder(["outputs/bad.json": #"{"exec": {"pod": "p"}, "result": {"exitCode": 0}}"#])
        XCTAssertThrowsError(try SnapshotCluster(directory: dir)) { error in
            XCTAssertEqual(error as? ClusterError, .invalidSnapshotFile(
                path: dir + "/outputs/bad.json", line: nil, column: nil,
                reason: "not a recorded output: \"exec\" needs \"namespace\", \"pod\" and a \"command\" array of strings"))
        }
    }

    func testEvidenceInMemoryIsReadByTheFolderRules() throws {
        let pod = #"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}}]}"#
        let output = #"{"command": ["helm", "version"], "result": {"exitCode": 0, "stdout": "v3", "stderr": ""}}"#
        let cluster = try SnapshotCluster(evidence: Evidence(files: [
            "shop/Pod.json": Data(pod.utf8), "outputs/command-1.json": Data(output.utf8),
            ".hidden/x.json": Data("broken".utf8), "notes.txt": Data("{".utf8),
        ]))
        XCTAssertEqual(try names(cluster, "Pod", nil, "shop"), ["p"])
        XCTAssertEqual(try cluster.command(["helm", "version"]).stdout, "v3")

        XCTAssertThrowsError(try SnapshotCluster(evidence: Evidence(files: ["shop/Bad.json": Data("{\"kind\": ".utf8)]), name: "learner-7")) { error in
            guard case .invalidSnapshotFile(let path, let line, _, _)? = error as? ClusterError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "learner-7/shop/Bad.json")
            XCTAssertEqual(line, 1)
        }
    }
}
