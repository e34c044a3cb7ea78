import Foundation
import TestSupport
import XCTest

/// `klab lab test` through the built binary: exit codes 0/1/2, and the text and JSON it prints,
/// pinned as golden files under Tests/Fixtures/golden/lab-test (regenerate with
/// `Scripts/update-golden` and review the diff like code).
final class LabTestCommandTests: XCTestCase {
    private static let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures")
    private static let labs = fixtures.appendingPathComponent("lab-test/labs").path
    private static let game = fixtures.appendingPathComponent("snapshots/game").path

    private func klab(_ arguments: [String]) throws -> KlabBinary.Result {
        try KlabBinary.run(["lab", "test", "fargate", "--labs", Self.labs, "--snapshot", Self.game] + arguments,
                           currentDirectory: KlabBinary.repositoryRoot)
    }

    /// Compares with the golden file, or rewrites it when KLAB_UPDATE_GOLDEN=1.
    private func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.fixtures.appendingPathComponent("golden/lab-test/\(name)")
        try GoldenFile.check(text, against: url, hint: "run Scripts/update-golden if the change is intended", file: file, line: line)
    }

    func testAPassingStepExitsZero() throws {
        let result = try klab(["--step", "nodes"])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertGolden(result.stdout, "nodes.txt")
    }

    func testAFailingStepExitsOneAndShowsMessagesAndTheFirstHint() throws {
        let result = try klab(["--step", "deploy"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderr, "")
        XCTAssertTrue(result.stdout.contains("hint: Apply the deployment; every pod gets a Fargate node of its own.\n"), result.stdout)
        XCTAssertFalse(result.stdout.contains("Follow the pods"), "only the first hint is shown")
        try assertGolden(result.stdout, "deploy.txt")
        let json = try klab(["--step", "deploy", "--output", "json"])
        XCTAssertEqual(json.status, 1)
        try assertGolden(json.stdout, "deploy.json")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let checks = parsed?["checks"] as? [[String: Any]]
        XCTAssertEqual(checks?.map { $0["status"] as? String }, ["failed", "failed", "passed", "passed", "passed"])
    }

    func testEveryKindOfFailureMessage() throws {
        let result = try klab(["--step", "mistakes"])
        XCTAssertEqual(result.status, 1, result.stderr)
        try assertGolden(result.stdout, "mistakes.txt")
    }

    func testCompletionIsTheDefaultAndKubeOnlySkipsOtherSources() throws {
        let complete = try klab([])
        XCTAssertEqual(complete.status, 0, complete.stdout + complete.stderr)
        XCTAssertEqual(try klab(["--complete"]).stdout, complete.stdout)
        let kubeOnly = try klab(["--kube-only"])
        XCTAssertEqual(kubeOnly.status, 0)
        try assertGolden(kubeOnly.stdout, "completion-kube-only.txt")
    }

    func testParametersComeFromDefaultsAndSet() throws {
        let three = try klab(["--step", "deploy", "--set", "replicas=3"])
        XCTAssertTrue(three.stdout.contains("✗ 2048-deployment is available with 3 ready replicas"), three.stdout)
        XCTAssertTrue(three.stdout.contains("✗ Every pod of the game runs on a Fargate node\n    Pod 2048-game/"), three.stdout)
        let otherNamespace = try klab(["--step", "deploy", "--set", "namespace=shop"])
        XCTAssertTrue(otherNamespace.stdout.contains("no Deployment 2048-deployment in namespace shop"), otherNamespace.stdout)
    }

    func testBadInputExitsTwoWithOneLine() throws {
        let cases: [([String], String)] = [
            (["--step", "nope"], #"lab fargate has no step "nope"; its steps are: nodes, deploy, mistakes"#),
            (["--set", "colour=blue"], "colour"),
            (["--set", "novalue"], "novalue"),
        ]
        for (arguments, expected) in cases {
            let result = try klab(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stdout)")
            XCTAssertTrue(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        // Flags that cannot go together are a usage error: the one line, then the usage.
        let conflict = try klab(["--step", "deploy", "--complete"])
        XCTAssertEqual(conflict.status, 2, conflict.stdout)
        XCTAssertEqual(conflict.stderr.split(separator: "\n").map(String.init), [
            "klab: --step and --complete cannot be used together",
            "Usage: klab lab test <lab> --snapshot <dir> [--step <step> | --complete] [--set <name=value> ...] [--kube-only] [<options>]",
            "  See 'klab lab test --help' for more information.",
        ])
        let unknownLab = try KlabBinary.run(["lab", "test", "no-such-lab", "--labs", Self.labs, "--snapshot", Self.game])
        XCTAssertEqual(unknownLab.status, 2)
        let missing = try KlabBinary.run(["lab", "test", "fargate", "--labs", Self.labs, "--snapshot", "/nonexistent/snapshot"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/snapshot"), missing.stderr)

        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("klab-broken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: broken) }
        try Data(#"{"apiVersion": "v1", "kind": "Pod", "metadata": "#.utf8).write(to: broken.appendingPathComponent("pod.json"))
        let garbage = try KlabBinary.run(["lab", "test", "fargate", "--labs", Self.labs, "--snapshot", broken.path, "--step", "nodes"])
        XCTAssertEqual(garbage.status, 2, garbage.stderr)
        XCTAssertTrue(garbage.stderr.contains("pod.json"), garbage.stderr)
        // A snapshot without the recorded output an exec check needs is bad input too.
        let objectsOnly = try KlabBinary.run(["lab", "test", "fargate", "--labs", Self.labs, "--snapshot",
                                              KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/cluster-snapshots/shop").path])
        XCTAssertEqual(objectsOnly.status, 2, objectsOnly.stderr)
    }

    func testTheChaptersCompleteStatesPass() throws {
        for lab in ["health-probes", "fargate", "assigning-pods"] {
            let snapshot = KlabBinary.repositoryRoot.appendingPathComponent("labs/\(lab)/fixtures/complete").path
            let result = try KlabBinary.run(["lab", "test", lab, "--snapshot", snapshot], currentDirectory: KlabBinary.repositoryRoot)
            XCTAssertEqual(result.status, 0, "\(lab): \(result.stdout)\(result.stderr)")
        }
    }
}
