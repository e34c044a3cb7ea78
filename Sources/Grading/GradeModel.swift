import Foundation

/// Something in a learner's hand-in that does not hold, with the reason.
public struct GradeFlag: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case evidenceMissing = "evidence-missing"
        case evidenceFailsChecks = "evidence-fails-checks"
        case digestMismatch = "digest-mismatch"
        case signatureMissing = "signature-missing"
        case signatureInvalid = "signature-invalid"
        case labContentDiffers = "lab-content-differs"
        case historyRewritten = "history-rewritten"
        case unreadable = "unreadable"
        case unknownLab = "unknown-lab"
        /// A step passed against a snapshot (practice), or evidence that says no source.
        case practiceEvidence = "practice-evidence"
        /// The learner id the hand-in claims is not the roster's (or its file name's).
        case learnerMismatch = "learner-mismatch"
        /// Two hand-ins share klab commits or a step's evidence.
        case sharedHistory = "shared-history"
        /// Objects of the lab's namespace, by UID, in two learners' evidence.
        case copiedEvidence = "copied-evidence"
        /// Evidence objects carrying the UIDs of the labs' shipped fixtures.
        case fixtureEvidence = "fixture-evidence"
        /// One lab's steps verified against clusters of different identities.
        case clusterChanged = "cluster-changed"
        /// Evidence that cannot have been read when it says: an object created after its pass,
        /// a resourceVersion going back between steps.
        case implausibleEvidence = "implausible-evidence"
    }

    public var kind: Kind
    public var lab: String?
    public var step: String?
    public var detail: String

    public init(_ kind: Kind, lab: String? = nil, step: String? = nil, detail: String) {
        self.kind = kind
        self.lab = lab
        self.step = step
        self.detail = detail
    }

    /// One line: `digest-mismatch health-probes/liveness: ...`.
    public var line: String {
        var place = lab ?? ""
        if let step { place += "/\(step)" }
        return "\(kind.rawValue)\(place.isEmpty ? "" : " \(place)"): \(detail)"
    }
}

/// How one step of one learner was graded.
public struct StepGrade: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Claimed, and the evidence passes the instructor's checks.
        case passed
        /// Claimed, but something does not hold (see the flags).
        case flagged
        /// Not claimed (offline), or its checks fail (live).
        case failed
        /// Not reached.
        case notAttempted = "not-attempted"
    }

    public var step: String
    public var status: Status
    public var points: Double
    public var maxPoints: Double
    /// Failure messages of the checks that did not pass, for reports.
    public var messages: [String]

    public init(step: String, status: Status, points: Double, maxPoints: Double, messages: [String] = []) {
        self.step = step
        self.status = status
        self.points = points
        self.maxPoints = maxPoints
        self.messages = messages
    }
}

/// One lab of one learner.
public struct LabGrade: Sendable, Equatable, Codable {
    public var lab: String
    public var steps: [StepGrade]
    public var started: Bool
    /// Checks that could not be evaluated here, each `name: why` (live grading has no
    /// workspace and no step captures); the points are what the other checks earned.
    public var notEvaluated: [String]

    public init(lab: String, steps: [StepGrade], started: Bool, notEvaluated: [String] = []) {
        self.lab = lab
        self.steps = steps
        self.started = started
        self.notEvaluated = notEvaluated
    }

    public var points: Double { steps.reduce(0) { $0 + $1.points } }
    public var maxPoints: Double { steps.reduce(0) { $0 + $1.maxPoints } }
}

/// One learner: every lab graded, the total, and every flag raised.
public struct LearnerGrade: Sendable, Equatable, Codable {
    public var learner: String
    /// The workspace folder or bundle graded.
    public var source: String
    public var labs: [LabGrade]
    public var flags: [GradeFlag]
    /// The key the passes verified with: `learner` (their own key), `class` (the class-wide
    /// key, which any learner holding it can sign any id with), nil (no key given, or no pass).
    public var signedWith: String?

    public init(learner: String, source: String, labs: [LabGrade], flags: [GradeFlag], signedWith: String? = nil) {
        self.learner = learner
        self.source = source
        self.labs = labs
        self.flags = flags
        self.signedWith = signedWith
    }

    public var points: Double { labs.reduce(0) { $0 + $1.points } }
    public var maxPoints: Double { labs.reduce(0) { $0 + $1.maxPoints } }

    public func lab(_ id: String) -> LabGrade? { labs.first { $0.lab == id } }
}

/// A whole class.
public struct ClassGrade: Sendable, Equatable, Codable {
    public var mode: String
    /// The labs graded, in catalog order (the report's columns).
    public var labs: [String]
    /// Each lab's steps in order, for per-step reports.
    public var steps: [String: [String]]
    public var learners: [LearnerGrade]

    public init(mode: String, labs: [String], steps: [String: [String]], learners: [LearnerGrade]) {
        self.mode = mode
        self.labs = labs
        self.steps = steps
        self.learners = learners
    }

    /// One line about signatures when any learner's passes verified only with the class-wide
    /// key: that key proves the class, not the learner.
    public var keyNote: String? {
        let classWide = learners.filter { $0.signedWith == "class" }.count
        guard classWide > 0 else { return nil }
        return "\(classWide) learner\(classWide == 1 ? "'s" : "s'") passes are signed with the class-wide key, which any learner holding it can sign any id with; `klab grade keys` makes per-learner keys"
    }
}
