import Checks
import Dispatch
import Foundation
import LabSpec

/// Grades a whole class: every hand-in on its own (one bad workspace never stops the run),
/// in parallel on every core, each one's memory released before the next is taken.
public enum ClassGrader {
    /// Labs to grade: those asked for, else every lab the instructor has that any learner
    /// started would be unknown before reading; so: the instructor's labs in catalog order.
    public static func gradeOffline(
        entries: [RosterEntry], labs: [Lab], grading labIDs: [String], classKey: Data?,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> ClassGrade {
        let grader = OfflineGrader(labs: labs, grading: labIDs, classKey: classKey)
        let results = parallelMap(entries, progress: progress) { grader.grade($0) }
        return ClassGrade(mode: "offline", labs: labIDs, steps: stepOrder(labs, labIDs), learners: results)
    }

    static func stepOrder(_ labs: [Lab], _ ids: [String]) -> [String: [String]] {
        var steps: [String: [String]] = [:]
        for lab in labs where ids.contains(lab.id) { steps[lab.id] = lab.steps.map(\.id) }
        return steps
    }

    /// Maps in parallel, keeping the input order; `progress(done, total)` after each item.
    static func parallelMap<T: Sendable, R: Sendable>(
        _ items: [T], progress: (@Sendable (Int, Int) -> Void)?, _ transform: @Sendable (T) -> R
    ) -> [R] {
        let results = Slots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let done = results.fill(index, with: transform(items[index]))
            progress?(done, items.count)
        }
        return results.values
    }
}

/// The results of a parallel map as they arrive.
// @unchecked: `slots` and `done` are read and written only while holding `lock`.
private final class Slots<R: Sendable>: @unchecked Sendable {
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
