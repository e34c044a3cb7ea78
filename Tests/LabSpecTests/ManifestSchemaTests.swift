import Foundation
import TestSupport
import XCTest
@testable import LabSpec

/// Every lab's manifests, rendered with the lab's defaults, are valid Kubernetes 1.32 objects
/// by the schemas `kubernetes-validate` (PyPI, installed by `Scripts/setup --test`) ships.
/// Runs over every folder of the project's `labs/`, so new labs are covered as they land.
final class ManifestSchemaTests: XCTestCase {
    static let kubernetesVersion = "1.32.0"

    func testEveryProjectLabRendersToValidKubernetesObjects() throws {
        let loader = LabLoader(labsDirectory: Fixtures.repository.appendingPathComponent("labs"))
        let ids = loader.labIDs()
        XCTAssertFalse(ids.isEmpty, "no labs found in the project's labs/")
        var files: [URL] = []
        for id in ids {
            let lab = try loader.load(id)
            let yaml = try ManifestRenderer(lab: lab).renderYAML()
            if yaml.isEmpty { continue }
            files.append(try write(yaml, name: id))
        }
        let result = try validate(files)
        XCTAssertEqual(result.status, 0, result.output)
        // One "passed" line per object, so a lab that rendered nothing cannot pass unnoticed.
        XCTAssertTrue(result.output.contains("passed"), result.output)
    }

    func testTheValidFixtureLabPasses() throws {
        let lab = try Fixtures.loader.load("complete-lab")
        let file = try write(try ManifestRenderer(lab: lab).renderYAML(learner: "alice"), name: "complete-lab")
        let result = try validate([file])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.components(separatedBy: "passed for resource").count - 1, 2, result.output)
    }

    func testASchemaViolationFails() throws {
        let lab = try Fixtures.loader.load("schema-violation")
        let file = try write(try ManifestRenderer(lab: lab).renderYAML(), name: "schema-violation")
        let result = try validate([file])
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("spec.replicas: 'two' is not of type 'integer'"), result.output)
    }

    private func write(_ yaml: String, name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("klab-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(name).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// `python3 -m kubernetes_validate --strict -k 1.32.0 FILES`: exit status and what it printed.
    private func validate(_ files: [URL]) throws -> (status: Int32, output: String) {
        let result = try TestProcess.run("python3", ["-m", "kubernetes_validate", "--strict", "-k", Self.kubernetesVersion] + files.map(\.path))
        let output = result.stdout + result.stderr
        if output.contains("No module named kubernetes_validate") {
            XCTFail("kubernetes-validate is not installed; run Scripts/setup --test")
        }
        return (result.status, output)
    }
}
