import Foundation
import LabGit
import TestSupport
import XCTest
@testable import Workspace

/// The workspace format read back the way the grader reads it: from the repository alone.
final class KlabHistoryTests: XCTestCase {
    let settings = LabSettings(lab: "probes", namespace: "team-a", parameters: ["replicas": "3"], labDigest: "sha256:abc")

    private func workspace(_ root: URL) throws -> LearnerWorkspace {
        let workspace = try LearnerWorkspace.openOrCreate(at: root, learner: "ada", labsDirectory: "/labs")
        _ = try workspace.start(labID: "probes", firstStep: "liveness", settings: settings, files: ["app.yaml": Data("kind: Pod\n".utf8)])
        let results = Data(#"{"lab":"probes","step":"liveness","checks":[],"captures":{"uid":"1234","n":3}}"#.utf8)
        _ = try workspace.recordPass(
            lab: "probes", step: "liveness", nextStep: "readiness",
            evidence: ["team-a/Pod.json": Data("{}\n".utf8), "results.json": results], classKey: nil)
        return workspace
    }

    func testReadsKlabCommitsSettingsAndEvidenceSkippingTheLearnersOwn() throws {
        let root = try temporaryDirectory()
        let learner = try workspace(root)
        try Data("mine\n".utf8).write(to: root.appendingPathComponent("notes.txt"))
        try GitWitness.run(["add", "notes.txt"], in: root)
        try GitWitness.run(["-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "my notes"], in: root)

        let repository = try Repository.openForReading(at: root)
        let history = try KlabHistory(repository: repository)
        XCTAssertEqual(history.entries.map(\.event), [.start, .pass])
        XCTAssertEqual(history.entries, try learner.entries())
        XCTAssertTrue(history.chainsAsWritten, "a commit of the learner's own between klab's does not break the chain")
        XCTAssertEqual(try history.workspaceSettings()?.learner, "ada")
        let pass = try XCTUnwrap(history.links.last)
        XCTAssertEqual(try history.labSettings("probes", in: pass.commit.id), settings)
        XCTAssertNil(try history.labSettings("other", in: pass.commit.id))
        // The start and the pass share one settings file: read by its id, as the grader
        // shares its decoding between steps.
        let start = try XCTUnwrap(history.links.first)
        let file = try XCTUnwrap(try history.labSettingsFile("probes", in: pass.commit.id))
        XCTAssertEqual(try history.labSettingsFile("probes", in: start.commit.id), file)
        XCTAssertEqual(try history.labSettings(file: file), settings)
        XCTAssertNil(try history.labSettingsFile("other", in: pass.commit.id))
        XCTAssertNil(try history.labSettings(file: nil))
        let evidence = try history.evidence(lab: "probes", step: "liveness", in: pass.commit.id)
        XCTAssertEqual(Set(evidence.keys), ["team-a/Pod.json", "results.json"])
        XCTAssertEqual(try history.evidence(lab: "probes", step: "readiness", in: pass.commit.id), [:])
        XCTAssertEqual(WorkspaceLayout.captures(inResults: evidence["results.json"]), ["uid": "1234"], "only text captures")
        XCTAssertEqual(WorkspaceLayout.captures(inResults: Data("not json".utf8)), [:])
        XCTAssertEqual(history.progress(stepOrder: ["probes": ["liveness", "readiness"]])["probes"]?.passed.map(\.step), ["liveness"])
    }

    func testARewrittenHistoryBreaksTheChain() throws {
        let root = try temporaryDirectory()
        _ = try workspace(root)
        // Every commit rewritten by someone else: the ids change, and Klab-Previous names the old ones.
        try GitWitness.run(["-c", "user.name=someone-else", "-c", "user.email=x@y", "rebase", "-q", "--force-rebase", "--root"], in: root)
        let history = try KlabHistory(repository: try Repository.openForReading(at: root))
        XCTAssertEqual(history.entries.count, 2)
        XCTAssertFalse(history.chainsAsWritten)
    }

    /// A history read by extending an earlier one is the one a full walk reads: on a branch
    /// that grew, and on one rewritten so that it no longer passes the earlier tip.
    func testExtendingAnEarlierHistoryReadsWhatAFullWalkReads() throws {
        let root = try temporaryDirectory()
        let learner = try workspace(root)
        let repository = try Repository.openForReading(at: root)
        let earlier = try KlabHistory(repository: repository)
        try learner.recordHint(lab: "probes", step: "readiness", number: 1)
        try Data("mine\n".utf8).write(to: root.appendingPathComponent("notes.txt"))
        try GitWitness.run(["add", "notes.txt"], in: root)
        try GitWitness.run(["-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "my notes"], in: root)
        try learner.recordHint(lab: "probes", step: "readiness", number: 2)
        XCTAssertEqual(try GitWitness.run(["status", "--porcelain"], in: root), "",
                       "the learner's own commit, made while the workspace was open, stays committed")

        let tip = try repository.headCommitID()
        let grown = try KlabHistory(repository: repository, tip: tip, extending: earlier)
        let full = try KlabHistory(repository: repository, tip: tip)
        XCTAssertEqual(grown.entries, full.entries)
        XCTAssertEqual(grown.entries.map(\.event), [.start, .pass, .hint, .hint])
        XCTAssertEqual(grown.commitCount, full.commitCount)
        XCTAssertEqual(try KlabHistory(repository: repository, tip: earlier.tip, extending: grown).entries, earlier.entries,
                       "a tip behind the known one is walked in full")

        try GitWitness.run(["-c", "user.name=someone-else", "-c", "user.email=x@y", "rebase", "-q", "--force-rebase", "--root"], in: root)
        let rewritten = try repository.headCommitID()
        XCTAssertEqual(try KlabHistory(repository: repository, tip: rewritten, extending: grown).entries,
                       try KlabHistory(repository: repository, tip: rewritten).entries)
        XCTAssertEqual(try learner.entries(), try KlabHistory(repository: repository, tip: rewritten).entries,
                       "the workspace reads the rewritten branch, not what it read before")
    }

    func testAnEmptyRepositoryHasNoHistory() throws {
        let root = try temporaryDirectory()
        let repository = try Repository.create(at: root)
        let history = try KlabHistory(repository: repository)
        XCTAssertTrue(history.links.isEmpty)
        XCTAssertTrue(history.chainsAsWritten)
        XCTAssertNil(try history.workspaceSettings())
    }

    func testLayoutPaths() {
        XCTAssertEqual(WorkspaceLayout.settingsPath, ".klab/workspace.json")
        XCTAssertEqual(WorkspaceLayout.labSettingsPath("probes"), ".klab/labs/probes.json")
        XCTAssertEqual(WorkspaceLayout.evidencePath(lab: "probes", step: "liveness"), ".klab/evidence/probes/liveness")
        XCTAssertEqual(WorkspaceLayout.stepStartRef(lab: "probes", step: "liveness"), "refs/klab/labs/probes/steps/liveness")
    }
}
