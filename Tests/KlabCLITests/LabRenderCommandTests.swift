import Foundation
import TestSupport
import XCTest

final class LabRenderCommandTests: XCTestCase {
    func testRendersForALearnerWithParametersSet() throws {
        let result = try KlabBinary.run([
            "lab", "render", "complete-lab", "--labs", LabShowCommandTests.fixtureLabs,
            "--set", "replicas=4", "--set", "namespace=team-a", "--learner", "alice",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.components(separatedBy: "---\n# Source: manifests/web.yaml\n").count, 3, result.stdout)
        XCTAssertTrue(result.stdout.contains("  replicas: 4\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  namespace: team-a\n"), result.stdout)
        let podTemplate = "  template:\n    metadata:\n      labels:\n        app: web\n        klab.dev/lab: complete-lab\n        klab.dev/learner: alice\n"
        XCTAssertTrue(result.stdout.contains(podTemplate), result.stdout)
    }

    func testJSONIsAList() throws {
        let result = try KlabBinary.run(["lab", "render", "complete-lab", "--labs", LabShowCommandTests.fixtureLabs, "-o", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let items = try XCTUnwrap(json["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["kind"] as? String }, ["Deployment", "Service"])
        let labels = (items[1]["metadata"] as? [String: Any])?["labels"] as? [String: String]
        XCTAssertEqual(labels, ["klab.dev/lab": "complete-lab", "klab.dev/learner": "learner"])
    }

    func testUnknownParameterIsBadInput() throws {
        let result = try KlabBinary.run(["lab", "render", "complete-lab", "--labs", LabShowCommandTests.fixtureLabs, "--set", "replica=4"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "klab: lab complete-lab has no parameter 'replica'; known: namespace, replicas, image, learner\n")
    }

    func testBrokenManifestIsBadInputWithItsPlace() throws {
        let result = try KlabBinary.run(
            ["lab", "render", "bad-manifests", "--labs", "Tests/Fixtures/labs"], currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("klab: Tests/Fixtures/labs/bad-manifests/manifests/no-kind.yaml:8:1: a Kubernetes object needs kind, metadata.name"), result.stderr)
    }
}
