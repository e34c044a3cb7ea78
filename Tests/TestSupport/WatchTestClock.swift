import Checks
import Foundation

/// The clock of the watch tests (`WatchingClusterTests`, `StepWatcherEventTests`): time passes
/// only when a sleep lets it. While `waitsForEvents`, a sleep on a watch's signal waits for that
/// signal in real time, bounded: an event that never comes is counted in `missedEvents`, never
/// timed, and the test asserts the count is 0. Otherwise the asked time goes by at once.
/// `meanwhile` runs at the start of each such sleep (what the test does while the watch
/// sleeps); what it throws is kept in `failures`.
// @unchecked: the watch loop and the test body run on one thread; the stream threads only
// raise the signal.
public final class WatchTestClock: CheckClock, @unchecked Sendable {
    public var time = 0.0
    public var waitsForEvents = true
    public var missedEvents = 0
    public var meanwhile: () throws -> Void = {}
    public var failures: [Error] = []

    public init() {}

    public func now() -> Double { time }

    public func sleep(seconds: Double) { time += seconds }

    public func sleep(seconds: Double, wakingOn signal: WakeSignal) -> Bool {
        do { try meanwhile() } catch { failures.append(error) }
        if signal.take() { return true }
        if waitsForEvents {
            if signal.wait(seconds: 30) { return true }
            missedEvents += 1
        }
        time += seconds
        return signal.take()
    }
}
