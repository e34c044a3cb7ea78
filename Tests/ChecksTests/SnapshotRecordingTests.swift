import Foundation
import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// `SnapshotRecording` (`klab lab record`): what checks read, written as a folder on which the
/// same checks reach the same verdict, with nothing else in it and no Secret value.
final class SnapshotRecordingTests: XCTestCase {
    static let labs = LabLoader(labsDirectory: URL(fileURLWithPath: ClusterFixtures.root)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("labs"))
    var out: String!

    override func setUp() {
        out = FileManager.default.temporaryDirectory.appendingPathComponent("klab-record-\(UUID().uuidString.prefix(8))").path
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: out)
    }

    private func checks(_ lab: String, step: String?) throws -> [Check] {
        let loaded = try Self.labs.load(lab).resolved()
        return try XCTUnwrap(step.map { loaded.step($0)?.checks } ?? loaded.completion)
    }

    private func fixture(_ lab: String, _ name: String) -> String {
        Self.labs.labsDirectory.appendingPathComponent("\(lab)/fixtures/\(name)").path
    }

    private func verdicts(_ checks: [Check], on directory: String) throws -> [String] {
        let evaluator = CheckEvaluator(reader: ClusterReader(cluster: try SnapshotCluster(directory: directory), labNamespace: "default"),
                                       options: .init(honourWait: false))
        return try evaluator.evaluate(checks).map { "\($0.status.rawValue): \($0.name) \($0.message)" }
    }

    /// Recorded from a fixture (the cluster), the folder gives every check the verdict and the
    /// message the cluster gave it: passing, failing, exec outputs included.
    func testARecordingGivesTheChecksTheVerdictTheClusterGave() throws {
        let cases: [(lab: String, step: String?, state: String, passes: Bool)] = [
            ("health-probes", "liveness", "liveness--pass", true),
            ("health-probes", "liveness", "liveness--fail-no-probe", false),
            ("health-probes", nil, "complete", true),
            ("exposing-services", nil, "complete", true),
            ("exposing-services", nil, "complete--fail-curl-without-service-variables", false),
        ]
        for (index, item) in cases.enumerated() {
            let checks = try checks(item.lab, step: item.step)
            let recording = try SnapshotRecording(
                checks: checks, cluster: try SnapshotCluster(directory: fixture(item.lab, item.state)), labNamespace: "default")
            XCTAssertEqual(recording.passed, item.passes, item.state)
            let folder = out + "/\(index)"
            try recording.write(to: folder)
            XCTAssertEqual(try verdicts(checks, on: folder), try verdicts(checks, on: fixture(item.lab, item.state)), item.state)
        }
    }

    /// Only what the checks read: one list per kind and scope, the exec calls made, no more.
    func testTheFolderHoldsWhatTheChecksReadAndNothingElse() throws {
        // The state holds deployments, events, nodes and pods; the step reads pods alone.
        let liveness = try SnapshotRecording(
            checks: try checks("health-probes", step: "liveness"), cluster: try SnapshotCluster(directory: fixture("health-probes", "liveness--pass")),
            labNamespace: "default")
        XCTAssertEqual(liveness.evidence.paths, ["default/Pod.json"])
        XCTAssertEqual(Set(liveness.files.keys), ["default/Pod.json"], "no captures.env without captures")
        let exposing = try SnapshotRecording(
            checks: try checks("exposing-services", step: nil), cluster: try SnapshotCluster(directory: fixture("exposing-services", "complete")),
            labNamespace: "default")
        XCTAssertEqual(exposing.evidence.paths.filter { $0.hasPrefix("outputs/") }.count, 2, "\(exposing.evidence.paths)")
    }

    func testNoiseIsTrimmedAndSecretValuesAreDigests() throws {
        let state = try ClusterFixtures.folder(["secret.json": """
            {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
             "metadata": {"name": "db", "namespace": "default", "managedFields": [{"manager": "kubectl"}],
                          "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\\"data\\":{\\"password\\":\\"czNjcjN0\\"}}"}},
             "data": {"password": "czNjcjN0"}}
            """])
        defer { try? FileManager.default.removeItem(atPath: state) }
        let labs = try ClusterFixtures.folder([
            "labs/secret-lab/lab.yaml": """
                format: 1
                id: secret-lab
                title: A Secret
                steps:
                  - id: secret
                    title: Create the Secret
                    checks:
                      - name: The db Secret has a password
                        get: Secret/db
                        expect:
                          - path: '{.data.password}'
                            digest: \(ValueDigest.of(text: "czNjcjN0"))
                """,
            "content/secret-lab/secret.md": "# Create the Secret\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: labs) }
        let check = try XCTUnwrap(LabLoader(labsDirectory: URL(fileURLWithPath: labs + "/labs")).load("secret-lab").steps.first?.checks.first)
        let recording = try SnapshotRecording(checks: [check], cluster: try SnapshotCluster(directory: state), labNamespace: "default")
        XCTAssertTrue(recording.passed)
        try recording.write(to: out)
        let text = try String(contentsOfFile: out + "/default/Secret.json", encoding: .utf8)
        XCTAssertFalse(text.contains("czNjcjN0"), text)
        XCTAssertFalse(text.contains("managedFields"), text)
        XCTAssertFalse(text.contains("last-applied-configuration"), text)
        XCTAssertTrue(text.contains(ValueDigest.of(text: "czNjcjN0")), text)
        XCTAssertEqual(try verdicts([check], on: out), ["passed: The db Secret has a password []"])
    }

    func testCapturesAreWrittenForLabTest() throws {
        let recording = try SnapshotRecording(
            checks: try checks("health-probes", step: "liveness"), cluster: try SnapshotCluster(directory: fixture("health-probes", "liveness--pass")),
            labNamespace: "default", captures: ["b": "2", "a": "x=1"])
        try recording.write(to: out)
        XCTAssertEqual(try String(contentsOfFile: out + "/captures.env", encoding: .utf8), "a=x=1\nb=2\n")
    }

    func testAFolderWithFilesIsRefusedUnlessReplacingWhichEmptiesItFirst() throws {
        let recording = try SnapshotRecording(
            checks: try checks("health-probes", step: "liveness"), cluster: try SnapshotCluster(directory: fixture("health-probes", "liveness--pass")),
            labNamespace: "default")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try recording.write(to: out)  // an empty folder is fine
        try Data("{}".utf8).write(to: URL(fileURLWithPath: out + "/stale.json"))
        XCTAssertThrowsError(try recording.write(to: out)) { error in
            XCTAssertEqual(error as? ClusterError, .recordingFolderNotEmpty(directory: out, isFile: false))
            XCTAssertEqual((error as? ClusterError)?.exitCode, 2)
        }
        try recording.write(to: out, replacing: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/stale.json"), "an older state's file stays behind")
        XCTAssertEqual(try verdicts(try checks("health-probes", step: "liveness"), on: out).filter { $0.hasPrefix("failed") }, [])
        let file = out + "/0"
        try Data().write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try recording.write(to: file, replacing: true)) { error in
            XCTAssertEqual(error as? ClusterError, .recordingFolderNotEmpty(directory: file, isFile: true))
        }
    }

    /// Through kubectl (the stand-in answering from a fixture): the reads are the engine's,
    /// one `get` for the step's kinds, and the folder passes as the fixture does.
    func testRecordingThroughKubectl() throws {
        let standIn = KubectlStandIn(snapshots: [fixture("health-probes", "liveness--pass")])
        let checks = try checks("health-probes", step: "liveness")
        let recording = try SnapshotRecording(checks: checks, cluster: standIn.cluster(), labNamespace: "default")
        XCTAssertTrue(recording.passed, "\(recording.results)")
        XCTAssertEqual(standIn.calls.filter { $0.first == "get" }.count, 1, "\(standIn.calls)")
        try recording.write(to: out)
        XCTAssertEqual(try verdicts(checks, on: out), try verdicts(checks, on: fixture("health-probes", "liveness--pass")))
    }
}

extension SnapshotRecordingTests {
    /// Every chapter fixture, taken as the cluster and recorded for the step its name says
    /// (with its captures.env), gives every check the same verdict and message as the fixture.
    func testRecordingEveryChapterFixtureKeepsItsVerdicts() throws {
        var compared = 0
        for id in Self.labs.labIDs() {
            let loaded = try Self.labs.load(id)
            let lab = try loaded.resolved()
            let namespace = try loaded.parameterValues()["namespace"] ?? "default"
            let folder = Self.labs.labsDirectory.appendingPathComponent("\(id)/fixtures")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? [] {
                let step = name.hasPrefix("complete") ? nil : String(name.components(separatedBy: "--")[0])
                guard let checks = step.map({ lab.step($0)?.checks }) ?? lab.completion else { continue }
                let state = folder.appendingPathComponent(name).path
                var captures: [String: String] = [:]
                if let text = try? String(contentsOfFile: state + "/captures.env", encoding: .utf8) {
                    for line in text.split(separator: "\n") {
                        let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                        if parts.count == 2 { captures[parts[0]] = parts[1] }
                    }
                }
                func verdicts(_ directory: String) throws -> [String] {
                    let reader = ClusterReader(cluster: try SnapshotCluster(directory: directory), labNamespace: namespace)
                    return try CheckEvaluator(reader: reader, options: .init(honourWait: false)).evaluate(checks, captures: captures)
                        .map { "\($0.status.rawValue): \($0.name) \($0.message)" }
                }
                let recording = try SnapshotRecording(checks: checks, cluster: try SnapshotCluster(directory: state),
                                                      labNamespace: namespace, captures: captures)
                let out = self.out + "/\(id)/\(name)"
                try recording.write(to: out)
                XCTAssertEqual(try verdicts(out), try verdicts(state), "\(id)/\(name)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 100, "the chapters' fixtures were found")
    }
}
