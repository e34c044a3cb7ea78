/// What a klab commit records.
public enum ProgressEvent: String, Sendable, Equatable {
    /// A lab was started (or restarted): its first step begins.
    case start
    /// A step's checks passed; evidence is in the commit.
    case pass
    /// A hint was shown.
    case hint
    /// Progress went back to the start of a step.
    case reset
    /// A reset, restart, restore or undo was undone: progress is what it was before that
    /// operation.
    case undo
    /// A backup's files were brought back into the lab's folder; progress is unchanged.
    case restore
}

/// One klab commit of the workspace branch, as far as progress is concerned.
public struct ProgressEntry: Sendable, Equatable {
    public var commit: String
    public var event: ProgressEvent
    public var lab: String
    public var step: String?
    public var trailers: [(String, String)]

    public init(commit: String, event: ProgressEvent, lab: String, step: String?, trailers: [(String, String)] = []) {
        self.commit = commit
        self.event = event
        self.lab = lab
        self.step = step
        self.trailers = trailers
    }

    public static func == (lhs: ProgressEntry, rhs: ProgressEntry) -> Bool {
        lhs.commit == rhs.commit && lhs.event == rhs.event && lhs.lab == rhs.lab && lhs.step == rhs.step
            && lhs.trailers.elementsEqual(rhs.trailers, by: { $0 == $1 })
    }

    /// Reads a commit's trailers; nil for commits klab did not make (the learner's own).
    public init?(commit: String, trailers: [(String, String)]) {
        func value(_ key: String) -> String? { trailers.last { $0.0 == key }?.1 }
        guard let lab = value(KlabTrailer.lab), let raw = value(KlabTrailer.event), let event = ProgressEvent(rawValue: raw)
        else { return nil }
        self.init(commit: commit, event: event, lab: lab, step: value(KlabTrailer.step), trailers: trailers)
    }

    /// The value of the last trailer with `key`.
    public func value(_ key: String) -> String? { trailers.last { $0.0 == key }?.1 }
}
