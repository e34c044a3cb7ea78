import Checks
import Dispatch
import Foundation
import KubeJSON
import LabSpec

/// Grades a whole class: every hand-in on its own (one bad workspace never stops the run),
/// in parallel on every core, each one's memory released before the next is taken.
public enum ClassGrader {
    /// Grades every hand-in offline, then compares them: shared klab commits or evidence, and
    /// objects of a lab's namespace in two learners' evidence, are flagged on both rows.
    public static func gradeOffline(
        entries: [RosterEntry], labs: [Lab], grading labIDs: [String], options: OfflineGrader.Options,
        handInsAtOnce: Int = handInsAtOnce, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> ClassGrade {
        let grader = OfflineGrader(labs: labs, grading: labIDs, options: options)
        let handIns = parallelMap(entries, threads: handInsAtOnce, progress: progress) { grader.inspect($0) }
        return ClassGrade(mode: "offline", labs: labIDs, steps: stepOrder(labs, labIDs), learners: crossChecked(handIns))
    }

    public static func gradeOffline(
        entries: [RosterEntry], labs: [Lab], grading labIDs: [String], classKey: Data?,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> ClassGrade {
        gradeOffline(entries: entries, labs: labs, grading: labIDs, options: .init(classKey: classKey), progress: progress)
    }

    /// The grades with the class-wide flags added: `shared-history` (the same klab commit, or
    /// the same evidence for the same step, in two hand-ins) and `copied-evidence` (an object
    /// of a lab's namespace, by UID, in two learners' evidence; cluster-scoped and kube-system
    /// objects are never counted, since a class may share a cluster).
    public static func crossChecked(_ handIns: [OfflineGrader.HandIn]) -> [LearnerGrade] {
        var grades = handIns.map(\.grade)
        func partners<Key: Hashable>(_ keys: (OfflineGrader.HandIn) -> Set<Key>) -> [Int: [Int: Int]] {
            var holders: [Key: [Int]] = [:]
            for (index, handIn) in handIns.enumerated() {
                for key in keys(handIn) { holders[key, default: []].append(index) }
            }
            var found: [Int: [Int: Int]] = [:]
            for group in holders.values where group.count > 1 {
                for a in group { for b in group where b != a { found[a, default: [:]][b, default: 0] += 1 } }
            }
            return found
        }
        func names(_ others: [Int: Int]) -> String {
            others.keys.sorted().map { "\(grades[$0].learner) (\(grades[$0].source), \(others[$0]!) in common)" }
                .joined(separator: ", ")
        }
        let shared = partners { $0.commits.union($0.evidenceDigests) }
        let copied = partners(\.objectUIDs)
        for index in grades.indices {
            if let others = shared[index] {
                grades[index].flags.append(GradeFlag(.sharedHistory, detail: "shares klab commits or evidence with \(names(others))"))
            }
            if let others = copied[index] {
                grades[index].flags.append(GradeFlag(.copiedEvidence, detail: "objects of the lab's namespace, by UID, also appear in the evidence of \(names(others))"))
            }
        }
        return grades
    }

    public static func stepOrder(_ labs: [Lab], _ ids: [String]) -> [String: [String]] {
        var steps: [String: [String]] = [:]
        for lab in labs where ids.contains(lab.id) { steps[lab.id] = lab.steps.map(\.id) }
        return steps
    }

    /// How many hand-ins are graded at once: eight per core, up to 32. A class just copied in
    /// is read from disk, a few hundred small files per hand-in, and one hand-in's reads wait
    /// on the disk while others' checks use the cores. On 2 cores, 10,000 hand-ins read from
    /// disk took 80 s sixteen at a time and 139 s two at a time (`Scripts/bench grade`, as
    /// root); with the class in memory, 16 at a time is as fast as 2.
    public static var handInsAtOnce: Int {
        min(32, 8 * max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Maps in parallel, `threads` items at a time, keeping the input order;
    /// `progress(done, total)` after each item.
    static func parallelMap<T: Sendable, R: Sendable>(
        _ items: [T], threads: Int = handInsAtOnce, progress: (@Sendable (Int, Int) -> Void)?, _ transform: @Sendable (T) -> R
    ) -> [R] {
        let results = Slots<R>(count: items.count)
        // Deep-stack threads: a hand-in's evidence may nest JSON as deep as klab accepts.
        DeepStack.concurrentPerform(iterations: items.count, threads: threads) { index in
            let done = results.fill(index, with: transform(items[index]))
            progress?(done, items.count)
        }
        return results.values
    }
}

/// The results of a parallel map as they arrive.
// @unchecked: `slots` and `done` are read and written only while holding `lock`.
final class Slots<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [R?]
    private var done = 0

    init(count: Int) {
        slots = [R?](repeating: nil, count: count)
    }

    /// Stores one result; returns how many are in.
    func fill(_ index: Int, with value: R) -> Int {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = value
        done += 1
        return done
    }

    var values: [R] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
