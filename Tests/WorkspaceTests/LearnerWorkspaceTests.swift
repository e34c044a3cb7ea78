import Foundation
import TestSupport
import XCTest
@testable import Workspace

final class LearnerWorkspaceTests: XCTestCase {
    let order = ["probes": ["liveness", "readiness"]]
    let settings = LabSettings(lab: "probes", namespace: "default", parameters: ["replicas": "3"], labDigest: "sha256:abc")

    private func started(_ root: URL) throws -> LearnerWorkspace {
        let workspace = try LearnerWorkspace.openOrCreate(at: root, learner: "ada", labsDirectory: "/labs")
        _ = try workspace.start(
            labID: "probes", firstStep: "liveness", settings: settings,
            files: ["manifests/app.yaml": Data("kind: Pod\n".utf8), "01-liveness.md": Data("# Liveness\n".utf8)])
        return workspace
    }

    func testStartCommitsFilesWithTrailersAndMarksTheStep() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        let trailers = try GitWitness.run(["log", "-1", "--format=%(trailers:only,unfold)"], in: root)
        XCTAssertTrue(trailers.contains("Klab-Lab: probes"), trailers)
        XCTAssertTrue(trailers.contains("Klab-Event: start"), trailers)
        XCTAssertTrue(trailers.contains("Klab-Step: liveness"), trailers)
        XCTAssertTrue(trailers.contains("Klab-Labs-Digest: sha256:abc"), trailers)
        let files = try GitWitness.run(["ls-files"], in: root).split(separator: "\n")
        XCTAssertEqual(Set(files), ["probes/manifests/app.yaml", "probes/01-liveness.md", ".klab/workspace.json", ".klab/labs/probes.json"])
        XCTAssertTrue(try GitWitness.run(["for-each-ref", "--format=%(refname)"], in: root).contains("refs/klab/labs/probes/steps/liveness"))
        try GitWitness.run(["fsck", "--strict"], in: root)
        XCTAssertEqual(try workspace.progress(stepOrder: order)["probes"]?.currentStep(in: order["probes"]!), "liveness")
    }

    func testPlaintextSecretsStayUntracked() throws {
        let root = try temporaryDirectory()
        let workspace = try LearnerWorkspace.openOrCreate(at: root, learner: "ada", labsDirectory: "/labs")
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n"
        let outcome = try workspace.start(
            labID: "probes", firstStep: "liveness", settings: settings,
            files: ["manifests/secret.yaml": Data(secret.utf8), "manifests/app.yaml": Data("kind: Pod\n".utf8)])
        XCTAssertEqual(outcome.secretsLeftUncommitted, ["probes/manifests/secret.yaml"])
        _ = try workspace.backup(reason: "test", operation: "test")
        let everything = try GitWitness.run(["log", "--all", "-p"], in: root)
        XCTAssertFalse(everything.contains("hunter2"))
        XCTAssertTrue(try GitWitness.run(["status", "--porcelain"], in: root).contains("?? probes/manifests/secret.yaml"))
        // What a `.git` folder holds is never a working file: not walked, not reported.
        try Data(secret.utf8).write(to: root.appendingPathComponent(".git/secret.yaml"))
        XCTAssertEqual(PlaintextSecrets.find(under: [""], root: root), ["probes/manifests/secret.yaml"])
    }

    /// A Secret's kind spelt with escapes is still found (the quick test for the bytes
    /// `Secret` lets a backslash through); a symbolic link is not a manifest of the folder.
    func testPlaintextSecretsSpeltWithEscapesAreFound() throws {
        let root = try temporaryDirectory()
        let files = [
            "a/escaped.json": #"{"apiVersion": "v1", "kind": "\u0053ecret", "metadata": {"name": "db"}, "data": {"p": "aHVudGVyMg=="}}"#,
            "a/escaped.yaml": "apiVersion: v1\nkind: \"\\x53ecret\"\nmetadata: {name: db}\nstringData: {p: hunter2}\n",
            "a/plain.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db}\ndata: {p: hunter2}\n",
            "outside/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {p: hunter2}\n",
        ]
        for (path, text) in files {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: root.appendingPathComponent(path))
        }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a/link.yaml").path,
                                                   withDestinationPath: root.appendingPathComponent("outside/secret.yaml").path)
        XCTAssertEqual(PlaintextSecrets.find(under: ["a"], root: root), ["a/escaped.json", "a/escaped.yaml"])
    }

    func testPassRecordsEvidenceWithItsDigestAndSignature() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        let evidence = ["pods.json": Data("{\"kind\":\"List\",\"items\":[]}\n".utf8), "results.json": Data("[]\n".utf8)]
        let key = Data("class key".utf8)
        let pass = try workspace.recordPass(lab: "probes", step: "liveness", nextStep: "readiness", evidence: evidence, classKey: key)
        XCTAssertEqual(pass.digest, EvidenceSeal.digest(evidence))
        XCTAssertEqual(
            try GitWitness.run(["show", "HEAD:.klab/evidence/probes/liveness/pods.json"], in: root),
            "{\"kind\":\"List\",\"items\":[]}\n")
        let trailers = try GitWitness.run(["log", "-1", "--format=%(trailers:only,unfold)"], in: root)
        XCTAssertTrue(trailers.contains("Klab-Evidence: \(pass.digest)"))
        XCTAssertTrue(trailers.contains("Klab-Signature: hmac-sha256:"))
        let progress = try workspace.progress(stepOrder: order)["probes"]!
        XCTAssertEqual(progress.passed.map(\.step), ["liveness"])
        XCTAssertEqual(progress.currentStep(in: order["probes"]!), "readiness")
        XCTAssertEqual(try workspace.repository.referenceTarget("refs/klab/labs/probes/steps/readiness")?.hex, pass.commit)
        try GitWitness.run(["fsck", "--strict"], in: root)
    }

    func testResetSavesEverythingAndUndoBringsItBack() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        _ = try workspace.recordPass(lab: "probes", step: "liveness", nextStep: "readiness", evidence: ["a.json": Data("{}".utf8)], classKey: nil)
        let manifest = root.appendingPathComponent("probes/manifests/app.yaml")
        try Data("kind: Pod\n# my edit\n".utf8).write(to: manifest)
        try Data("notes\n".utf8).write(to: root.appendingPathComponent("probes/notes.txt"))

        let reset = try workspace.reset(lab: "probes", step: "liveness")
        XCTAssertEqual(try String(contentsOf: manifest, encoding: .utf8), "kind: Pod\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("probes/notes.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(".klab/evidence/probes").path))
        XCTAssertEqual(try GitWitness.run(["show", "\(reset.backupRef):probes/manifests/app.yaml"], in: root), "kind: Pod\n# my edit\n")
        XCTAssertEqual(try GitWitness.run(["show", "\(reset.backupRef):probes/notes.txt"], in: root), "notes\n")
        XCTAssertEqual(try workspace.progress(stepOrder: order)["probes"]?.passed.count, 0)
        try GitWitness.run(["fsck", "--strict"], in: root)

        let undo = try workspace.undo()
        XCTAssertEqual(undo.restoredRef, reset.backupRef)
        XCTAssertNotEqual(undo.backupRef, reset.backupRef, "the undo saves what it overwrites in a backup of its own")
        XCTAssertEqual(try String(contentsOf: manifest, encoding: .utf8), "kind: Pod\n# my edit\n")
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("probes/notes.txt"), encoding: .utf8), "notes\n")
        XCTAssertEqual(try workspace.progress(stepOrder: order)["probes"]?.passed.map(\.step), ["liveness"])
        XCTAssertTrue(try GitWitness.run(["status", "--porcelain"], in: root).contains(" M probes/manifests/app.yaml"))
        try GitWitness.run(["fsck", "--strict"], in: root)
    }

    func testUndoWithNothingToUndo() throws {
        let root = try temporaryDirectory()
        let workspace = try started(root)
        XCTAssertThrowsError(try workspace.undo()) { XCTAssertEqual($0 as? WorkspaceError, .noBackup) }
    }

    func testSecondProcessIsLockedOut() throws {
        let root = try temporaryDirectory()
        let first = try started(root)
        XCTAssertThrowsError(try LearnerWorkspace.open(at: root, lockTimeout: 0.2)) { error in
            guard case .locked = error as? WorkspaceError else { return XCTFail("\(error)") }
        }
        _ = first
    }

    func testNotAWorkspaceAndHandDamage() throws {
        let empty = try temporaryDirectory()
        XCTAssertThrowsError(try LearnerWorkspace.open(at: empty)) { error in
            XCTAssertEqual(error as? WorkspaceError, .notAWorkspace(path: empty.path))
        }
        let root = try temporaryDirectory()
        do { _ = try started(root) }
        try GitWitness.run(["rm", "-q", ".klab/labs/probes.json"], in: root)
        try GitWitness.run(["-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "oops"], in: root)
        XCTAssertThrowsError(try LearnerWorkspace.open(at: root)) { error in
            guard case .damaged(_, let reason) = error as? WorkspaceError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains(".klab/labs/probes.json"), reason)
        }
    }

    func testLocateFindsTheEnclosingWorkspace() throws {
        let root = try temporaryDirectory()
        do { _ = try started(root) }
        let inner = root.appendingPathComponent("probes/manifests")
        XCTAssertEqual(LearnerWorkspace.locate(explicit: nil, currentDirectory: inner, environment: [:]).path, root.standardizedFileURL.path)
        let elsewhere = try temporaryDirectory()
        XCTAssertEqual(
            LearnerWorkspace.locate(explicit: nil, currentDirectory: elsewhere, environment: ["KLAB_WORKSPACE": "/tmp/ws"]).path, "/tmp/ws")
        XCTAssertEqual(
            LearnerWorkspace.locate(explicit: nil, currentDirectory: elsewhere, environment: [:]).lastPathComponent, "klab-workspace")
    }
}
