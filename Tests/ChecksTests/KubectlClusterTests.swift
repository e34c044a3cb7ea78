import Foundation
import KubeCore
import KubeJSON
import LabSpec
import TestSupport
import XCTest
@testable import Checks

final class KubectlClusterTests: XCTestCase {
    private var states: String { ClusterFixtures.path("kubectl-standin/states") }

    func testListsAKindWithTheArgumentsKubectlArgumentsBuilds() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let pods = try standIn.cluster(context: "class").objects(of: KindReference(kind: "Pod"), namespace: "shop")
        XCTAssertEqual(ClusterFixtures.names(pods), ["redis-0", "web-7d4b9c8f6-abcde", "web-7d4b9c8f6-fghij"])
        XCTAssertEqual(pods.map { $0["kind"]?.stringValue }, ["Pod", "Pod", "Pod"])
        XCTAssertEqual(standIn.calls, [KubectlArguments.get(
            kind: KindReference(kind: "Pod"), scope: .namespace("shop"),
            connection: .init(context: "class", requestTimeout: 5))])
    }

    func testClusterScopedKindsAreListedWithoutANamespace() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let nodes = try standIn.cluster().objects(of: KindReference(kind: "Node"), namespace: "shop")
        XCTAssertEqual(nodes.count, 2)
        XCTAssertEqual(standIn.calls.first, ["get", "nodes", "-o", "json", "--request-timeout=5s"])
    }

    func testANamespaceWithoutTheKindIsAnEmptyListNotAnError() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        XCTAssertEqual(try standIn.cluster().objects(of: KindReference(kind: "Service"), namespace: "shop"), [])
        XCTAssertEqual(try standIn.cluster().objects(of: KindReference(kind: "Pod"), namespace: "empty"), [])
    }

    func testOneGetPerKindAndScopeForAWholeEvaluation() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let reader = ClusterReader(cluster: standIn.cluster(), labNamespace: "shop")
        for _ in 0..<3 {
            _ = try reader.select(ObjectSelector(kind: "Pod", labels: "app=web"))
            _ = try reader.select(ObjectSelector(kind: "Pod", fields: "status.phase=Running"))
            _ = try reader.select(ObjectSelector(kind: "Deployment", name: "web"))
            _ = try reader.select(ObjectSelector(kind: "Node"))
        }
        XCTAssertEqual(standIn.calls.map { $0[1] }, ["pods", "deployments.apps", "nodes"])
    }

    func testClusterWideModeListsEachKindOnceForAClass() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let pool = KubectlClusterPool(options: standIn.options())
        var found: [String: Int] = [:]
        for learner in 0..<12 {
            for context in ["eks-a", "eks-b"] {
                let namespace = learner % 2 == 0 ? "shop" : "kube-system"
                let reader = ClusterReader(cluster: pool.cluster(context: context), labNamespace: namespace)
                found[namespace] = try reader.select(ObjectSelector(kind: "Pod")).objects.count
                _ = try reader.select(ObjectSelector(kind: "Deployment"))
                _ = try reader.select(ObjectSelector(kind: "Node"))
            }
        }
        XCTAssertEqual(found, ["shop": 3, "kube-system": 1])
        let calls = standIn.calls
        XCTAssertEqual(calls.count, 6, "3 kinds × 2 contexts, whatever the number of learners")
        XCTAssertEqual(Set(calls.map { "\($0[1]) \($0.last!)" }), [
            "pods --context=eks-a", "deployments.apps --context=eks-a", "nodes --context=eks-a",
            "pods --context=eks-b", "deployments.apps --context=eks-b", "nodes --context=eks-b",
        ])
        XCTAssertTrue(calls.filter { $0[1] != "nodes" }.allSatisfy { $0.contains("--all-namespaces") })
    }

    func testClusterWideModeIsSharedSafelyByConcurrentGraders() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let cluster = standIn.cluster(clusterWide: true)
        let counts = Counts()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let reader = ClusterReader(cluster: cluster, labNamespace: i % 2 == 0 ? "shop" : "kube-system")
            let count = (try? reader.select(ObjectSelector(kind: "Pod")).objects.count) ?? -1
            counts.add(count)
        }
        XCTAssertEqual(counts.values.sorted(), Array(repeating: 1, count: 8) + Array(repeating: 3, count: 8))
        XCTAssertEqual(standIn.calls.count, 1)
    }

    func testAfterRefreshTheNextPollSeesTheNewState() throws {
        let standIn = KubectlStandIn(snapshots: [states + "/before", states + "/after"])
        let reader = ClusterReader(cluster: standIn.cluster(), labNamespace: "shop")
        let first = try reader.select(ObjectSelector(kind: "Deployment", name: "web")).objects[0]
        XCTAssertEqual(first["status"]?["readyReplicas"], .int(0))
        XCTAssertEqual(try reader.select(ObjectSelector(kind: "Deployment")).objects[0]["status"]?["readyReplicas"], .int(0),
                       "no new read without refresh")
        reader.refresh()
        let second = try reader.select(ObjectSelector(kind: "Deployment", name: "web")).objects[0]
        XCTAssertEqual(second["status"]?["readyReplicas"], .int(2))
        XCTAssertEqual(standIn.calls.count, 2)
    }

    func testClusterWideRefreshKeepsListsReadWithinTheLastMoment() throws {
        let standIn = KubectlStandIn(snapshots: [states + "/before", states + "/after"])
        let cluster = standIn.cluster(clusterWide: true)
        _ = try cluster.objects(of: KindReference(kind: "Deployment"), namespace: "shop")
        cluster.refresh()
        _ = try cluster.objects(of: KindReference(kind: "Deployment"), namespace: "shop")
        XCTAssertEqual(standIn.calls.count, 1, "a list just read is shared by learners polling together")
        cluster.sharedListLifetime = 0
        cluster.refresh()
        let now = try cluster.objects(of: KindReference(kind: "Deployment"), namespace: "shop")
        XCTAssertEqual(now.first?["status"]?["readyReplicas"], .int(2))
        XCTAssertEqual(standIn.calls.count, 2)
    }

    // MARK: - Failures

    private func failure(_ mode: String, kind: String = "Pod") -> ClusterError? {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop], fail: mode)
        do {
            _ = try standIn.cluster(context: "class").objects(of: KindReference(kind: kind), namespace: "shop")
            return nil
        } catch {
            return error as? ClusterError
        }
    }

    func testNotFound() {
        XCTAssertEqual(failure("notfound", kind: "SealedSecret"), .resourceTypeNotFound(resource: "sealedsecret", context: "class"))
        XCTAssertEqual(failure("notfound", kind: "SealedSecret")?.description,
                       "the cluster (context class) has no resource type \"sealedsecret\"; install what provides it (a CRD or add-on) or check the kind's spelling")
    }

    func testForbidden() {
        guard case .forbidden(let resource, let context, let detail)? = failure("forbidden") else { return XCTFail() }
        XCTAssertEqual(resource, "pods")
        XCTAssertEqual(context, "class")
        XCTAssertTrue(detail.hasPrefix("Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:klab:learner\" cannot list resource \"pods\""), detail)
    }

    func testUnreachableShowsKubectlsSentenceNotItsLogNoise() {
        XCTAssertEqual(failure("unreachable"), .unreachable(
            context: "class",
            detail: "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?"))
    }

    func testTimeout() {
        guard case .timedOut(let command, let seconds)? = failure("timeout") else { return XCTFail() }
        XCTAssertTrue(command.hasSuffix("kubectl get pods -n shop -o json --request-timeout=5s --context=class"), command)
        XCTAssertEqual(seconds, 5)
    }

    func testGarbageOutput() {
        guard case .unparseableOutput(_, let reason)? = failure("garbage") else { return XCTFail() }
        XCTAssertTrue(reason.hasPrefix("invalid JSON at line 1, column 1"), reason)
    }

    func testUsageErrorIsReportedAsAKubectlFailure() {
        guard case .kubectlFailed(_, let status, let detail)? = failure("usage") else { return XCTFail() }
        XCTAssertEqual(status, 1)
        XCTAssertEqual(detail, "error: unknown flag: --bogus")
    }

    func testEveryFailureIsOneLineWithExitThree() {
        for mode in ["notfound", "forbidden", "unreachable", "timeout", "garbage", "usage"] {
            guard let error = failure(mode) else { XCTFail(mode); continue }
            XCTAssertEqual(error.exitCode, 3, mode)
            XCTAssertFalse(error.description.contains("\n"), "\(mode): \(error.description)")
        }
    }

    func testAHungKubectlIsStoppedByTheProcessTimeout() {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop], sleep: 30)
        let started = Date()
        XCTAssertThrowsError(try standIn.cluster(processTimeout: 0.5).objects(of: KindReference(kind: "Pod"), namespace: "shop")) { error in
            guard case .timedOut(_, let seconds)? = error as? ClusterError else { return XCTFail("\(error)") }
            XCTAssertEqual(seconds, 0.5)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testKubectlNotInstalled() {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = "/nonexistent-klab"
        let cluster = KubectlCluster(options: .init(environment: env))
        XCTAssertThrowsError(try cluster.objects(of: KindReference(kind: "Pod"), namespace: "x")) { error in
            XCTAssertEqual(error as? ClusterError, .kubectlNotInstalled)
            XCTAssertEqual((error as? ClusterError)?.exitCode, 3)
        }
    }

    // MARK: - exec, command, http

    func testExecReturnsTheCommandsOutputAndStatus() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let output = try standIn.cluster().exec(namespace: "shop", pod: "web-7d4b9c8f6-abcde", container: "web", command: ["printenv", "DB_HOST"])
        XCTAssertEqual(output, CommandOutput(exitCode: 0, stdout: "redis.shop.svc\n", stderr: ""))
        XCTAssertEqual(standIn.calls.last, ["exec", "-n", "shop", "web-7d4b9c8f6-abcde", "-c", "web", "--request-timeout=5s", "--", "printenv", "DB_HOST"])
    }

    func testExecInAMissingPodIsAFactNotAnError() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let output = try standIn.cluster().exec(namespace: "shop", pod: "gone", container: nil, command: ["true"])
        XCTAssertEqual(output.exitCode, 1)
        XCTAssertEqual(output.stderr, "Error from server (NotFound): pods \"gone\" not found\n")
    }

    func testExecAgainstAnUnreachableClusterThrows() {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop], fail: "unreachable")
        XCTAssertThrowsError(try standIn.cluster().exec(namespace: "shop", pod: "p", container: nil, command: ["true"])) { error in
            guard case .unreachable? = error as? ClusterError else { return XCTFail("\(error)") }
        }
    }

    func testCommandRunsALocalProgram() throws {
        let cluster = KubectlCluster()
        XCTAssertEqual(try cluster.command(["sh", "-c", "echo '{\"a\": 1}'; exit 4"]),
                       CommandOutput(exitCode: 4, stdout: "{\"a\": 1}\n", stderr: ""))
        XCTAssertThrowsError(try cluster.command(["klab-no-such-helm", "list"])) { error in
            XCTAssertEqual(error as? ClusterError, .programNotInstalled(name: "klab-no-such-helm"))
        }
    }

    func testHTTPWithNothingListeningIsStatusZeroWithAReason() throws {
        let output = try KubectlCluster().http(url: "http://127.0.0.1:1/", timeout: 3)
        XCTAssertEqual(output.status, 0)
        XCTAssertEqual(output.body, "")
        XCTAssertTrue(output.error?.contains("127.0.0.1") == true, output.error ?? "nil")
    }

    func testHTTPReadsStatusAndBody() throws {
        let dir = try ClusterFixtures.folder(["index.html": "<h1>shop</h1>\n"])
        // Port 0: the server takes a free port and says which ("Serving HTTP on 127.0.0.1 port N ...").
        let server = try TestProcess.start("/usr/bin/python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir],
                                           readingOutput: true)
        defer { server.stop(); server.wait() }
        let banner = server.readLine() ?? ""
        let port = try XCTUnwrap(banner.components(separatedBy: " port ").dropFirst().first?.split(separator: " ").first.flatMap { Int($0) },
                                 "the server did not say its port: \(banner)")
        var output = HTTPOutput(status: 0, body: "")
        for _ in 0..<50 where output.status == 0 {
            output = try KubectlCluster().http(url: "http://127.0.0.1:\(port)/", timeout: 2)
            if output.status == 0 { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertEqual(output, HTTPOutput(status: 200, body: "<h1>shop</h1>\n"))
        XCTAssertEqual(try KubectlCluster().http(url: "http://127.0.0.1:\(port)/missing", timeout: 2).status, 404)
    }
}

// @unchecked: `values` is read and written only under `lock`.
private final class Counts: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int] = []
    func add(_ value: Int) { lock.lock(); values.append(value); lock.unlock() }
}
