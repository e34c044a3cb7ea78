import Foundation
import Grading
import TestSupport
import XCTest

/// A small class covering every step status, partial points, learner-level and step-level
/// flags, and text that needs escaping in every format.
enum ReportFixture {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static let steps = ["health-probes": ["liveness", "fail-liveness", "readiness", "fail-readiness"], "fargate": ["profile", "schedule"]]

    static func lab(_ id: String, _ statuses: [StepGrade.Status], points: [Double]? = nil, messages: [String: [String]] = [:]) -> LabGrade {
        let ids = steps[id]!
        return LabGrade(lab: id, steps: ids.enumerated().map { i, step in
            let status = statuses[i]
            let earned = points?[i] ?? (status == .passed ? 1 : 0)
            return StepGrade(step: step, status: status, points: earned, maxPoints: 1, messages: messages[step] ?? [])
        }, started: statuses.contains { $0 != .notAttempted })
    }

    static var grade: ClassGrade {
        ClassGrade(mode: "offline", labs: ["health-probes", "fargate"], steps: steps, learners: [
            LearnerGrade(learner: "ada", source: "class/ada", labs: [
                lab("health-probes", [.passed, .passed, .passed, .passed]),
                lab("fargate", [.passed, .notAttempted]),
            ], flags: [], signedWith: "learner"),
            LearnerGrade(learner: "bob", source: "class/bob.bundle", labs: [
                lab("health-probes", [.passed, .flagged, .notAttempted, .notAttempted],
                    messages: ["fail-liveness": ["pod restarted: restartCount is 0, want >= 1"]]),
                lab("fargate", [.notAttempted, .notAttempted]),
            ], flags: [
                GradeFlag(.digestMismatch, lab: "health-probes", step: "fail-liveness",
                          detail: "the evidence does not match the digest its commit 1a2b3c4 records: it was changed afterwards"),
                GradeFlag(.learnerMismatch, detail: "the hand-in says it is the work of ada, not bob"),
                GradeFlag(.sharedHistory, detail: "shares klab commits or evidence with ada (class/ada, 3 in common)"),
                GradeFlag(.copiedEvidence, detail: "objects of the lab's namespace, by UID, also appear in the evidence of ada (class/ada, 2 in common)"),
            ], signedWith: "class"),
            LearnerGrade(learner: "chen, \"the <quick>\" & =SUM(1)", source: "class/chen", labs: [
                lab("health-probes", [.passed, .passed, .flagged, .notAttempted], points: [1, 1, 0.5, 0],
                    messages: ["readiness": ["ready replicas: status.readyReplicas is 2, want 3", "endpoints: 1 address, want 3"]]),
                lab("fargate", [.notAttempted, .notAttempted]),
            ], flags: [
                GradeFlag(.evidenceFailsChecks, lab: "health-probes", step: "readiness", detail: "ready replicas: status.readyReplicas is 2, want 3"),
                GradeFlag(.practiceEvidence, lab: "health-probes", step: "readiness", detail: "passed against a snapshot (labs/health-probes/fixtures/readiness--pass): practice, no marks (--accept-snapshots counts it)"),
                GradeFlag(.fixtureEvidence, lab: "health-probes", step: "readiness", detail: "4 objects in the evidence carry the UIDs of the labs' shipped fixtures: a replay, not a cluster"),
                GradeFlag(.implausibleEvidence, lab: "health-probes", step: "readiness", detail: "Pod team-c/web created after the pass was recorded (2026-11-29T10:00:00Z)"),
                GradeFlag(.clusterChanged, lab: "health-probes", detail: "the steps were verified against 2 different clusters: 5e1f0000-0000… (liveness); 7a2b0000-0000… (readiness)"),
                GradeFlag(.historyRewritten, detail: "klab's commits do not chain as klab wrote them (Klab-Previous); the history was rebased, amended or edited"),
            ]),
            LearnerGrade(learner: "dee", source: "class/dee", labs: [
                lab("health-probes", [.notAttempted, .notAttempted, .notAttempted, .notAttempted]),
                lab("fargate", [.notAttempted, .notAttempted]),
            ], flags: [GradeFlag(.unreadable, detail: "class/dee is not a git repository: object 3f2e… is corrupt")]),
        ])
    }

    /// Compares with `Tests/Fixtures/golden/grade/<name>`; `KLAB_UPDATE_GOLDEN=1` rewrites it.
    static func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/golden/grade/\(name)")
        try GoldenFile.check(text, against: url, file: file, line: line)
    }
}
