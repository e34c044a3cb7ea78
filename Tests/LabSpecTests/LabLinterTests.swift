import Foundation
import KubeCore
import XCTest
@testable import LabSpec

/// Each broken fixture lab under `Tests/Fixtures/labs/` prints exactly its golden
/// `Tests/Fixtures/lint/<lab>.txt` (`file:line:column: message`, one problem a line).
/// After a deliberate change, regenerate with `KLAB_UPDATE_GOLDEN=1 swift test --filter LabLinterTests`
/// and review the diff like code.
final class LabLinterTests: XCTestCase {
    static let brokenLabs = [
        "bad-manifests", "bad-values", "duplicate-ids", "escaping-paths", "missing-files", "unknown-captures",
        "unknown-keys", "wrong-id", "wrong-types", "yaml-syntax",
    ]

    func testEachBrokenLabReportsExactlyItsGoldenProblems() throws {
        let linter = LabLinter(loader: Fixtures.loader)
        let update = ProcessInfo.processInfo.environment["KLAB_UPDATE_GOLDEN"] == "1"
        for id in Self.brokenLabs {
            let output = linter.lint(id).map(\.description).joined(separator: "\n") + "\n"
            let golden = Fixtures.root.appendingPathComponent("lint/\(id).txt")
            if update { try output.write(to: golden, atomically: true, encoding: .utf8) }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            XCTAssertEqual(output, expected, "lint of \(id) differs from lint/\(id).txt")
            XCTAssertFalse(expected.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(id) must show a problem")
        }
    }

    func testTheFixtureLabsAreThere() {
        let ids = Set(Fixtures.loader.labIDs())
        XCTAssertTrue(Set(Self.brokenLabs + Self.cleanLabs).isSubset(of: ids), "\(ids.sorted())")
    }

    /// Fixture labs with nothing the linter can find (schema-violation fails only the schema test).
    static let cleanLabs = ["complete-lab", "schema-violation"]

    func testTheCleanLabsHaveNoProblems() {
        for id in Self.cleanLabs {
            XCTAssertEqual(LabLinter(loader: Fixtures.loader).lint(id).map(\.description), [], id)
        }
    }

    func testTheProjectLabsHaveNoProblems() {
        let loader = LabLoader(labsDirectory: Fixtures.repository.appendingPathComponent("labs"))
        for id in loader.labIDs() {
            XCTAssertEqual(LabLinter(loader: loader).lint(id).map(\.description), [], id)
        }
    }

    func testSuggestionsOnlyWhenClose() {
        XCTAssertEqual(Suggestion.closest(to: "expcet", in: LabDecoder.checkKeys), "expect")
        XCTAssertEqual(Suggestion.closest(to: "Equals", in: LabDecoder.predicateKeys), "equals")
        XCTAssertNil(Suggestion.closest(to: "colour", in: LabDecoder.selectorKeys))
    }

    func testCIDRSyntax() {
        for valid in ["10.0.0.0/16", "100.64.0.0/10", "0.0.0.0/0", "fd00::/8", "2001:db8::/32"] {
            XCTAssertTrue(CIDRSyntax.isValid(valid), valid)
        }
        for invalid in ["10.0.0.0/33", "10.0.0/16", "10.0.0.256/8", "10.0.0.0", "fd00::/129", "x/8", "10.0.0.0/-1"] {
            XCTAssertFalse(CIDRSyntax.isValid(invalid), invalid)
        }
    }

    func testParametersSubstituteIntoChecksAndLeaveCaptures() throws {
        let lab = try Fixtures.loader.load("complete-lab")
        let resolved = try lab.resolved(parameters: ["replicas": "4"])
        let deploy = try XCTUnwrap(resolved.step("deploy"))
        XCTAssertEqual(deploy.checks[0].expectation.all[1], .value(path: "{.spec.replicas}", predicate: .compare(.equal, "4")))
        guard case let .partial(object, _) = deploy.checks[0].expectation.all[2] else { return XCTFail("partial expected") }
        XCTAssertTrue("\(object)".contains("nginx:1.27"), "\(object)")
        XCTAssertEqual(resolved.step("spread")?.checks[0].expectation.count, .comparison(.greaterOrEqual, "${webPods}"))
        XCTAssertEqual(resolved.defaultParameters["replicas"], "4")
        XCTAssertThrowsError(try lab.resolved(parameters: ["replica": "4"])) { error in
            XCTAssertEqual("\(error)", "lab complete-lab has no parameter 'replica'; known: namespace, replicas, image, learner")
        }
    }

    func testAssignments() throws {
        XCTAssertEqual(try Lab.assignments(["a=1", "b=x=y", "c="]), ["a": "1", "b": "x=y", "c": ""])
        XCTAssertThrowsError(try Lab.assignments(["novalue"]))
        XCTAssertThrowsError(try Lab.assignments(["=x"]))
    }
}
