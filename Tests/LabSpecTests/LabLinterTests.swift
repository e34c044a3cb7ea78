import Foundation
import KubeCore
import TestSupport
import XCTest
@testable import LabSpec

/// Each broken fixture lab under `Tests/Fixtures/labs/` prints exactly its golden
/// `Tests/Fixtures/lint/<lab>.txt` (`file:line:column: message`, one problem a line).
/// After a deliberate change, regenerate with `KLAB_UPDATE_GOLDEN=1 swift test --filter LabLinterTests`
/// and review the diff like code.
final class LabLinterTests: XCTestCase {
    static let brokenLabs = [
        "bad-manifests", "bad-selectors", "bad-values", "check-language", "duplicate-ids", "escaping-paths", "missing-files", "redacted-outputs", "unknown-captures",
        "unknown-keys", "wrong-id", "wrong-types", "yaml-syntax",
    ]

    func testEachBrokenLabReportsExactlyItsGoldenProblems() throws {
        let linter = LabLinter(loader: Fixtures.loader)
        let update = GoldenFile.updating
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

    func testCIDRsAreLintedByTheTypeTheEvaluatorUses() throws {
        // The linter had its own parser: it crashed on ½ (a Unicode number), refused a bare
        // address the evaluator takes, and passed 010.0.0.0/8, which the evaluator refuses.
        let blocks = ["½.0.0.0/8", "10.0.0.7", "010.0.0.0/8", "fd00::/8", "10.0.0.0/33"]
        let checks = blocks.map { "      - {name: '\($0)', get: Pod, expect: [{path: '{.status.podIP}', cidr: '\($0)'}]}" }
        let (loader, _) = try Fixtures.temporaryLab(
            "format: 1\nid: scratch\ntitle: Scratch\nsteps:\n  - id: one\n    title: One\n    checks:\n" + checks.joined(separator: "\n") + "\n")
        let flagged = LabLinter(loader: loader).lint("scratch").compactMap { problem -> String? in
            guard case let .invalidValue("cidr", value, _, _) = problem else { return nil }
            return value
        }
        XCTAssertEqual(flagged, ["½.0.0.0/8", "010.0.0.0/8", "10.0.0.0/33"])
    }

    func testSubnetOfBlocksAreLintedAsCIDRs() throws {
        let blocks = ["100.64.0.0/16", "100.64.0.0/33", "fd00::/8", "100.64/16", "${vpcBlock}"]
        let checks = blocks.map { "      - {name: '\($0)', command: [aws, ec2, describe-subnets], expect: [{path: '{.json.Subnets[*].CidrBlock}', subnetOf: '\($0)'}]}" }
        let (loader, _) = try Fixtures.temporaryLab(
            "format: 1\nid: scratch\ntitle: Scratch\nsteps:\n  - id: one\n    title: One\n    checks:\n"
                + "      - {name: remember, get: ConfigMap/vpc, capture: {vpcBlock: '{.items[0].data.block}'}}\n"
                + checks.joined(separator: "\n") + "\n")
        let problems = LabLinter(loader: loader).lint("scratch")
        let flagged = problems.compactMap { problem -> String? in
            guard case let .invalidValue("subnetOf", value, reason, _) = problem else { return nil }
            XCTAssertEqual(reason, "not a CIDR block such as 10.0.0.0/16 or fd00::/8")
            return value
        }
        XCTAssertEqual(flagged, ["100.64.0.0/33", "100.64/16"], "\(problems)")
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

    func testOnlyAReadOfStdoutNextToARedactedSameCallIsWarnedAbout() throws {
        func check(_ paths: [String], capture: String? = nil) -> Check {
            Check(name: "c", source: .command(["login"]),
                  expectation: Expectation(all: paths.map { .value(path: $0, predicate: .exists) }),
                  captures: capture.map { [Capture(name: "x", path: $0)] } ?? [])
        }
        XCTAssertFalse(LabLinter.readsStdout(check([])), "no assertions: the exit code")
        XCTAssertFalse(LabLinter.readsStdout(check(["{.exitCode}", "{ $.stderr }", "{.ran}", "{.error}"])))
        XCTAssertTrue(LabLinter.readsStdout(check(["{.exitCode}", "{.stdout}"])))
        XCTAssertTrue(LabLinter.readsStdout(check(["{.json.items[0]}"])))
        XCTAssertTrue(LabLinter.readsStdout(check(["{.exitCode}"], capture: "{.stdout}")))
        XCTAssertTrue(LabLinter.readsStdout(check(["{}"])), "the whole result holds stdout")

        // A probe is the same call whatever its timeout; another command is another call.
        let probe = { (timeout: String, redact: Bool, command: String) in
            "      - {name: '\(timeout) \(redact)', probe: {command: [\(command)], timeout: \(timeout)}, redact: \(redact), expect: [{path: '{.stdout}', matches: x}]}"
        }
        let (loader, _) = try Fixtures.temporaryLab(
            "format: 1\nid: scratch\ntitle: Scratch\nsteps:\n  - id: one\n    title: One\n    checks:\n"
                + [probe("10s", true, "nc"), probe("30s", false, "nc"), probe("30s", false, "wget")].joined(separator: "\n") + "\n")
        let warnings = LabLinter(loader: loader).lint("scratch").filter(\.isWarning).map(\.description)
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.contains("check '30s false' in step 'one' reads the stdout of the same probe as check '10s true'") == true, "\(warnings)")
    }

    func testAssignments() throws {
        XCTAssertEqual(try Lab.assignments(["a=1", "b=x=y", "c="]), ["a": "1", "b": "x=y", "c": ""])
        XCTAssertThrowsError(try Lab.assignments(["novalue"]))
        XCTAssertThrowsError(try Lab.assignments(["=x"]))
    }
}
