import Checks
import Foundation

/// `klab verify --watch`: verifies the current step again and again, moving on by itself when
/// a step passes, until the lab is complete or the learner stops. Time comes from a clock the
/// caller gives (the terminal's, which Ctrl-C wakes; a test's, which never sleeps).
///
/// The workspace should be opened with `.whileWriting`: the watch then holds the workspace
/// lock only while it records a pass, and `klab hint` or `klab status` run beside it.
public final class StepWatcher {
    public let verifier: StepVerifier
    /// Seconds between two checks of a step that does not pass yet.
    public let interval: Double
    private let clock: CheckClock

    public enum Ending: Equatable, Sendable {
        /// Every step has passed.
        case complete
        /// `stopped` said so (Ctrl-C).
        case stopped
    }

    public init(verifier: StepVerifier, clock: CheckClock = SystemClock(), interval: Double = 2) {
        self.verifier = verifier
        self.clock = clock
        self.interval = interval
    }

    /// Runs rounds, handing each to `report`, until the lab is complete or `stopped()` is true.
    /// A round that fails because the learner stopped (Ctrl-C reached kubectl too) is not an
    /// error, and a round that ends after the stop is not reported unless it recorded a pass.
    public func run(stopped: () -> Bool, report: (StepVerifier.Round) throws -> Void) throws -> Ending {
        while !stopped() {
            let round: StepVerifier.Round?
            do {
                round = try verifier.verify()
            } catch where stopped() {
                return .stopped
            }
            if stopped() && round?.passed != true { return .stopped }
            guard let round else { return .complete }
            try report(round)
            // A step passed: the next one may already be done too, so check it at once.
            if round.passed { continue }
            clock.sleep(seconds: interval)
        }
        return .stopped
    }
}
