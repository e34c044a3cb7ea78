import Foundation
import TestSupport
import XCTest

/// How many kubectl processes one `klab verify` runs, counted from the kubectl stand-in's log:
/// one `get` for everything a step's checks and their joins read, plus one process for each
/// check that must have its own (an exec). The step is verified as a learner does it: the
/// steps before it passed first, then the step again from its start.
final class VerifyProcessCountTests: XCTestCase {
    var root: URL!
    let repository = KlabBinary.repositoryRoot

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-processes-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// The kubectl calls of verifying `step` of `lab` again, after `before` and `step` passed
    /// (each through its `--pass` fixture; those in `practice`, whose checks the stand-in cannot
    /// answer, as practice against it: `klab verify --snapshot`).
    private func calls(lab: String, step: String, before: [String], practice: Set<String> = []) throws -> [[String]] {
        let workspace = root.appendingPathComponent(lab).path
        let start = try KlabBinary.run(["start", lab, "--learner", "ada", "--workspace", workspace], currentDirectory: root)
        XCTAssertEqual(start.status, 0, start.stderr)
        let log = root.appendingPathComponent("\(lab).log")
        func environment(_ step: String) -> [String: String] {
            ["PATH": repository.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin",
             "KLAB_STANDIN_SNAPSHOTS": repository.appendingPathComponent("labs/\(lab)/fixtures/\(step)--pass").path,
             "KLAB_STANDIN_LOG": log.path]
        }
        for earlier in before + [step] {
            let fixture = repository.appendingPathComponent("labs/\(lab)/fixtures/\(earlier)--pass").path
            let verify = practice.contains(earlier)
                ? try KlabBinary.run(["verify", "--workspace", workspace, "--snapshot", fixture], currentDirectory: root)
                : try KlabBinary.run(["verify", "--workspace", workspace], environment: environment(earlier), currentDirectory: root)
            XCTAssertEqual(verify.status, 0, "\(lab) \(earlier): \(verify.stdout)\(verify.stderr)")
        }
        let reset = try KlabBinary.run(["reset", "--step", step, "--workspace", workspace, lab], currentDirectory: root)
        XCTAssertEqual(reset.status, 0, reset.stderr)
        try? FileManager.default.removeItem(at: log)
        let verify = try KlabBinary.run(["verify", "--workspace", workspace], environment: environment(step), currentDirectory: root)
        XCTAssertEqual(verify.status, 0, "\(lab) \(step): \(verify.stdout)\(verify.stderr)")
        let text = try String(contentsOf: log, encoding: .utf8)
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
    }

    func testAServicesJoinedPodsComeInTheStepsOneGet() throws {
        let calls = try calls(lab: "microservices", step: "backends", before: [])
        XCTAssertEqual(calls, [["get", "deployments.apps,services,pods", "-n", "default", "-o", "json", "--request-timeout=15s"]])
    }

    func testAClaimsJoinedPersistentVolumesComeInTheStepsOneGet() throws {
        let calls = try calls(lab: "stateful-ebs", step: "statefulset", before: ["ebs-csi-driver", "storage-class", "config-and-services"])
        XCTAssertEqual(calls, [["get", "statefulsets.apps,pods,persistentvolumeclaims,persistentvolumes", "-n", "mysql", "-o", "json",
                                "--request-timeout=15s"]])
    }

    func testAReadOnlyAnExpectationsCaptureWaitsForComesInTheSameGet() throws {
        let calls = try calls(lab: "pod-autoscaling", step: "load", before: ["metrics-server", "php-apache", "hpa"], practice: ["metrics-server"])
        XCTAssertEqual(calls, [["get", "pods,horizontalpodautoscalers.autoscaling,deployments.apps", "-n", "default", "-o", "json",
                                "--request-timeout=15s"]])
    }

    func testEachExecIsAProcessOfItsOwnBesideTheOneGet() throws {
        let calls = try calls(lab: "exposing-services", step: "environment", before: ["cluster-ip"])
        XCTAssertEqual(calls.filter { $0.first == "get" }, [["get", "pods,services", "-n", "default", "-o", "json", "--request-timeout=15s"]])
        XCTAssertEqual(calls.filter { $0.first != "get" }.map { Array($0.suffix(2)) },
                       [["printenv", "MY_NGINX_SERVICE_HOST"], ["printenv", "MY_NGINX_SERVICE_PORT"]])
        XCTAssertEqual(calls.count, 3)
    }

    func testEachCanIIsAProcessOfItsOwnAndNothingElseIsRead() throws {
        let calls = try calls(lab: "rbac", step: "can-i", before: ["iam-roles", "aws-auth", "dev-role"], practice: ["iam-roles"])
        XCTAssertEqual(calls.map { Array($0.prefix(4)) }, [
            ["auth", "can-i", "list", "pods"], ["auth", "can-i", "list", "deployments.apps"], ["auth", "can-i", "get", "pods"],
            ["auth", "can-i", "delete", "pods"], ["auth", "can-i", "list", "pods"],
        ])
    }
}
