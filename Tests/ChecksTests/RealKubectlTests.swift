import Foundation
import KubeCore
import TestSupport
import XCTest
@testable import Checks

/// klab's argument lists run through the real kubectl against a server that is not there:
/// every one must fail on the connection, never on usage. kubectl is required here; a machine
/// without it fails these tests, saying so.
final class RealKubectlTests: XCTestCase {
    /// Stops a test whose oracle is missing; the failure above already says why.
    private struct KubectlMissing: Error {}

    private var kubeconfig = ""

    override func setUpWithError() throws {
        guard ProcessRunner.which("kubectl") != nil else {
            XCTFail("kubectl is not installed or not on PATH; these tests need the real kubectl (v1.32) as the oracle for klab's argument lists")
            throw KubectlMissing()
        }
        kubeconfig = try ClusterFixtures.folder(["config": """
            apiVersion: v1
            kind: Config
            clusters:
            - name: nowhere
              cluster: {server: "https://127.0.0.1:1"}
            contexts:
            - name: nowhere
              context: {cluster: nowhere, user: learner, namespace: shop}
            - name: other
              context: {cluster: nowhere, user: learner}
            current-context: nowhere
            users:
            - name: learner
              user: {token: not-a-real-token}
            """]) + "/config"
    }

    private func unreachable(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        do {
            try body()
            XCTFail("kubectl answered from a server that does not exist", file: file, line: line)
        } catch let error as ClusterError {
            guard case .unreachable(_, let detail) = error else {
                return XCTFail("expected a connection failure, got: \(error)", file: file, line: line)
            }
            XCTAssertTrue(detail.contains("127.0.0.1:1"), detail, file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    func testEveryGetArgumentListFailsOnTheConnection() {
        let cluster = KubectlCluster(options: .init(context: "other", kubeconfig: kubeconfig, requestTimeout: 5))
        let kinds: [(KindReference, String?)] = [
            (KindReference(kind: "Pod"), "shop"),
            (KindReference(kind: "Pod"), nil),
            (KindReference(kind: "Node"), "shop"),
            (KindReference(kind: "Deployment", apiVersion: "apps/v1"), "shop"),
            (KindReference(kind: "deploy"), nil),
            (KindReference(kind: "HorizontalPodAutoscaler", apiVersion: "autoscaling/v2"), "shop"),
            (KindReference(kind: "SealedSecret", apiVersion: "bitnami.com/v1alpha1"), "shop"),
            (KindReference(kind: "ENIConfig"), nil),
        ]
        for (kind, namespace) in kinds {
            unreachable { _ = try cluster.objects(of: kind, namespace: namespace) }
        }
    }

    func testClusterWideListsFailOnTheConnection() {
        let pool = KubectlClusterPool(options: .init(kubeconfig: kubeconfig, requestTimeout: 5))
        unreachable { _ = try pool.cluster(context: "other").objects(of: KindReference(kind: "Pod"), namespace: "shop") }
    }

    func testExecArgumentListFailsOnTheConnection() {
        let cluster = KubectlCluster(options: .init(kubeconfig: kubeconfig, requestTimeout: 5))
        unreachable { _ = try cluster.exec(namespace: "shop", pod: "web-1", container: "web", command: ["cat", "/etc/hostname"]) }
        unreachable { _ = try cluster.exec(namespace: "shop", pod: "web-1", container: nil, command: ["sh", "-c", "echo --help"]) }
    }

    func testKUBECONFIGFromTheEnvironmentIsHonoured() {
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = kubeconfig
        let cluster = KubectlCluster(options: .init(requestTimeout: 5, environment: env))
        unreachable { _ = try cluster.objects(of: KindReference(kind: "Pod"), namespace: "shop") }
    }

    func testTheOracleTellsUsageFromConnection() throws {
        // The same classifier on a real usage error: proves the assertions above can fail.
        let result = try ProcessRunner.run("kubectl", ["get", "pods", "--no-such-flag", "--kubeconfig=\(kubeconfig)"], timeout: 30)
        guard case .kubectlFailed(_, let status, let detail) = KubectlCluster.classify(result, resource: "pods", context: nil, requestTimeout: nil) else {
            return XCTFail("a usage error was not told apart: \(result.stderrText)")
        }
        XCTAssertEqual(status, 1)
        XCTAssertTrue(detail.contains("unknown flag: --no-such-flag"), detail)
    }

    func testAMissingContextIsAKubeconfigProblem() {
        let cluster = KubectlCluster(options: .init(context: "absent", kubeconfig: kubeconfig, requestTimeout: 5))
        XCTAssertThrowsError(try cluster.objects(of: KindReference(kind: "Pod"), namespace: "shop")) { error in
            guard case .kubeconfig(let detail)? = error as? ClusterError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("absent"), detail)
        }
    }

    func testAServerThatNeverAnswersTimesOut() throws {
        // A server that accepts connections and never answers; it prints its port once it listens.
        let server = try TestProcess.start("/usr/bin/python3", ["-u", "-c", """
            import socket, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0)); s.listen(64); held = []
            print(s.getsockname()[1])
            end = time.time() + 60
            while time.time() < end:
                c, _ = s.accept(); held.append(c)
            """], readingOutput: true)
        defer { server.stop(); server.wait() }
        let port = try XCTUnwrap(server.readLine().flatMap { Int($0) }, "the server did not say its port")
        let config = try ClusterFixtures.folder(["hang": try String(contentsOfFile: kubeconfig, encoding: .utf8)
            .replacingOccurrences(of: "https://127.0.0.1:1", with: "https://127.0.0.1:\(port)")]) + "/hang"
        let cluster = KubectlCluster(options: .init(kubeconfig: config, requestTimeout: 1, processTimeout: 30))
        XCTAssertThrowsError(try cluster.objects(of: KindReference(kind: "Pod"), namespace: "shop")) { error in
            guard case .timedOut? = error as? ClusterError else { return XCTFail("\(error)") }
        }
    }
}

/// The classifier on kubectl 1.32's own words, captured from real runs.
final class KubectlFailureClassificationTests: XCTestCase {
    private func classify(_ stderr: String, status: Int32 = 1) -> ClusterError {
        let result = ProcessResult(executable: "/usr/bin/kubectl", arguments: ["get", "pods"], status: status,
                                   stdout: Data(), stderr: Data(stderr.utf8), timedOut: false)
        return KubectlCluster.classify(result, resource: "pods", context: "c", requestTimeout: 5)
    }

    func testKubeconfigProblems() {
        for stderr in [
            "Error in configuration: context was not found for specified context: nope\n",
            "Error: context \"absent\" does not exist\n",
            "error: stat /nonexist: no such file or directory\n",
        ] {
            guard case .kubeconfig = classify(stderr) else { XCTFail(stderr); continue }
        }
    }

    func testTLSFailureIsUnreachable() {
        let stderr = "Unable to connect to the server: tls: failed to verify certificate: x509: cannot validate certificate for 10.255.255.1 because it doesn't contain any IP SANs\n"
        XCTAssertEqual(classify(stderr), .unreachable(context: "c", detail: stderr.trimmingCharacters(in: .newlines)))
    }

    func testDeadlineBeatsConnectionWording() {
        let stderr = """
            E1125 21:02:43.710159   17774 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: Get \\"https://127.0.0.1:18443/api?timeout=2s\\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)"
            Unable to connect to the server: context deadline exceeded

            """
        XCTAssertEqual(classify(stderr), .timedOut(command: "/usr/bin/kubectl get pods", seconds: 5))
    }

    func testUnauthorizedIsAPermissionProblem() {
        guard case .forbidden(_, _, let detail) = classify("error: You must be logged in to the server (Unauthorized)\n") else {
            return XCTFail()
        }
        XCTAssertEqual(detail, "error: You must be logged in to the server (Unauthorized)")
    }

    func testAMissingCredentialPluginIsAKubeconfigProblem() {
        XCTAssertEqual(
            classify("Unable to connect to the server: getting credentials: exec: executable aws not found\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.\n"),
            .kubeconfig(detail: "Unable to connect to the server: getting credentials: exec: executable aws not found"))
    }

    func testUnknownFailuresKeepTheirFirstMeaningfulLine() {
        XCTAssertEqual(
            classify("E1125 21:02:35.791671   17555 memcache.go:265] noise\nerror: something new\nmore detail\n"),
            .kubectlFailed(command: "/usr/bin/kubectl get pods", status: 1, detail: "error: something new"))
    }
}
