import Foundation
import TestSupport
import XCTest

final class LabShowCommandTests: XCTestCase {
    static var fixtureLabs: String { KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/labs").path }

    func testJSONListsTheStepsInOrder() throws {
        let result = try KlabBinary.run(["lab", "show", "complete-lab", "--labs", Self.fixtureLabs, "--output", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["id"] as? String, "complete-lab")
        let steps = try XCTUnwrap(json["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.map { $0["id"] as? String }, ["deploy", "spread"])
        XCTAssertEqual(steps.map { $0["title"] as? String }, ["Deploy the web application", "Spread the pods over nodes"])
        XCTAssertEqual(steps[0]["checks"] as? [String], ["The web deployment is available", "Remember how many web pods run"])
        XCTAssertEqual((json["parameters"] as? [[String: Any]])?.map { $0["name"] as? String }, ["namespace", "replicas", "image"])
    }

    func testTextShowsStepsWithTheirChecks() throws {
        let result = try KlabBinary.run(["lab", "show", "complete-lab", "--labs", Self.fixtureLabs])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("complete-lab: A small lab that uses every part of the format\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("""
              1. deploy: Deploy the web application
                   - The web deployment is available
                   - Remember how many web pods run
              2. spread: Spread the pods over nodes
            """), result.stdout)
        XCTAssertTrue(result.stdout.contains("Prerequisites: cluster-access\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  replicas=2  Replicas of the web deployment.\n"), result.stdout)
    }

    func testUnknownLabIsBadInputOnOneLine() throws {
        let result = try KlabBinary.run(["lab", "show", "no-such-lab", "--labs", Self.fixtureLabs])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("no lab 'no-such-lab'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("complete-lab"), result.stderr)
    }

    /// A lab id one or two letters off is named back, on the same one line, exit 2.
    func testAMisspeltLabIsNamed() throws {
        let result = try KlabBinary.run(["start", "helth-probes", "--labs", "labs", "--workspace", NSTemporaryDirectory() + "klab-typo-\(UUID().uuidString.prefix(8))"],
                                        currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("no lab 'helth-probes'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("did you mean 'health-probes'?"), result.stderr)
    }

    func testLabsFolderFromTheEnvironment() throws {
        let result = try KlabBinary.run(["lab", "show", "complete-lab", "-o", "json"], environment: ["KLAB_LABS": Self.fixtureLabs])
        XCTAssertEqual(result.status, 0, result.stderr)
    }
}
