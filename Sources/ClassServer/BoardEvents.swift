import FlyingFox
import FlyingSocks
import Foundation

/// Server-sent events to every open class page: each subscriber gets an `AsyncStream` of
/// encoded events; the newest few are kept for a slow reader (older ones are dropped: every
/// event carries the whole board, so only the latest matters). A subscriber leaves when its
/// connection's task lets go of the stream.
// @unchecked: `subscribers` and `nextID` are read and written only under `lock`.
public final class BoardEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [Int: AsyncStream<Data>.Continuation] = [:]
    private var nextID = 0

    public init() {}

    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscribers.count
    }

    /// A new subscriber's byte stream, starting with `first` (the board as it is now).
    func subscribe(first: Data) -> EventBytes {
        let (stream, continuation) = AsyncStream<Data>.makeStream(bufferingPolicy: .bufferingNewest(4))
        lock.lock()
        let id = nextID
        nextID += 1
        subscribers[id] = continuation
        lock.unlock()
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        continuation.yield(first)
        return EventBytes(stream: stream, leave: Leave { [weak self] in self?.remove(id) })
    }

    /// Sends an event to every subscriber.
    public func send(_ event: Data) {
        lock.lock()
        let all = subscribers
        lock.unlock()
        for (id, continuation) in all {
            if case .terminated = continuation.yield(event) { remove(id) }
        }
    }

    private func remove(_ id: Int) {
        lock.lock()
        let continuation = subscribers.removeValue(forKey: id)
        lock.unlock()
        continuation?.finish()
    }

    /// One event in the wire format: `event:` then each line of `data` as a `data:` line.
    public static func encode(event: String, data: String) -> Data {
        if !data.utf8.contains(UInt8(ascii: "\n")) {
            // A board is written compact, on one line: no need to split it.
            var out = Data("event: \(event)\ndata: ".utf8)
            out.append(contentsOf: data.utf8)
            out.append(contentsOf: "\n\n".utf8)
            return out
        }
        var text = "event: \(event)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return Data((text + "\n").utf8)
    }

    /// A comment line that keeps proxies from closing an idle stream and lets the server
    /// notice a reader that has gone.
    public static let keepAlive = Data(": keep-alive\n\n".utf8)
}

/// Runs `action` once, when the last copy of the stream's iterator is released.
final class Leave: Sendable {
    private let action: @Sendable () -> Void
    init(_ action: @escaping @Sendable () -> Void) { self.action = action }
    deinit { action() }
}

/// A subscriber's events as the bytes of a chunked response body.
struct EventBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let stream: AsyncStream<Data>
    let leave: Leave

    func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator(), leave: leave) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var base: AsyncStream<Data>.Iterator
        let leave: Leave
        /// The event being sent, and how much of it is sent (an offset, so that handing out a
        /// chunk never moves the rest of a large board).
        var pending = Data()
        var sent = 0

        mutating func next() async -> UInt8? {
            guard let buffer = await nextBuffer(suggested: 1) else { return nil }
            return buffer.first
        }

        mutating func nextBuffer(suggested count: Int) async -> [UInt8]? {
            while sent == pending.count {
                guard let data = await base.next() else { return nil }
                pending = data
                sent = 0
            }
            let start = pending.startIndex + sent
            let take = Swift.max(1, Swift.min(count, pending.count - sent))
            sent += take
            return Array(pending[start..<(start + take)])
        }
    }
}
