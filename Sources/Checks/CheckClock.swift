import Foundation

/// Time as `wait` polling sees it; tests pass a fake that advances without sleeping.
public protocol CheckClock: AnyObject {
    /// Seconds since an arbitrary fixed point.
    func now() -> Double
    func sleep(seconds: Double)
    /// Sleeps until `seconds` have gone by or `signal` is raised (a watch saw a change);
    /// true when the signal ended the sleep. The signal is taken (lowered) either way.
    func sleep(seconds: Double, wakingOn signal: WakeSignal) -> Bool
}

extension CheckClock {
    /// A clock that knows no better sleeps the whole time, then looks at the signal.
    public func sleep(seconds: Double, wakingOn signal: WakeSignal) -> Bool {
        if signal.take() { return true }
        sleep(seconds: seconds)
        return signal.take()
    }
}

/// The real clock: monotonic time and a real sleep.
public final class SystemClock: CheckClock {
    public init() {}

    public func now() -> Double { ProcessInfo.processInfo.systemUptime }

    public func sleep(seconds: Double) {
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }

    public func sleep(seconds: Double, wakingOn signal: WakeSignal) -> Bool {
        signal.wait(seconds: seconds)
    }
}

/// A flag one thread raises (a watch stream that saw a change) and another waits on. It stays
/// raised until taken, so a change that arrives while nobody waits is not lost.
// @unchecked: `raised` is read and written only under `condition`.
public final class WakeSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var raised = false

    public init() {}

    public func raise() {
        condition.lock()
        raised = true
        condition.broadcast()
        condition.unlock()
    }

    /// Lowers the flag; true if it was raised.
    public func take() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let was = raised
        raised = false
        return was
    }

    /// Waits up to `seconds` of real time for the flag, then takes it; true if it was raised.
    public func wait(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        condition.lock()
        defer { condition.unlock() }
        while !raised, condition.wait(until: deadline) {}
        let was = raised
        raised = false
        return was
    }
}
