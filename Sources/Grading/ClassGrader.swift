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
        progress: ((Int, Int) -> Void)? = nil
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
    static func parallelMap<T, R>(_ items: [T], progress: ((Int, Int) -> Void)?, _ transform: (T) -> R) -> [R] {
        var results = [R?](repeating: nil, count: items.count)
        let lock = NSLock()
        var done = 0
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = buffer
            DispatchQueue.concurrentPerform(iterations: items.count) { index in
                let value = transform(items[index])
                lock.lock()
                slots[index] = value
                done += 1
                let count = done
                lock.unlock()
                progress?(count, items.count)
            }
        }
        return results.map { $0! }
    }
}
