import Foundation
import TestSupport
import XCTest

/// `klab lab record` through the built binary, against the kubectl stand-in answering from a
/// state folder: what it records is a fixture on which `klab lab test` gives the verdict the
/// cluster gave, for gets, execs and `kubectl auth can-i` alike.
final class LabRecordCommandTests: XCTestCase {
    let repository = KlabBinary.repositoryRoot
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-record-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func fixture(_ lab: String, _ name: String) -> String {
        repository.appendingPathComponent("labs/\(lab)/fixtures/\(name)").path
    }

    /// The stand-in first on PATH, answering from `state`.
    func cluster(_ state: String, fail: String? = nil) -> [String: String] {
        var environment = ["PATH": repository.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin",
                           "KLAB_STANDIN_SNAPSHOTS": state, "KLAB_STANDIN_LOG": root.appendingPathComponent("standin.log").path]
        if let fail { environment["KLAB_STANDIN_FAIL"] = fail }
        return environment
    }

    func klab(_ arguments: [String], _ environment: [String: String] = [:]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments, environment: environment, currentDirectory: root)
    }

    /// Records `state`, then tests the recording; returns both results and `lab test` on the
    /// original state, for comparison.
    func recordAndTest(_ lab: String, _ scope: [String], from state: String) throws -> (record: KlabBinary.Result, test: KlabBinary.Result, original: KlabBinary.Result) {
        let out = root.appendingPathComponent("out-\(UUID().uuidString.prefix(6))").path
        let record = try klab(["lab", "record", lab] + scope + [out], cluster(state))
        let test = try klab(["lab", "test", lab] + scope + ["--snapshot", out])
        let original = try klab(["lab", "test", lab] + scope + ["--snapshot", state])
        return (record, test, original)
    }

    func testARecordedPassingStateIsAPassingFixture() throws {
        let run = try recordAndTest("health-probes", ["--step", "liveness"], from: fixture("health-probes", "liveness--pass"))
        XCTAssertEqual(run.record.status, 0, run.record.stderr)
        XCTAssertEqual(run.record.stderr, "")
        XCTAssertTrue(run.record.stdout.contains("✓ The liveness-app pod"), run.record.stdout)
        XCTAssertTrue(run.record.stdout.contains("the checks pass on this state; as a fixture, name the folder liveness--pass.\n"), run.record.stdout)
        XCTAssertEqual(run.test.status, 0, run.test.stdout + run.test.stderr)
        XCTAssertEqual(run.test.stdout, run.original.stdout)
    }

    func testARecordedFailingStateIsAFailingFixtureWithTheSameMessages() throws {
        let run = try recordAndTest("health-probes", ["--step", "liveness"], from: fixture("health-probes", "liveness--fail-no-probe"))
        XCTAssertEqual(run.record.status, 0, "recording a failing state is a success: \(run.record.stderr)")
        XCTAssertTrue(run.record.stdout.contains("the checks fail on this state; as a fixture, name the folder liveness--fail-<what>.\n"), run.record.stdout)
        XCTAssertEqual(run.test.status, 1, run.test.stdout + run.test.stderr)
        XCTAssertEqual(run.test.stdout, run.original.stdout)
    }

    /// Exec outputs are recorded as the snapshot format keeps them (outputs/), and the completion
    /// checks pass on the recording as on the state.
    func testExecCallsAreRecorded() throws {
        let run = try recordAndTest("exposing-services", ["--complete"], from: fixture("exposing-services", "complete"))
        XCTAssertEqual(run.record.status, 0, run.record.stderr)
        XCTAssertEqual(run.test.status, 0, run.test.stdout + run.test.stderr)
        XCTAssertEqual(run.test.stdout, run.original.stdout)
        let failing = try recordAndTest("exposing-services", ["--complete"], from: fixture("exposing-services", "complete--fail-curl-without-service-variables"))
        XCTAssertEqual(failing.test.status, 1)
        XCTAssertEqual(failing.test.stdout, failing.original.stdout)
    }

    /// `canI` questions are `kubectl auth can-i` calls, recorded as command outputs.
    func testCanIQuestionsAreRecorded() throws {
        let state = root.appendingPathComponent("rbac-state")
        try FileManager.default.copyItem(atPath: fixture("rbac", "can-i--pass"), toPath: state.path)
        try FileManager.default.removeItem(at: state.appendingPathComponent("outputs"))
        let rules: [[String: Any]] = [
            ["verb": "list", "resource": "pods", "namespace": "development", "as": "dev-user", "allowed": true],
            ["verb": "list", "resource": "deployments.apps", "namespace": "development", "as": "dev-user", "allowed": true],
            // the subresource question (`--subresource=log`), as the stand-in spells it
            ["verb": "get", "resource": "pods/log", "namespace": "development", "as": "dev-user", "allowed": true],
        ]
        try JSONSerialization.data(withJSONObject: rules).write(to: state.appendingPathComponent("can-i.json"))
        let out = root.appendingPathComponent("can-i--pass").path
        let record = try klab(["lab", "record", "rbac", "--step", "can-i", out], cluster(state.path))
        XCTAssertEqual(record.status, 0, record.stdout + record.stderr)
        XCTAssertTrue(record.stdout.contains("name the folder can-i--pass"), record.stdout)
        let outputs = try FileManager.default.contentsOfDirectory(atPath: out + "/outputs").filter { $0.hasPrefix("command-") }
        XCTAssertEqual(outputs.count, 5, "one recorded answer per question: \(outputs)")
        let test = try klab(["lab", "test", "rbac", "--step", "can-i", "--snapshot", out])
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
    }

    func testANonEmptyFolderIsRefusedUnlessForced() throws {
        let out = root.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: out.appendingPathComponent("old.json"))
        let refused = try klab(["lab", "record", "health-probes", "--step", "liveness", out.path], cluster(fixture("health-probes", "liveness--pass")))
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertEqual(refused.stderr, "klab: \(out.path) is not empty; name a new or empty folder, or pass --force to replace what it holds\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("old.json").path))
        let forced = try klab(["lab", "record", "health-probes", "--step", "liveness", out.path, "--force"], cluster(fixture("health-probes", "liveness--pass")))
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("old.json").path))
    }

    func testBadInputAndAnUnreachableCluster() throws {
        let out = root.appendingPathComponent("never").path
        let state = cluster(fixture("health-probes", "liveness--pass"))
        let neither = try klab(["lab", "record", "health-probes", out], state)
        XCTAssertEqual(neither.status, 2)
        XCTAssertTrue(neither.stderr.contains("--step <step> or --complete"), neither.stderr)
        let unknown = try klab(["lab", "record", "health-probes", "--step", "livenes", out], state)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stderr, "klab: lab health-probes has no step \"livenes\"; its steps are: liveness, fail-liveness, readiness, fail-readiness\n")
        let unreachable = try klab(["lab", "record", "health-probes", "--step", "liveness", out], cluster(fixture("health-probes", "liveness--pass"), fail: "unreachable"))
        XCTAssertEqual(unreachable.status, 3, unreachable.stderr)
        XCTAssertEqual(unreachable.stderr.split(separator: "\n").count, 1, unreachable.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written when the cluster cannot be read")
    }

    func testJSONNamesTheFilesAndTheVerdict() throws {
        let out = root.appendingPathComponent("json").path
        let result = try klab(["lab", "record", "health-probes", "--step", "liveness", out, "--output", "json"], cluster(fixture("health-probes", "liveness--pass")))
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["passed"] as? Bool, true, result.stdout)
        XCTAssertEqual(json?["step"] as? String, "liveness")
        XCTAssertEqual(json?["files"] as? [String], ["default/Pod.json"], result.stdout)
    }
}

extension LabRecordCommandTests {
    /// A learner's namespace (-n, as `lab render` takes it) is where the checks read.
    func testTheNamespaceComesFromDashN() throws {
        let state = root.appendingPathComponent("ada-state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let pods = try String(contentsOfFile: fixture("health-probes", "liveness--pass") + "/pods.json", encoding: .utf8)
        try pods.replacingOccurrences(of: "\"namespace\": \"default\"", with: "\"namespace\": \"ada\"")
            .write(to: state.appendingPathComponent("pods.json"), atomically: true, encoding: .utf8)
        let out = root.appendingPathComponent("ada").path
        let record = try klab(["lab", "record", "health-probes", "--step", "liveness", out, "-n", "ada"], cluster(state.path))
        XCTAssertEqual(record.status, 0, record.stderr)
        XCTAssertTrue(record.stdout.contains("name the folder liveness--pass"), record.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/ada/Pod.json"))
        let test = try klab(["lab", "test", "health-probes", "--step", "liveness", "--snapshot", out, "--set", "namespace=ada"])
        XCTAssertEqual(test.status, 0, test.stdout)
    }
}
