import Foundation

/// A value shared between the threads of a test.
// @unchecked: `stored` is read and written only while holding `lock`.
public final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    public init(_ value: Value) { stored = value }

    public var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    public func update(_ body: (inout Value) -> Void) {
        lock.lock()
        body(&stored)
        lock.unlock()
    }
}

/// Runs `body` once for each index below `count` on `workers` threads, each thread taking the
/// next index when it is done with one (so slow and quick items share out evenly), and returns
/// what each call returned, in index order. `body` also gets its thread's number, below
/// `workers`, for a folder of its own. For tests whose items are mostly waiting on processes.
public func concurrently<Output: Sendable>(_ count: Int, workers: Int, _ body: @Sendable (_ index: Int, _ worker: Int) -> Output) -> [Output] {
    let next = Locked(0)
    let outputs = Locked([Int: Output]())
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { worker in
        while true {
            var index = 0
            next.update { index = $0; $0 += 1 }
            guard index < count else { return }
            let output = body(index, worker)
            outputs.update { $0[index] = output }
        }
    }
    let done = outputs.value
    return (0..<count).map { done[$0]! }
}
