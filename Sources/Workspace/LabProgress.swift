/// A lab's progress, derived from the history alone, so it can never disagree with it.
public struct LabProgress: Sendable, Equatable {
    public var lab: String
    /// Steps passed, in the order they were passed, with the commit that recorded each.
    public var passed: [(step: String, commit: String)]
    /// Hints shown per step.
    public var hintsShown: [String: Int]
    /// The commit that started the lab.
    public var startCommit: String

    public static func == (lhs: LabProgress, rhs: LabProgress) -> Bool {
        lhs.lab == rhs.lab && lhs.hintsShown == rhs.hintsShown && lhs.startCommit == rhs.startCommit
            && lhs.passed.elementsEqual(rhs.passed, by: { $0.step == $1.step && $0.commit == $1.commit })
    }

    public func hasPassed(_ step: String) -> Bool { passed.contains { $0.step == step } }

    /// The first step, in the lab's order, not yet passed; nil when all are done.
    public func currentStep(in order: [String]) -> String? { order.first { !hasPassed($0) } }
}
