import Foundation

/// Time as `wait` polling sees it; tests pass a fake that advances without sleeping.
public protocol CheckClock: AnyObject {
    /// Seconds since an arbitrary fixed point.
    func now() -> Double
    func sleep(seconds: Double)
}

/// The real clock: monotonic time and a real sleep.
public final class SystemClock: CheckClock {
    public init() {}

    public func now() -> Double { ProcessInfo.processInfo.systemUptime }

    public func sleep(seconds: Double) {
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }
}
