import Foundation

/// Threads whose stack holds the deepest input klab accepts (`InputLimits.jsonDepth`): the
/// evaluator, the writer, equality and release of JSON values recurse once per level, and
/// 10,000 levels overflow a default 8 MiB stack in a debug build. The stack is address space,
/// used only as deep as the recursion goes.
public enum DeepStack {
    /// Runs `body` on a thread with a deep stack and waits for it.
    public static func run<T>(_ body: () -> T) -> T {
        withoutActuallyEscaping(body) { body in
            let box = Box<T>(body)
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                box.result = box.body!()
                done.signal()
            }
            thread.stackSize = InputLimits.stackBytes
            thread.start()
            done.wait()
            // The thread may outlive this call for a moment: it must not hold `body` then.
            box.body = nil
            return box.result!
        }
    }

    /// `DispatchQueue.concurrentPerform` on deep-stack threads, one per processor at most
    /// unless `threads` asks for more.
    public static func concurrentPerform(iterations: Int, threads: Int? = nil, _ body: (Int) -> Void) {
        guard iterations > 0 else { return }
        withoutActuallyEscaping(body) { body in
            let work = Work(body, count: iterations)
            let workers = max(1, min(iterations, threads ?? ProcessInfo.processInfo.activeProcessorCount))
            let done = DispatchGroup()
            for _ in 0..<workers {
                done.enter()
                let thread = Thread {
                    while let index = work.next() { work.body!(index) }
                    done.leave()
                }
                thread.stackSize = InputLimits.stackBytes
                thread.start()
            }
            done.wait()
            work.body = nil
        }
    }
}

// @unchecked: `result` is written by the one thread before `done.signal()` and read after
// `done.wait()`; `body` is cleared only after that.
private final class Box<T>: @unchecked Sendable {
    var body: (() -> T)?
    var result: T?
    init(_ body: @escaping () -> T) { self.body = body }
}

// @unchecked: `body` may run on several threads at once, as concurrentPerform's does, and is
// cleared only after every thread has left the group; `taken` is read and written only while
// holding `lock`.
private final class Work: @unchecked Sendable {
    var body: ((Int) -> Void)?
    let count: Int
    private let lock = NSLock()
    private var taken = 0

    init(_ body: @escaping (Int) -> Void, count: Int) {
        self.body = body
        self.count = count
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }
}
