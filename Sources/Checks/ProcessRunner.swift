import Foundation

/// What a finished subprocess left behind.
public struct ProcessResult: Sendable {
    public var executable: String
    public var arguments: [String]
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The command as a person would type it, for messages.
    public var commandLine: String { ([executable] + arguments).map(shellQuoted).joined(separator: " ") }
}

/// A subprocess that could not be run at all.
public enum ProcessRunnerError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case launchFailed(String, String)

    public var description: String {
        switch self {
        case .notFound(let name): return "\(name) is not installed or not on PATH"
        case .launchFailed(let name, let reason): return "could not start \(name): \(reason)"
        }
    }
}

/// The one seam through which klab runs other programs: argument arrays (never a shell
/// string), stdin closed unless given, stdout and stderr captured, and a timeout.
public enum ProcessRunner {
    /// Finds an executable on PATH (or takes a path as is).
    public static func which(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static func run(
        _ name: String,
        _ arguments: [String],
        stdin: Data? = nil,
        environment: [String: String]? = nil,
        timeout: TimeInterval? = nil
    ) throws -> ProcessResult {
        let env = environment ?? ProcessInfo.processInfo.environment
        guard let executable = which(name, path: env["PATH"]) else { throw ProcessRunnerError.notFound(name) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = env
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe: Pipe?
        if stdin != nil {
            inPipe = Pipe()
            process.standardInput = inPipe
        } else {
            inPipe = nil
            process.standardInput = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            throw ProcessRunnerError.launchFailed(name, error.localizedDescription)
        }

        // Drain both pipes on their own threads so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        let collected = Collected()
        group.enter()
        DispatchQueue.global().async {
            collected.setOut(outPipe.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            collected.setErr(errPipe.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        if let inPipe, let stdin {
            DispatchQueue.global().async {
                inPipe.fileHandleForWriting.write(stdin)
                try? inPipe.fileHandleForWriting.close()
            }
        }

        var timedOut = false
        if let timeout {
            let deadline = DispatchTime.now() + timeout
            let exited = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                process.waitUntilExit()
                exited.signal()
            }
            if exited.wait(timeout: deadline) == .timedOut {
                timedOut = true
                process.terminate()
                if exited.wait(timeout: .now() + 2) == .timedOut {
                    kill(process.processIdentifier, SIGKILL)
                    exited.wait()
                }
            }
        } else {
            process.waitUntilExit()
        }
        group.wait()
        return ProcessResult(
            executable: executable,
            arguments: arguments,
            status: process.terminationStatus,
            stdout: collected.out,
            stderr: collected.err,
            timedOut: timedOut
        )
    }
}

// @unchecked: `out` and `err` are set by the reading threads and read after they finish, all
// under `lock`.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var outData = Data()
    private var errData = Data()
    func setOut(_ data: Data) { lock.lock(); outData = data; lock.unlock() }
    func setErr(_ data: Data) { lock.lock(); errData = data; lock.unlock() }
    var out: Data { lock.lock(); defer { lock.unlock() }; return outData }
    var err: Data { lock.lock(); defer { lock.unlock() }; return errData }
}

/// Quotes a word for display the way a POSIX shell would need it.
public func shellQuoted(_ word: String) -> String {
    let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
