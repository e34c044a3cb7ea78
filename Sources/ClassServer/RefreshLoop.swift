import Dispatch
import Foundation
import KubeJSON

/// Grades the class every `interval` on a thread of its own (grading blocks: libgit2 reads,
/// kubectl runs) and hands each round to the board. `stop` ends it between rounds.
// @unchecked: `stopped` is read and written only under `lock`; the semaphore is thread-safe.
public final class RefreshLoop: @unchecked Sendable {
    private let regrader: ClassRegrader
    private let board: ClassBoard
    private let interval: TimeInterval
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false
    private var rounds = 0
    private let roundFinished: @Sendable () -> Void

    /// `roundFinished` is called after each round, on the loop's thread.
    public init(regrader: ClassRegrader, board: ClassBoard, interval: TimeInterval, roundFinished: @escaping @Sendable () -> Void = {}) {
        self.regrader = regrader
        self.board = board
        self.interval = interval
        self.roundFinished = roundFinished
    }

    /// One round now, on the caller's thread.
    public func refresh() {
        let round = regrader.regrade()
        board.regraded(round.grade, stale: round.stale, problem: round.problem, hints: round.hints)
        lock.lock()
        rounds += 1
        lock.unlock()
        roundFinished()
    }

    /// Rounds graded so far.
    public var roundCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return rounds
    }

    /// Grades every `interval` from now on; `immediately`: a first round at once.
    public func start(immediately: Bool = false) {
        let thread = Thread { [self] in
            if immediately && !isStopped { refresh() }
            while !isStopped {
                _ = wake.wait(timeout: .now() + interval)
                if isStopped { break }
                refresh()
            }
        }
        thread.name = "klab serve regrading"
        // Grading reads JSON as deep as klab accepts, as every command does.
        thread.stackSize = InputLimits.stackBytes
        thread.start()
    }

    /// Grades again now instead of at the end of the interval.
    public func poke() { wake.signal() }

    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        wake.signal()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }
}
