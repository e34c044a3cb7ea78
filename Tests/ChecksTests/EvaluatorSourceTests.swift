import KubeCore
import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// exec, http and command checks read recorded outputs from the snapshot's outputs/ folder.
final class EvaluatorSourceTests: XCTestCase {
    func testExecPicksTheFirstRunningPodWithTheLabels() throws {
        let result = try EvaluatorFixtures.evaluate(Check(
            name: "nginx", source: .exec(ExecRequest(labels: "app=2048", namespace: .named("2048-game"), command: ["nginx", "-v"])),
            expectation: Expectation(all: [value("{.exitCode}", .equals(.int(0))), value("{.stderr}", .matches("nginx/1\\.2[0-9]"))])))
        XCTAssertEqual(result.status, .passed, result.message.joined(separator: "\n"))
    }

    func testExecFailuresNameTheCommandAndShowStderr() throws {
        let result = try EvaluatorFixtures.evaluate(Check(
            name: "healthy", source: .exec(ExecRequest(pod: "readiness-deployment-5b8c9d7f6-2hx4k", command: ["cat", "/tmp/healthy"]))))
        XCTAssertEqual(result.message, [
            "exec in default/readiness-deployment-5b8c9d7f6-2hx4k: cat /tmp/healthy: expected exit code 0, found 1",
            "stderr: cat: can't open '/tmp/healthy': No such file or directory",
        ])
        let noPod = try EvaluatorFixtures.evaluate(Check(
            name: "liveness", source: .exec(ExecRequest(labels: "app=liveness", command: ["true"]))))
        XCTAssertEqual(noPod.message, ["no Running Pod with labels app=liveness in namespace default to exec in; found liveness-app (Pending)"])
    }

    func testHTTPAndCommandResultsWithJSON() throws {
        let results = try EvaluatorFixtures.evaluate([
            Check(name: "game", source: .http(HTTPRequest(url: "http://k8s-2048game-ingress2-0a1b2c3d4e-1234567890.us-west-2.elb.amazonaws.com/")),
                  expectation: Expectation(all: [value("{.status}", .equals(.int(200))), value("{.body}", .matches("<title>2048"))])),
            Check(name: "profile", source: .command(["aws", "eks", "describe-fargate-profile", "--cluster-name", "eksworkshop", "--fargate-profile-name", "game-2048"]),
                  expectation: Expectation(all: [value("{.json.fargateProfile.status}", .equals(.string("DELETING")))])),
        ])
        XCTAssertEqual(results[0].status, .passed)
        XCTAssertEqual(results[1].message, [#"aws eks describe-fargate-profile --cluster-name eksworkshop --fargate-profile-name game-2048: .json.fargateProfile.status expected "DELETING", found "ACTIVE""#])
    }

    func testRedactKeepsOnlyTheDigestOfStdoutAndDigestStillHoldsOnIt() throws {
        let arguments = ["aws", "eks", "describe-fargate-profile", "--cluster-name", "eksworkshop", "--fargate-profile-name", "game-2048"]
        let recorded = try JSONParser.parse(bytes: try Data(contentsOf: EvaluatorFixtures.snapshots.appendingPathComponent("game/outputs/command-fargate-profile.json")))
        let stdout = try XCTUnwrap(recorded["result"]?["stdout"]?.stringValue)
        var check = Check(name: "profile", source: .command(arguments),
                          expectation: Expectation(all: [value("{.stdout}", .digest(ValueDigest.of(text: stdout)))]))
        check.redact = true
        let reader = try EvaluatorFixtures.reader()
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate([check])
        XCTAssertEqual(results[0].status, .passed, "\(results[0].message)")
        let files = reader.evidence.files.filter { $0.key.hasPrefix("outputs/") }
        XCTAssertEqual(files.count, 1)
        let stored = try JSONParser.parse(bytes: files.values.first!)
        XCTAssertEqual(stored["result"]?["stdout"]?.stringValue, ValueDigest.of(text: stdout))
        XCTAssertFalse(String(decoding: files.values.first!, as: UTF8.self).contains("fargateProfile"), "stdout is not stored")
        // Graded again from the evidence, the digest predicate holds on the stored digest.
        let again = ClusterReader(cluster: try SnapshotCluster(evidence: reader.evidence), labNamespace: "default")
        XCTAssertEqual(try CheckEvaluator(reader: again, clock: FakeClock()).evaluate([check])[0].status, .passed)
        // Without redact, stdout is stored as it was.
        check.redact = false
        let plain = try EvaluatorFixtures.reader()
        _ = try CheckEvaluator(reader: plain, clock: FakeClock()).evaluate([check])
        XCTAssertTrue(plain.evidence.files.values.contains { String(decoding: $0, as: UTF8.self).contains("fargateProfile") })
    }

    func testAnOutputTheSnapshotDidNotRecordIsBadInput() {
        XCTAssertThrowsError(try EvaluatorFixtures.evaluate(Check(name: "helm", source: .command(["helm", "list"])))) { error in
            XCTAssertEqual((error as? ClusterError)?.exitCode, 2)
        }
    }

    func testKubeOnlySkipsOtherSourcesAndWhatDependsOnThem() throws {
        let results = try EvaluatorFixtures.evaluate([
            Check(name: "profile", source: .command(["aws", "eks", "list-fargate-profiles"]), captures: [Capture(name: "p", path: "{.json}")]),
            Check(name: "uses it", source: get("Node", "${p}")),
            Check(name: "nodes", source: get("Node")),
        ], options: .init(kubeOnly: true))
        XCTAssertEqual(results.map(\.status), [.notEvaluated, .notEvaluated, .passed])
        XCTAssertEqual(results[0].message, ["--kube-only: command checks are not evaluated"])
        XCTAssertEqual(results[1].message, [#"needs ${p}, which check "profile" captures, but that check was not evaluated"#])
    }
}

/// A cluster that cannot be reached: the evaluator must not turn that into a failed check.
final class EvaluatorClusterErrorTests: XCTestCase {
    private final class Unreachable: Cluster {
        func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue] {
            throw ClusterError.unreachable(context: "eks", detail: "dial tcp 10.0.0.1:443: i/o timeout")
        }
        func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput {
            throw ClusterError.unreachable(context: "eks", detail: "exec")
        }
        func http(_ request: HTTPRequest) throws -> HTTPOutput { HTTPOutput(status: 200, body: "") }
        func command(_ arguments: [String]) throws -> CommandOutput { CommandOutput(exitCode: 0, stdout: "", stderr: "") }
    }

    func testAnUnreachableClusterIsAnErrorNotAFailedCheck() {
        let evaluator = CheckEvaluator(reader: ClusterReader(cluster: Unreachable(), labNamespace: "default"), clock: FakeClock())
        let checks = [
            Check(name: "answers", source: .http(HTTPRequest(url: "http://x/"))),
            Check(name: "pods", source: get("Pod"), wait: 30),
        ]
        XCTAssertThrowsError(try evaluator.evaluate(checks)) { error in
            XCTAssertEqual((error as? ClusterError)?.exitCode, 3)
        }
    }
}
