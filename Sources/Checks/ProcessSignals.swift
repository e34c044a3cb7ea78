import Dispatch
import Foundation

/// The one place klab turns SIGINT, SIGTERM and SIGHUP into calls, for every part that wants
/// them (probe clean-up, `verify --watch`, `serve`), without one part undoing another.
///
/// On Linux, libdispatch catches a signal through a handler it installs with the first signal
/// source made for that signal, and only then. Setting the signal to ignored afterwards (what
/// each part did on its own before its source) replaces that handler, and the signal is then
/// dropped unseen: `klab serve --live` ignored SIGTERM and Ctrl-C once a probe had run. Here
/// there is one source per signal, made once, and the disposition is never touched again.
public enum ProcessSignals {
    /// A registered handler; `cancel` removes it (the signal stays caught).
    public final class Observation: Sendable {
        let number: Int32
        let token: Int
        init(number: Int32, token: Int) {
            self.number = number
            self.token = token
        }

        public func cancel() { ProcessSignals.registry.remove(number, token) }
    }

    /// Calls `handler` on a dispatch thread each time `number` arrives. From then on the
    /// signal no longer ends klab by itself: whoever observes it decides. Handlers run one
    /// after another, the newest first: probe pods made during a round are deleted before
    /// the command that started the round (serve, verify --watch) learns it should stop.
    @discardableResult
    public static func observe(_ number: Int32, _ handler: @escaping @Sendable () -> Void) -> Observation {
        registry.add(number, handler)
    }

    /// How many handlers observe `number` now.
    public static func observers(of number: Int32) -> Int { registry.count(number) }

    /// Whether `number` would have ended klab (its disposition was the default) before klab
    /// first observed it; false when klab was started with it ignored. Asked of a signal
    /// observed already.
    public static func endedKlabByDefault(_ number: Int32) -> Bool { registry.inheritedDefault(number) }

    /// Ends klab with `number` as if nobody observed it (the exit status says which signal).
    public static func end(with number: Int32) -> Never {
        signal(number, SIG_DFL)
        // At the process, not this thread: dispatch threads block signals.
        kill(getpid(), number)
        // A thread that blocks it may take a moment to hand it over.
        while true { pause() }
    }

    static let registry = Registry()

    // @unchecked: every property is read and written only under `lock`.
    final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var sources: [Int32: DispatchSourceSignal] = [:]
        private var defaults: [Int32: Bool] = [:]
        private var handlers: [Int32: [Int: @Sendable () -> Void]] = [:]
        private var nextToken = 0

        func add(_ number: Int32, _ handler: @escaping @Sendable () -> Void) -> Observation {
            lock.lock()
            defer { lock.unlock() }
            nextToken += 1
            handlers[number, default: [:]][nextToken] = handler
            if sources[number] == nil {
                // Ignored before the source exists (kqueue needs it; libdispatch on Linux puts
                // its own handler in place right after), never again afterwards.
                let previous = signal(number, SIG_IGN)
                defaults[number] = previous == nil  // SIG_DFL
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [unowned self] in
                    for handler in self.current(number) { handler() }
                }
                // libdispatch arms the source (and replaces SIG_IGN with its handler) on its own
                // thread after `resume`; a signal that comes before that is lost. So klab goes
                // on only once the source is armed: a Ctrl-C pressed right after the first
                // thing klab prints is seen. The bound only guards against a libdispatch that
                // never reports.
                let armed = DispatchSemaphore(value: 0)
                source.setRegistrationHandler { armed.signal() }
                source.resume()
                _ = armed.wait(timeout: .now() + 10)
                sources[number] = source
            }
            return Observation(number: number, token: nextToken)
        }

        func remove(_ number: Int32, _ token: Int) {
            lock.lock()
            defer { lock.unlock() }
            handlers[number]?[token] = nil
        }

        func count(_ number: Int32) -> Int {
            lock.lock()
            defer { lock.unlock() }
            return handlers[number]?.count ?? 0
        }

        func inheritedDefault(_ number: Int32) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return defaults[number] ?? true
        }

        private func current(_ number: Int32) -> [@Sendable () -> Void] {
            lock.lock()
            defer { lock.unlock() }
            return (handlers[number] ?? [:]).sorted { $0.key > $1.key }.map(\.value)
        }
    }
}
