import Checks
import Foundation
import Grading
import KubeJSON
import LabGit
import LabSpec
import TestSupport
import XCTest
@testable import Workspace

/// A value captured from a Secret is committed as its digest (and length), the later checks of
/// the step get the value, later steps the digest, and the grader, which re-derives captures
/// from its own evaluation of the evidence, grades every step.
final class SecretCaptureGradingTests: XCTestCase {
    static let password = "aHVudGVyMg=="
    static let lab = """
        format: 1
        id: secrets
        title: Secrets
        steps:
          - id: read
            title: Read the password
            checks:
              - name: the password is set
                get: Secret/db
                capture:
                  password: '{.items[0].data.password}'
                  owner: '{.items[0].metadata.name}'
              - name: the same password (${password}), later in the step
                get: Secret/db
                expect:
                  - path: '{.data.password}'
                    equals: '${password}'
          - id: reuse
            title: Reuse it
            checks:
              - name: still the same password
                get: Secret/db
                expect:
                  - path: '{.data.password}'
                    digest: '${password}'
                  - path: '{.metadata.name}'
                    equals: '${owner}'
        """

    struct Made {
        var folder: URL
        var lab: Lab
        var workspace: LearnerWorkspace
        var settings: LabSettings
        var snapshot: URL
    }

    func make() throws -> Made {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-secret-capture-\(UUID().uuidString.prefix(8))")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let labs = root.appendingPathComponent("labs/secrets")
        try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
        try Self.lab.write(to: labs.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        let lab = try LabLoader(labsDirectory: root.appendingPathComponent("labs")).load("secrets")
        let snapshot = root.appendingPathComponent("snapshot")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try Data(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default","uid":"u-1"},"data":{"password":"\#(Self.password)"}}"#.utf8)
            .write(to: snapshot.appendingPathComponent("secret.json"))
        let folder = root.appendingPathComponent("ws")
        let workspace = try LearnerWorkspace.openOrCreate(at: folder, learner: "ada", labsDirectory: "/labs")
        let settings = LabSettings(lab: "secrets", namespace: "default", parameters: [:], labDigest: LabMaterials.digest(of: lab))
        _ = try workspace.start(labID: "secrets", firstStep: "read", settings: settings, files: ["README.md": Data("# Secrets\n".utf8)])
        return Made(folder: folder, lab: lab, workspace: workspace, settings: settings, snapshot: snapshot)
    }

    func verifier(_ made: Made) -> StepVerifier {
        StepVerifier(workspace: made.workspace, lab: made.lab, settings: made.settings, classKey: nil,
                     cluster: { try SnapshotCluster(directory: made.snapshot.path) })
    }

    func testASecretCaptureIsCommittedAsItsDigestAndTheGraderStillGradesIt() throws {
        let made = try make()
        let verifier = verifier(made)
        let first = try XCTUnwrap(try verifier.verify())
        XCTAssertTrue(first.passed, "\(first.results)")
        XCTAssertEqual(first.results[0].captures["password"], Self.password, "the step's later checks get the value")
        // Later steps read what was committed: the digest, as the grader sees it, compared with `digest`.
        let digest = ValueDigest.of(text: Self.password)
        XCTAssertEqual(try verifier.earlierCaptures(), ["password": digest, "owner": "db"])
        let second = try XCTUnwrap(try verifier.verify())
        XCTAssertTrue(second.passed, "\(second.results)")

        let everything = try GitWitness.run(["log", "-p", "--all"], in: made.folder)
        XCTAssertFalse(everything.contains(Self.password), "the password is nowhere in git")
        let stored = try JSONParser.parse(bytes: try Data(contentsOf: made.folder.appendingPathComponent(".klab/evidence/secrets/read/results.json")))
        XCTAssertEqual(stored["captures"]?["password"]?.stringValue, digest)
        XCTAssertEqual(stored["captures"]?["owner"]?.stringValue, "db", "what is not secret stays as it is")
        XCTAssertEqual(stored["klabRedacted"]?["captures"]?["password"], .int(Int64(Self.password.utf8.count)))

        // The grader re-derives the capture from the evidence (a digest there too): every step passes.
        let grader = OfflineGrader(labs: [made.lab], grading: ["secrets"], options: .init(acceptSnapshots: true))
        let grade = grader.inspect(RosterEntry(learner: "ada", workspace: made.folder.path)).grade
        XCTAssertEqual(grade.flags.map(\.detail), [])
        XCTAssertEqual(grade.labs.first?.steps.map(\.status), [.passed, .passed], "\(grade.labs)")
    }

    func testResultsKeepTheirFormatWhenNothingIsSecret() throws {
        var plain = CheckResult(name: "the pod runs", status: .passed, captures: ["b": "2", "a": "1"])
        plain.redactedCaptures = []
        let failed = CheckResult(name: "ready", status: .failed, message: ["expected true", "found false"])
        let data = try StepVerifier.Results([plain, failed], lab: "probes", step: "liveness").fileData()
        XCTAssertEqual(String(decoding: data, as: UTF8.self), """
            {
              "lab": "probes",
              "step": "liveness",
              "checks": [
                {
                  "name": "the pod runs",
                  "status": "passed",
                  "message": []
                },
                {
                  "name": "ready",
                  "status": "failed",
                  "message": [
                    "expected true",
                    "found false"
                  ]
                }
              ],
              "captures": {
                "a": "1",
                "b": "2"
              }
            }

            """)
        // Read back as every reader of results.json reads it.
        XCTAssertEqual(WorkspaceLayout.captures(inResults: data), ["a": "1", "b": "2"])
    }

    func testAValueThatIsADigestAlreadyHasNoLength() throws {
        let digest = ValueDigest.of(text: "x")
        var result = CheckResult(name: "c", status: .passed, captures: ["d": digest, "s": "secret"])
        result.redactedCaptures = ["d", "s"]
        let value = try JSONValueEncoder().encode(StepVerifier.Results([result], lab: "l", step: "s"))
        XCTAssertEqual(value["captures"]?["d"]?.stringValue, digest)
        XCTAssertEqual(value["captures"]?["s"]?.stringValue, ValueDigest.of(text: "secret"))
        XCTAssertEqual(value["klabRedacted"], .object(JSONObject([("captures", .object(JSONObject([("s", .int(6))])))])))
    }
}
