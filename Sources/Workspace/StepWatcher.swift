import Checks
import Foundation

/// `klab verify --watch`: verifies the current step again and again, moving on by itself when
/// a step passes, until the lab is complete or the learner stops. Time comes from a clock the
/// caller gives (the terminal's, which Ctrl-C wakes; a test's, which never sleeps).
///
/// With a `WatchingCluster` the step is evaluated again when something it read changes (and
/// on that cluster's timers: a watch that is down, checks no watch sees, a periodic fresh
/// read). A pass seen in lists the watches vouch for is recorded as seen, those lists its
/// evidence; one seen in a list they do not vouch for yet is confirmed on a fresh read first
/// (`WatchingCluster.roundNeedsConfirming`). The cluster's provenance is read ahead on another
/// thread from the start (`StepVerifier.startReadingProvenanceAhead`), so the pass an event
/// brings is recorded without running kubectl. Without a watch (a snapshot), the step is
/// evaluated every `interval` seconds.
///
/// The workspace should be opened with `.whileWriting`: the watch then holds the workspace
/// lock only while it records a pass, and `klab hint` or `klab status` run beside it.
public final class StepWatcher {
    public let verifier: StepVerifier
    /// Seconds between two checks of a step that does not pass yet, when nothing is watched.
    public let interval: Double
    /// The cluster the verifier reads, when its lists are watched.
    public let watch: WatchingCluster?
    private let clock: CheckClock
    /// When the provenance was last read ahead (the clock's time), so a connection whose
    /// provenance cannot be remembered costs its reads once per lifetime, not once per round.
    private var provenanceReadAt: Double?

    public enum Ending: Equatable, Sendable {
        /// Every step has passed.
        case complete
        /// `stopped` said so (Ctrl-C).
        case stopped
    }

    public init(verifier: StepVerifier, clock: CheckClock = SystemClock(), interval: Double = 2, watch: WatchingCluster? = nil) {
        self.verifier = verifier
        self.clock = clock
        self.interval = interval
        self.watch = watch
    }

    /// Runs rounds, handing each to `report`, until the lab is complete or `stopped()` is true.
    /// A round that fails because the learner stopped (Ctrl-C reached kubectl too) is not an
    /// error, and a round that ends after the stop is not reported unless it recorded a pass.
    /// The watches end with the run.
    public func run(stopped: () -> Bool, report: (StepVerifier.Round) throws -> Void) throws -> Ending {
        defer { watch?.stop() }
        if watch != nil { readProvenanceAhead() }
        while !stopped() {
            watch?.beginRound(at: clock.now())
            let round: StepVerifier.Round?
            do {
                round = try verifier.verify(confirm: { watch?.roundNeedsConfirming ?? false })
            } catch where stopped() {
                return .stopped
            }
            if stopped() && round?.passed != true { return .stopped }
            guard let round else { return .complete }
            // Watches start before the report, so it can say what is watched.
            if !round.passed { watch?.follow(at: clock.now()) }
            try report(round)
            // A step passed: the next one may already be done too, so check it at once.
            if round.passed { continue }
            if let watch {
                readProvenanceAhead()
                if watch.waitForChange(clock: clock, stopped: stopped) == .stopped { return .stopped }
            } else {
                clock.sleep(seconds: interval)
            }
        }
        return .stopped
    }

    /// The provenance a pass records, read ahead unless that was done within its lifetime.
    private func readProvenanceAhead() {
        let now = clock.now()
        if let last = provenanceReadAt, now - last < ProvenanceCache.defaultLifetime { return }
        provenanceReadAt = now
        try? verifier.startReadingProvenanceAhead()
    }
}
