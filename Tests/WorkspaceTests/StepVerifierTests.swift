import Checks
import Foundation
import KubeJSON
import LabGit
import LabSpec
import TestSupport
import XCTest
@testable import Workspace

/// What `klab verify` records: the evidence with Secrets as digests (committed whole, so its
/// digest is what git holds), and where it came from.
final class StepVerifierTests: XCTestCase {
    static let lab = """
        format: 1
        id: secrets
        title: Secrets
        steps:
          - id: db
            title: The database password
            checks:
              - name: the password is set
                get: Secret/db
                expect:
                  - path: '{.data.password}'
                    digest: sha256:b073aefd7c9215dd0179def431a8e7b5b1c39770f72ab676e9d9bd4a466268d1
                  - path: '{.stringData.user}'
                    exists: true
          - id: after
            title: After
            checks:
              - name: still there
                get: Secret/db
        """

    func testSecretsAreStoredAsDigestsCommittedWholeAndStillCheckable() throws {
        let root = try temporaryDirectory()
        let labs = root.appendingPathComponent("labs/secrets")
        try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
        try Self.lab.write(to: labs.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        let lab = try LabLoader(labsDirectory: root.appendingPathComponent("labs")).load("secrets")
        let snapshot = root.appendingPathComponent("snapshot")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try Data(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default","uid":"u-1"},"data":{"password":"aHVudGVyMg=="},"stringData":{"user":"admin"}}"#.utf8)
            .write(to: snapshot.appendingPathComponent("secret.json"))

        let folder = root.appendingPathComponent("ws")
        let workspace = try LearnerWorkspace.openOrCreate(at: folder, learner: "ada", labsDirectory: "/labs")
        let settings = LabSettings(lab: "secrets", namespace: "default", parameters: [:], labDigest: "sha256:x")
        _ = try workspace.start(labID: "secrets", firstStep: "db", settings: settings, files: ["README.md": Data("# Secrets\n".utf8)])
        let clock = Date(timeIntervalSince1970: 1_800_000_000)
        let verifier = StepVerifier(workspace: workspace, lab: lab, settings: settings, classKey: nil, klabVersion: "9.9.9",
                                    now: { clock }, cluster: { try SnapshotCluster(directory: snapshot.path) })
        let round = try XCTUnwrap(try verifier.verify())
        XCTAssertTrue(round.passed, "\(round.results)")
        XCTAssertEqual(round.provenance?.source, .snapshot)

        // Nothing of the secret in the history; the whole evidence folder is committed.
        let everything = try GitWitness.run(["log", "-p", "--all"], in: folder)
        XCTAssertFalse(everything.contains("aHVudGVyMg=="), "the base64 password is not in git")
        XCTAssertFalse(everything.contains("admin"), "nor the stringData value")
        let committed = try GitWitness.run(["ls-tree", "-r", "--name-only", "HEAD", ".klab/evidence/secrets/db"], in: folder)
        XCTAssertEqual(committed.split(separator: "\n").sorted(), [
            ".klab/evidence/secrets/db/default/Secret.json", ".klab/evidence/secrets/db/provenance.json",
            ".klab/evidence/secrets/db/results.json",
        ])
        let stored = try GitWitness.run(["show", "HEAD:.klab/evidence/secrets/db/default/Secret.json"], in: folder)
        XCTAssertTrue(stored.contains("\"password\": \"sha256:b073aefd7c9215dd0179def431a8e7b5b1c39770f72ab676e9d9bd4a466268d1\""), stored)
        XCTAssertTrue(stored.contains("\"password\": 7"), "the decoded length is kept: \(stored)")

        // The digest the commit records is the digest of what it holds.
        let history = try KlabHistory(repository: try Repository.openForReading(at: folder))
        let pass = try XCTUnwrap(history.links.last)
        let files = try history.evidence(lab: "secrets", step: "db", in: pass.commit.id)
        XCTAssertEqual(pass.entry.value(KlabTrailer.evidence), EvidenceSeal.digest(files))

        // The same checks hold on the stored evidence (as the grader evaluates them).
        var evidence = files
        evidence["results.json"] = nil
        evidence["provenance.json"] = nil
        let reader = ClusterReader(cluster: try SnapshotCluster(evidence: Evidence(files: evidence)), labNamespace: "default")
        let results = try CheckEvaluator(reader: reader).evaluate(lab.steps[0].checks)
        XCTAssertTrue(results.allSatisfy(\.passed), "\(results)")

        // Provenance: snapshot path and digest, learner, klab version, time.
        let provenance = try XCTUnwrap(Provenance(data: files["provenance.json"]))
        XCTAssertEqual(provenance.snapshotPath, snapshot.path)
        XCTAssertTrue(provenance.snapshotDigest.map(ValueDigest.isDigest) ?? false, "\(provenance)")
        XCTAssertEqual(provenance.learner, "ada")
        XCTAssertEqual(provenance.klabVersion, "9.9.9")
        XCTAssertEqual(provenance.time, "2027-01-15T08:00:00Z")
        XCTAssertEqual(StepVerifier.provenance(in: workspace, lab: "secrets", steps: ["db"])["db"], provenance)
    }

    func testTimestampsAreRFC3339InUTCToTheSecondAsAFormatterWritesThem() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        for seconds in [0, 1_800_000_000.75, 951_782_400, 4_102_444_799.999, 1_764_384_122] as [Double] {
            let date = Date(timeIntervalSince1970: seconds)
            XCTAssertEqual(StepVerifier.timestamp(date), formatter.string(from: date), "\(seconds)")
        }
        XCTAssertEqual(StepVerifier.timestamp(Date(timeIntervalSince1970: 1_800_000_000)), "2027-01-15T08:00:00Z")
    }

    func testRedactedSecretsAreNotPlaintextButAnyOtherValueIs() {
        let redacted = Evidence.redactingSecret(.object(JSONObject([
            ("kind", .string("Secret")), ("data", .object(JSONObject([("k", .string("aGk="))]))),
        ])))
        XCTAssertFalse(PlaintextSecrets.isPlaintextSecret(redacted))
        XCTAssertEqual(redacted["data"]?["k"]?.stringValue, ValueDigest.of(text: "aGk="))
        XCTAssertEqual(redacted["klabRedacted"]?["data"]?["k"], .int(2))
        XCTAssertTrue(PlaintextSecrets.isPlaintextSecret(.object(JSONObject([
            ("kind", .string("Secret")), ("data", .object(JSONObject([("k", .string("aGk="))]))),
        ]))))
    }
}
