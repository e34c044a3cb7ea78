import Foundation

/// A program left running while a test talks to it (`klab serve`, `curl -N` on an event
/// stream): its output gathered as it comes, waited on for what the test expects (no fixed
/// sleeps), and stopped by its own process id when the test is done.
public final class BackgroundProcess: @unchecked Sendable {
    // @unchecked: `output` and `errors` are read and written only under `condition`.
    private let process: Process
    private let condition = NSCondition()
    private var output = Data()
    private var errors = Data()
    private var ended = false

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) throws {
        process = TestProcess.configured(executable, arguments, environment: environment, currentDirectory: currentDirectory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        gather(out.fileHandleForReading, stdout: true)
        gather(err.fileHandleForReading, stdout: false)
    }

    private func gather(_ handle: FileHandle, stdout: Bool) {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty {
                    if stdout { ended = true }
                } else if stdout {
                    output.append(chunk)
                } else {
                    errors.append(chunk)
                }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }
        thread.start()
    }

    public var stdout: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: output, as: UTF8.self)
    }

    public var stderr: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: errors, as: UTF8.self)
    }

    /// Waits until `predicate` holds for stdout so far, or its stdout ends, or `timeout`
    /// passes (a bound for a hung program, not a verdict); returns what `predicate` returned.
    @discardableResult
    public func waitForOutput<T>(timeout: TimeInterval = 60, _ predicate: (String) -> T?) -> T? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let found = predicate(String(decoding: output, as: UTF8.self)) { return found }
            if ended { return nil }
            if !condition.wait(until: deadline) { return predicate(String(decoding: output, as: UTF8.self)) }
        }
    }

    /// Waits for the program to end by itself; its exit status.
    public func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGINT (as Ctrl-C does) and waits for it to end; its exit status.
    @discardableResult
    public func interrupt() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Sends `number` (SIGTERM, as a service manager or `kill` does) and waits up to `timeout`
    /// for it to end (a bound for a hang, not a verdict); its exit status, nil if it still runs.
    public func signal(_ number: Int32, waitingUpTo timeout: TimeInterval) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, number) }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Ends it for good (SIGKILL: nothing it does can hold up a test's clean-up) if it still runs.
    public func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { terminate() }
}
