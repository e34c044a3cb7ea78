import Checks
import Dispatch
import Foundation
import Grading

/// Grades the class again, the way `klab grade` does, for the dashboard: each learner as a job
/// of its own, waited for only until `learnerTimeout`, so one slow or broken learner never
/// holds up a refresh (their last grades are kept and marked stale, and their job is not
/// started twice). Offline, a hand-in that has not changed since it was last graded is not
/// read again.
// @unchecked: `handIns` is read and written only by `regrade`, which `RefreshLoop` calls from
// one thread at a time; the jobs themselves synchronise through `LearnerJobs`.
public final class ClassRegrader: @unchecked Sendable {
    public enum Source: Sendable {
        case offline(OfflineGrader)
        case live(LiveGrader)
    }

    /// One round: the class, the learners whose grades are left over, what went wrong, and
    /// (offline) the hints each learner's history says were shown, by `lab/step`.
    public struct Round: Sendable {
        public var grade: ClassGrade
        public var stale: Set<String>
        public var problem: String?
        public var hints: [String: [String: Int]] = [:]
    }

    let source: Source
    let entries: @Sendable () throws -> [RosterEntry]
    let learnerTimeout: TimeInterval
    private let jobs = LearnerJobs()
    /// Offline: each hand-in's last grading and the fingerprint of the files it was read from.
    private var handIns: [String: (fingerprint: String, handIn: OfflineGrader.HandIn)] = [:]
    /// Live: each learner's last grade.
    private var grades: [String: LearnerGrade] = [:]

    /// `entries` is asked again every round, so a hand-in added to the folder appears.
    public init(source: Source, entries: @escaping @Sendable () throws -> [RosterEntry], learnerTimeout: TimeInterval) {
        self.source = source
        self.entries = entries
        self.learnerTimeout = learnerTimeout
    }

    public func regrade() -> Round {
        let entries: [RosterEntry]
        do {
            entries = try self.entries()
        } catch {
            return Round(grade: ClassGrade(mode: mode, labs: [], steps: [:], learners: []), stale: [], problem: "\(error)")
        }
        switch source {
        case .offline(let grader): return offline(grader, entries)
        case .live(let grader): return live(grader, entries)
        }
    }

    var mode: String {
        if case .live = source { return "live" }
        return "offline"
    }

    private func offline(_ grader: OfflineGrader, _ entries: [RosterEntry]) -> Round {
        var work: [LearnerJobs.Job] = []
        var fingerprints: [String: String] = [:]
        for entry in entries {
            let key = entry.workspace ?? OfflineGrader.rowName(entry)
            let fingerprint = Self.fingerprint(entry.workspace)
            fingerprints[key] = fingerprint
            if handIns[key]?.fingerprint == fingerprint { continue }
            // The fingerprint is taken before the read: a change made meanwhile is read next round.
            work.append(.init(key: key) { Inspected(fingerprint: Self.fingerprint(entry.workspace), handIn: grader.inspect(entry)) })
        }
        let done = jobs.run(work, timeout: learnerTimeout)
        var stale: Set<String> = []
        var inspected: [OfflineGrader.HandIn] = []
        for entry in entries {
            let key = entry.workspace ?? OfflineGrader.rowName(entry)
            if let fresh = done[key] as? Inspected {
                handIns[key] = (fresh.fingerprint, fresh.handIn)
                inspected.append(fresh.handIn)
            } else if let kept = handIns[key] {
                if kept.fingerprint != fingerprints[key] { stale.insert(kept.handIn.grade.learner) }
                inspected.append(kept.handIn)
            } else {
                let name = OfflineGrader.rowName(entry)
                stale.insert(name)
                inspected.append(OfflineGrader.HandIn(
                    grade: LearnerGrade(learner: name, source: entry.workspace ?? "(none)", labs: [], flags: []),
                    commits: [], evidenceDigests: [], objectUIDs: []))
            }
        }
        let steps = ClassGrader.stepOrder(Array(grader.labs.values), grader.labOrder)
        var hints: [String: [String: Int]] = [:]
        for handIn in inspected where !handIn.hints.isEmpty { hints[handIn.grade.learner] = handIn.hints }
        return Round(grade: ClassGrade(mode: "offline", labs: grader.labOrder, steps: steps, learners: ClassGrader.crossChecked(inspected)),
                     stale: stale, problem: nil, hints: hints)
    }

    private func live(_ grader: LiveGrader, _ entries: [RosterEntry]) -> Round {
        let steps = ClassGrader.stepOrder(grader.labs, grader.labIDs)
        let clusters: [String: KubectlCluster]
        do {
            clusters = try grader.clusters(for: entries)
        } catch {
            return Round(grade: ClassGrade(mode: "live", labs: grader.labIDs, steps: steps, learners: []), stale: [], problem: "\(error)")
        }
        let work = entries.map { entry in
            LearnerJobs.Job(key: Self.liveKey(entry)) { () -> Result<LearnerGrade, GradingFailure> in
                do { return .success(try grader.grade(entry, clusters: clusters)) } catch { return .failure(GradingFailure(message: "\(error)")) }
            }
        }
        let done = jobs.run(work, timeout: learnerTimeout)
        var stale: Set<String> = []
        var problems: [String] = []
        var learners: [LearnerGrade] = []
        for entry in entries {
            let key = Self.liveKey(entry)
            switch done[key] as? Result<LearnerGrade, GradingFailure> {
            case .success(let grade)?:
                grades[key] = grade
                learners.append(grade)
            case .failure(let failure)?:
                problems.append(failure.message)
                fallthrough
            case nil:
                stale.insert(key)
                learners.append(grades[key] ?? LearnerGrade(learner: key, source: entry.namespace ?? "", labs: [], flags: []))
            }
        }
        let problem = problems.first.map { problems.count == 1 ? $0 : "\($0) (and \(problems.count - 1) more)" }
        return Round(grade: ClassGrade(mode: "live", labs: grader.labIDs, steps: steps, learners: learners), stale: stale, problem: problem)
    }

    static func liveKey(_ entry: RosterEntry) -> String { entry.learner ?? entry.namespace ?? "" }

    /// What changes when a learner commits or a hand-in is replaced: the size and time of the
    /// bundle, or of the repository's HEAD, reflog, packed refs and branch folder.
    static func fingerprint(_ path: String?) -> String {
        guard let path else { return "" }
        let candidates = [path] + [".git/HEAD", ".git/logs/HEAD", ".git/packed-refs", ".git/refs/heads", "HEAD", "logs/HEAD", "packed-refs", "refs/heads"]
            .map { (path as NSString).appendingPathComponent($0) }
        return candidates.compactMap { candidate -> String? in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: candidate) else { return nil }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(candidate) \(size) \(time)"
        }.joined(separator: "\n")
    }
}

/// A hand-in read, with the fingerprint of its files when the read began.
struct Inspected: Sendable {
    var fingerprint: String
    var handIn: OfflineGrader.HandIn
}

/// A learner's grading that threw (live): said on the board, their last grades kept.
struct GradingFailure: Error, Sendable {
    var message: String
}

/// Jobs by key on a pool of threads: `run` waits for this round's jobs until a deadline and
/// returns those that finished; a job still running is never started again, and what it
/// returns after its round is taken by the next round.
final class LearnerJobs: @unchecked Sendable {
    struct Job: Sendable {
        var key: String
        var work: @Sendable () -> any Sendable
    }

    private let condition = NSCondition()
    private var running: Set<String> = []
    private var finished: [String: any Sendable] = [:]
    private let queue: OperationQueue

    init() {
        queue = OperationQueue()
        // Wider than the cores: a job stuck on a slow disk or kubectl holds a slot.
        queue.maxConcurrentOperationCount = max(4, ProcessInfo.processInfo.activeProcessorCount * 2)
    }

    // @unchecked: `running` and `finished` are touched only while holding `condition`.
    func run(_ jobs: [Job], timeout: TimeInterval) -> [String: any Sendable] {
        condition.lock()
        defer { condition.unlock() }
        // A job still running is waited for again; one that finished after its round is taken as is.
        for job in jobs where !running.contains(job.key) && finished[job.key] == nil {
            running.insert(job.key)
            queue.addOperation { [self] in
                let value = job.work()
                condition.lock()
                finished[job.key] = value
                running.remove(job.key)
                condition.broadcast()
                condition.unlock()
            }
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while jobs.contains(where: { finished[$0.key] == nil }) {
            if !condition.wait(until: deadline) { break }
        }
        var out: [String: any Sendable] = [:]
        for job in jobs { if let value = finished.removeValue(forKey: job.key) { out[job.key] = value } }
        return out
    }
}
