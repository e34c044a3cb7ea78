import Foundation

/// The one way the tests run a program (klab, git, kubectl, xmllint, a browser): arguments as
/// an array, the environment merged over this process's, stdin written then closed, stdout
/// and stderr read to the end at the same time (a full pipe cannot stall the child).
public enum TestProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// stdout as bytes, for output that is not text.
        public var data: Data

        public var succeeded: Bool { status == 0 }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A process for `executable` (a path, or a name looked up on PATH through /usr/bin/env)
    /// with `arguments`, `environment` merged over this process's, in `currentDirectory` (this
    /// process's when nil); not started, its standard streams left to the caller.
    public static func configured(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) -> Process {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        return process
    }

    /// Runs `executable` (a path, or a name looked up on PATH through /usr/bin/env).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, stdin: String? = nil
    ) throws -> Result {
        let process = configured(executable, arguments, environment: environment, currentDirectory: currentDirectory)
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inp.fileHandleForWriting.close()
        let errors = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errors.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors.data, as: UTF8.self), data: output)
    }

    /// Runs it and throws, with the command and its stderr, unless it exits 0.
    @discardableResult
    public static func succeed(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, stdin: String? = nil
    ) throws -> Result {
        let result = try run(executable, arguments, environment: environment, currentDirectory: currentDirectory, stdin: stdin)
        guard result.succeeded else {
            throw Failure(description: "\(([executable] + arguments).joined(separator: " ")) exited \(result.status): \(result.stderr.suffix(1000))")
        }
        return result
    }
}

extension TestProcess {
    /// A program left running while the test goes on (a server, or a klab the test kills on
    /// purpose). Its output goes nowhere unless `readLine()` is wanted; stdin is empty unless
    /// `write(_:)` is wanted.
    // @unchecked: the Process is only started, signalled and waited for, which Foundation's
    // Process allows from any thread; the pipes (and `pending`) are used by one test at a time.
    public final class Running: @unchecked Sendable {
        private let process: Process
        private let output: Pipe?
        private let input: Pipe?
        /// Output read from the pipe but not yet returned by `readLine()`.
        private var pending = Data()

        init(process: Process, output: Pipe?, input: Pipe? = nil) {
            self.process = process
            self.output = output
            self.input = input
        }

        public var pid: Int32 { process.processIdentifier }
        public var isRunning: Bool { process.isRunning }
        /// How it ended (`.exit` or `.uncaughtSignal`), once `wait()` has returned.
        public var terminationReason: Process.TerminationReason { process.terminationReason }

        /// Sends `signal` (SIGTERM unless told) if it is still running.
        public func stop(_ signal: Int32 = SIGTERM) {
            if process.isRunning { kill(process.processIdentifier, signal) }
        }

        /// Waits for it to end; its exit status.
        @discardableResult
        public func wait() -> Int32 {
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// The next line it printed on stdout (without the newline), nil at the end of its output.
        public func readLine() -> String? {
            guard let handle = output?.fileHandleForReading else { return nil }
            while true {
                if let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[pending.index(after: newline)...])
                    return String(decoding: line, as: UTF8.self)
                }
                let chunk = handle.availableData
                if chunk.isEmpty {
                    defer { pending = Data() }
                    return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
                }
                pending += chunk
            }
        }

        /// Writes `text` to its stdin (started with `writingInput: true`).
        public func write(_ text: String) throws {
            guard let handle = input?.fileHandleForWriting else {
                throw Failure(description: "the process was started without writingInput")
            }
            try handle.write(contentsOf: Data(text.utf8))
        }

        /// Closes its stdin: it reads the end of its input.
        public func closeInput() throws {
            try input?.fileHandleForWriting.close()
        }
    }

    /// Starts `executable` (a path, or a name looked up on PATH) and returns at once.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, readingOutput: Bool = false, writingInput: Bool = false
    ) throws -> Running {
        let process = configured(executable, arguments, environment: environment, currentDirectory: currentDirectory)
        let output = readingOutput ? Pipe() : nil
        let input = writingInput ? Pipe() : nil
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        return Running(process: process, output: output, input: input)
    }
}

/// stderr as the reading thread hands it over.
// @unchecked: `data` is written once by the reader and read after `group.wait()`; the lock
// makes that hand-over visible across threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = Data()

    func set(_ data: Data) {
        lock.lock()
        stored = data
        lock.unlock()
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// A list that concurrent test code appends to (results of parallel runs, problems found).
// @unchecked: `items` is read and written only while holding `lock`.
public final class Gathered<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Item] = []

    public init() {}

    public func append(_ item: Item) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    public var values: [Item] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
