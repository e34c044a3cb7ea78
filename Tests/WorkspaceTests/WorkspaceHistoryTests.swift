import Checks
import Foundation
import KubeJSON
import LabGit
import LabSpec
import TestSupport
import XCTest
@testable import Workspace

/// `workspace:` checks read the learner's own repository: what it will hold once the step is
/// recorded, what its history ever held, and whether any commit holds a plaintext Secret (the
/// point of the sealed-secrets chapter), through `klab verify` and back from the evidence.
final class WorkspaceHistoryTests: XCTestCase {
    static let lab = """
        format: 1
        id: sealed-secrets
        title: Sealed secrets
        steps:
          - id: seal
            title: Seal the secret
            checks:
              - name: sealed-secret.yaml is committed and no commit ever held a plaintext Secret
                workspace: history
                expect:
                  - path: '{.files[?(@.kinds[0]=="SealedSecret")].path}'
                    some: {matches: 'sealed-secret\\.yaml$'}
                  - path: '{.plaintextSecrets[*].path}'
                    count: 0
        """

    static let plaintext = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: aHVudGVyMg==\n"
    static let sealed = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK\n"

    private var root: URL!
    private var folder: URL { root.appendingPathComponent("ws") }

    override func setUpWithError() throws {
        root = try temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func started() throws -> (LearnerWorkspace, Lab, LabSettings) {
        let labs = root.appendingPathComponent("labs/sealed-secrets")
        try FileManager.default.createDirectory(at: labs, withIntermediateDirectories: true)
        try Self.lab.write(to: labs.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        let lab = try LabLoader(labsDirectory: root.appendingPathComponent("labs")).load("sealed-secrets")
        let workspace = try LearnerWorkspace.openOrCreate(at: folder, learner: "ada", labsDirectory: "/labs")
        let settings = LabSettings(lab: "sealed-secrets", namespace: "default", parameters: [:], labDigest: "sha256:x")
        _ = try workspace.start(labID: "sealed-secrets", firstStep: "seal", settings: settings, files: ["README.md": Data("# Sealed\n".utf8)])
        return (workspace, lab, settings)
    }

    private func write(_ text: String, _ path: String) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    private func verifier(_ workspace: LearnerWorkspace, _ lab: Lab, _ settings: LabSettings) throws -> StepVerifier {
        let empty = root.appendingPathComponent("snapshot")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        return StepVerifier(workspace: workspace, lab: lab, settings: settings, classKey: nil,
                            cluster: { try SnapshotCluster(directory: empty.path) })
    }

    func testTheFactsNameFilesHistoryAndEveryCommittedPlaintextSecret() throws {
        let (workspace, _, _) = try started()
        try write(Self.plaintext, "notes/secret.yaml")
        _ = try GitWitness.run(["add", "notes/secret.yaml"], in: folder)
        _ = try GitWitness.run(["-c", "user.name=ada", "-c", "user.email=ada@x", "commit", "-q", "-m", "oops"], in: folder)
        let oops = try GitWitness.run(["rev-parse", "HEAD"], in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try GitWitness.run(["rm", "-q", "notes/secret.yaml"], in: folder)
        _ = try GitWitness.run(["-c", "user.name=ada", "-c", "user.email=ada@x", "commit", "-q", "-m", "remove it"], in: folder)
        try write(Self.sealed, "sealed-secrets/sealed-secret.yaml")
        try write(Self.plaintext, "sealed-secrets/secret.yaml")

        let facts = try WorkspaceHistory(workspace: workspace, lab: "sealed-secrets").facts(WorkspaceRequest())
        XCTAssertEqual(facts["commits"], .int(3))
        XCTAssertEqual(facts["plaintextSecrets"], .array([.object(JSONObject([
            ("path", .string("notes/secret.yaml")), ("commit", .string(String(oops.prefix(12)))),
        ]))]), "removing the file does not remove it from the history")
        XCTAssertEqual(facts["uncommittedSecrets"], .array([.string("sealed-secrets/secret.yaml")]))
        // What the pass will commit: the lab folder without its plaintext Secret.
        let files = facts["files"]?.arrayValue?.compactMap { $0["path"]?.stringValue }
        XCTAssertEqual(files, ["sealed-secrets/README.md", "sealed-secrets/sealed-secret.yaml"])
        XCTAssertEqual(facts["files"]?[1]?["kinds"], .array([.string("SealedSecret")]))
        let history = facts["history"]?.arrayValue?.compactMap { $0["path"]?.stringValue }
        XCTAssertEqual(history, ["sealed-secrets/README.md", "notes/secret.yaml"], "klab's .klab folder is not the learner's")

        let scoped = try WorkspaceHistory(workspace: workspace, lab: "sealed-secrets").facts(WorkspaceRequest(path: "sealed-secrets"))
        XCTAssertEqual(scoped["plaintextSecrets"], .array([]))
    }

    func testVerifyPassesAStepWhoseHistoryIsCleanAndRecordsWhatItRead() throws {
        let (workspace, lab, settings) = try started()
        try write(Self.sealed, "sealed-secrets/sealed-secret.yaml")
        try write(Self.plaintext, "sealed-secrets/secret.yaml")
        let round = try XCTUnwrap(try verifier(workspace, lab, settings).verify())
        XCTAssertTrue(round.passed, "\(round.results.map(\.message))")
        XCTAssertEqual(try GitWitness.run(["ls-tree", "-r", "--name-only", "HEAD", "sealed-secrets"], in: folder),
                       "sealed-secrets/README.md\nsealed-secrets/sealed-secret.yaml\n", "the plaintext one stays out of git")

        // The evidence holds what the check read, and the check holds on it again (grading).
        let history = try KlabHistory(repository: try Repository.openForReading(at: folder))
        var evidence = try history.evidence(lab: "sealed-secrets", step: "seal", in: try XCTUnwrap(history.links.last).commit.id)
        XCTAssertEqual(evidence.keys.filter { $0.hasPrefix("outputs/workspace-") }.count, 1, "\(evidence.keys.sorted())")
        evidence["results.json"] = nil
        evidence["provenance.json"] = nil
        let reader = ClusterReader(cluster: try SnapshotCluster(evidence: Evidence(files: evidence)), labNamespace: "default")
        XCTAssertEqual(try CheckEvaluator(reader: reader).evaluate(lab.steps[0].checks).map(\.status), [.passed])
    }

    func testVerifyFailsAStepWhenALearnersOwnCommitHeldAPlaintextSecret() throws {
        let (workspace, lab, settings) = try started()
        try write(Self.plaintext, "sealed-secrets/secret.yaml")
        _ = try GitWitness.run(["add", "-A"], in: folder)
        _ = try GitWitness.run(["-c", "user.name=ada", "-c", "user.email=ada@x", "commit", "-q", "-m", "my secret"], in: folder)
        _ = try GitWitness.run(["rm", "-q", "sealed-secrets/secret.yaml"], in: folder)
        _ = try GitWitness.run(["-c", "user.name=ada", "-c", "user.email=ada@x", "commit", "-q", "-m", "gone"], in: folder)
        try write(Self.sealed, "sealed-secrets/sealed-secret.yaml")
        let round = try XCTUnwrap(try verifier(workspace, lab, settings).verify())
        XCTAssertFalse(round.passed)
        XCTAssertEqual(round.results[0].message, [
            #"workspace (all of it): .plaintextSecrets[*].path expected 0 values, found 1: "sealed-secrets/secret.yaml""#,
        ])
    }

    func testLiveGradingHasNoWorkspaceAndSaysSo() throws {
        let (_, lab, _) = try started()
        let reader = ClusterReader(cluster: KubectlCluster(), labNamespace: "default")
        let result = try CheckEvaluator(reader: reader).evaluate(lab.steps[0].checks)[0]
        XCTAssertEqual(result.status, .notEvaluated)
        XCTAssertEqual(result.message, [
            "no workspace to read here: a workspace check is evaluated by klab verify, and graded from the evidence it records",
        ])
    }
}
