import Foundation
import Grading
import LabSpec

/// The class as the dashboard shows it: the latest grading of the class, the reports learners
/// sent since, and, per learner, the step they are on and since when. Every change bumps
/// `version` and calls `onChange`; the time comes from an injected clock.
// @unchecked: every stored property is read and written only under `lock`.
public final class ClassBoard: @unchecked Sendable {
    /// One learner's row beside their grades.
    public struct Row: Sendable, Equatable {
        public var learner: String
        /// `lab/step` the learner is on; nil before they start and when every started lab is done.
        public var current: String?
        /// When the dashboard first saw them on `current`.
        public var since: Date
        /// Their last grading did not finish in time: the cells are from an earlier one.
        public var stale: Bool
        /// Hints seen, by `lab/step`: what the hand-in's history records (offline), or what
        /// the learner's last report on that step says, whichever is more.
        public var hints: [String: Int]
        /// When their last report arrived; nil if they never reported.
        public var lastReport: Date?
    }

    /// What the pages and the API are made from, at one version.
    public struct Snapshot: Sendable {
        public var version: Int
        public var updated: Date
        /// The graded class with the reports merged in: what `/api/class.json` serves.
        public var grade: ClassGrade
        /// In the order of `grade.learners`.
        public var rows: [Row]
        /// Reports accepted since the dashboard started.
        public var reportsAccepted: Int
        /// What went wrong in the last grading (the cluster could not be read, ...).
        public var problem: String?
    }

    /// Why a report was turned away (the HTTP status says the kind).
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case noKey
        case badSignature(String)
        case notOnRoster(String)
        case unknownStep(String)

        public var description: String {
            switch self {
            case .noKey: return "this dashboard was started without a class key, so it cannot check who sent a report"
            case .badSignature(let learner): return "the signature does not verify with \(learner)'s key"
            case .notOnRoster(let learner): return "\(learner) is not on this class's roster"
            case .unknownStep(let place): return "no step \(place) in the labs this dashboard shows"
            }
        }
    }

    private let lock = NSLock()
    private let clock: @Sendable () -> Date
    private let keys: ReportKeys?
    /// The learners a roster names; nil when anyone whose report verifies may join.
    private let roster: Set<String>?
    private var graded: ClassGrade
    /// A learner nobody graded yet: every lab, every step not attempted.
    private let template: [LabGrade]
    private var stale: Set<String> = []
    private var problem: String?
    /// learner → `lab/step` → hints their history records (offline grading).
    private var gradedHints: [String: [String: Int]] = [:]
    private var reports: [String: [String: ProgressReport]] = [:]
    private var reportTimes: [String: Date] = [:]
    private var positions: [String: (current: String?, since: Date)] = [:]
    private var accepted = 0
    private var current: Snapshot
    private var observers: [@Sendable () -> Void] = []
    private var version = 0
    private var dirty = false

    /// A board of `labIDs` (in catalog order) with no learner yet.
    public init(labs: [Lab], graded labIDs: [String], mode: String, roster: Set<String>? = nil, keys: ReportKeys? = nil,
                clock: @escaping @Sendable () -> Date = Date.init) {
        self.clock = clock
        self.keys = keys
        self.roster = roster
        let shown = labs.filter { labIDs.contains($0.id) }
        template = shown.map { lab in
            LabGrade(lab: lab.id, steps: lab.steps.map {
                StepGrade(step: $0.id, status: .notAttempted, points: 0, maxPoints: $0.points)
            }, started: false)
        }
        let base = ClassGrade(mode: mode, labs: labIDs, steps: ClassGrader.stepOrder(labs, labIDs), learners: [])
        graded = base
        current = Snapshot(version: 0, updated: clock(), grade: base, rows: [], reportsAccepted: 0, problem: nil)
        current = rebuild(version: 0)
    }

    /// The board now; built again only when something changed since it was last asked for,
    /// so a burst of reports costs one rebuild, not one each.
    public func snapshot() -> Snapshot {
        lock.lock()
        defer { lock.unlock() }
        if dirty {
            current = rebuild(version: version)
            dirty = false
        }
        return current
    }

    /// Calls `observer` after every change (outside the lock).
    public func observe(_ observer: @escaping @Sendable () -> Void) {
        lock.lock()
        observers.append(observer)
        lock.unlock()
    }

    /// A new grading of the class; `stale` names the learners whose grades are left over;
    /// `hints`: learner → `lab/step` → hints their history says were shown.
    public func regraded(_ grade: ClassGrade, stale: Set<String>, problem: String? = nil, hints: [String: [String: Int]] = [:]) {
        change {
            let same = graded == grade && self.stale == stale && self.problem == problem && gradedHints == hints
            graded = grade
            self.stale = stale
            self.problem = problem
            gradedHints = hints
            return !same
        }
    }

    /// Takes a learner's report, or says why not.
    public func receive(_ report: ProgressReport) throws(Refusal) {
        guard let keys else { throw .noKey }
        guard keys.verifies(report) else { throw .badSignature(report.learner) }
        if let roster, !roster.contains(report.learner) { throw .notOnRoster(report.learner) }
        var refusal: Refusal?
        change {
            guard graded.steps[report.lab]?.contains(report.step) == true else {
                refusal = .unknownStep("\(report.lab)/\(report.step)")
                return false
            }
            accepted += 1
            reportTimes[report.learner] = clock()
            let place = "\(report.lab)/\(report.step)"
            if let kept = reports[report.learner]?[place], kept.sequence > report.sequence { return true }
            reports[report.learner, default: [:]][place] = report
            return true
        }
        if let refusal { throw refusal }
    }

    private func change(_ body: () -> Bool) {
        lock.lock()
        guard body() else { lock.unlock(); return }
        version += 1
        dirty = true
        let observers = self.observers
        lock.unlock()
        for observer in observers { observer() }
    }

    /// The graded class with each learner's reports laid over it (called under `lock`).
    private func rebuild(version: Int) -> Snapshot {
        let now = clock()
        var grade = graded
        var seen = Set(grade.learners.map(\.learner))
        for learner in reports.keys.sorted() where !seen.contains(learner) {
            seen.insert(learner)
            grade.learners.append(LearnerGrade(learner: learner, source: "reports", labs: template, flags: []))
        }
        var rows: [Row] = []
        for index in grade.learners.indices {
            let learner = grade.learners[index].learner
            let theirs = reports[learner] ?? [:]
            var hints = gradedHints[learner] ?? [:]
            // Each of the learner's reports finds its step (not each step its report: most
            // learners have reported on few of the class's steps).
            for (place, report) in theirs {
                guard let labIndex = grade.learners[index].labs.firstIndex(where: { $0.lab == report.lab }),
                      let stepIndex = grade.learners[index].labs[labIndex].steps.firstIndex(where: { $0.step == report.step })
                else { continue }
                let step = grade.learners[index].labs[labIndex].steps[stepIndex]
                // Hints are never taken back: the larger count is the later one.
                hints[place] = max(hints[place] ?? 0, report.hintsUsed)
                // A report fills in what grading has not seen pass; it never overrides a
                // pass or a flag the grader found.
                guard step.status == .failed || step.status == .notAttempted else { continue }
                var merged = step
                merged.status = report.passed ? .passed : .failed
                merged.points = report.passed ? step.maxPoints : 0
                merged.messages = report.passed ? [] : report.failedChecks.map { "\($0): failed (reported by klab verify)" }
                grade.learners[index].labs[labIndex].steps[stepIndex] = merged
                grade.learners[index].labs[labIndex].started = true
            }
            let latestLab = theirs.values.max { $0.sequence < $1.sequence }?.lab
            let place = Self.currentStep(of: grade.learners[index], preferring: latestLab)
            let known = positions[learner]
            let since = known.map { $0.current == place ? $0.since : now } ?? now
            positions[learner] = (place, since)
            rows.append(Row(learner: learner, current: place, since: since, stale: stale.contains(learner),
                            hints: hints, lastReport: reportTimes[learner]))
        }
        return Snapshot(version: version, updated: now, grade: grade, rows: rows, reportsAccepted: accepted, problem: problem)
    }

    /// The first step not passed of the lab the learner reported on last (if unfinished), else
    /// of the first started lab that is unfinished.
    static func currentStep(of learner: LearnerGrade, preferring lab: String?) -> String? {
        func open(_ grade: LabGrade) -> String? {
            guard grade.started else { return nil }
            return grade.steps.first { $0.status != .passed }.map { "\(grade.lab)/\($0.step)" }
        }
        if let lab, let grade = learner.lab(lab), let place = open(grade) { return place }
        for grade in learner.labs { if let place = open(grade) { return place } }
        return nil
    }
}
