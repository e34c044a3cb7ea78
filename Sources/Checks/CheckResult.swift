import LabSpec

/// What evaluating one check found. A failed check is a result, not an error.
public struct CheckResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case passed
        case failed
        /// Skipped on purpose (`--kube-only`) or because a value it needs was never made.
        case notEvaluated = "not-evaluated"
    }

    /// The check's name, with captures substituted.
    public var name: String
    public var status: Status
    /// Why it failed (one line per problem), or why it was not evaluated; empty when passed.
    public var message: [String]
    /// Values the check captured for later checks (only when it passed).
    public var captures: [String: String]
    /// The names of `captures` whose values came from a Secret's `data` or `stringData`, or
    /// from the stdout of a redacted exec, command or probe: checks get the value, evidence
    /// keeps only its digest (`ValueDigest.keeping`).
    public var redactedCaptures: Set<String> = []
    /// How many times the check was evaluated (more than one under `wait`).
    public var attempts: Int
    /// Where the check was written.
    public var location: SourceLocation?

    public init(
        name: String, status: Status, message: [String] = [], captures: [String: String] = [:], attempts: Int = 1,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.status = status
        self.message = message
        self.captures = captures
        self.attempts = attempts
        self.location = location
    }

    public var passed: Bool { status == .passed }
    public var failed: Bool { status == .failed }
}
