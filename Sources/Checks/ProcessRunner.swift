import Foundation
import KubeJSON

/// What a finished subprocess left behind.
public struct ProcessResult: Sendable {
    public var executable: String
    public var arguments: [String]
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var timedOut: Bool
    /// stdout went past the limit the run was given: what is kept is its first bytes and the
    /// program (its whole process group) was ended.
    public var stdoutCut = false
    /// stderr went past `InputLimits.execOutputBytes`; its first bytes are kept.
    public var stderrCut = false

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
        timeout: TimeInterval? = nil,
        outputLimit: Int = InputLimits.programOutputBytes
    ) throws -> ProcessResult {
        let env = environment ?? ProcessInfo.processInfo.environment
        guard let executable = which(name, path: env["PATH"]) else { throw ProcessRunnerError.notFound(name) }
        let spawned: Spawned
        do {
            spawned = try Spawned(executable: executable, arguments: arguments, environment: env, stdin: stdin != nil)
        } catch let error as POSIXError {
            throw ProcessRunnerError.launchFailed(name, String(cString: strerror(error.code.rawValue)))
        }

        // Drain both pipes on their own threads so a chatty child never blocks on a full pipe;
        // the run is over when the child has exited and both pipes are closed (a grandchild
        // that keeps stderr open keeps the run going, up to the timeout).
        let finished = DispatchGroup()
        let collected = Collected()
        // Past its limit a stream is cut: a program printing without end is ended (stdout) or
        // read on and dropped (stderr), so neither memory nor the wait grows with it.
        let pid = spawned.pid
        finished.enter()
        DispatchQueue.global().async {
            let (data, cut) = Self.read(spawned.stdout, limit: outputLimit) { kill(-pid, SIGKILL) }
            collected.setOut(data, cut: cut)
            finished.leave()
        }
        finished.enter()
        DispatchQueue.global().async {
            let (data, cut) = Self.read(spawned.stderr, limit: InputLimits.execOutputBytes) {}
            collected.setErr(data, cut: cut)
            finished.leave()
        }
        if let input = spawned.stdin, let stdin {
            // A child that exits without reading its input (kubectl refusing a flag) must not
            // end klab with SIGPIPE: the write fails with EPIPE instead, and the child's exit
            // status tells what happened.
            signal(SIGPIPE, SIG_IGN)
            DispatchQueue.global().async {
                try? input.write(contentsOf: stdin)
                try? input.close()
            }
        }
        finished.enter()
        DispatchQueue.global().async {
            collected.setStatus(spawned.waitForExit())
            finished.leave()
        }

        var timedOut = false
        if let timeout {
            if finished.wait(timeout: .now() + timeout) == .timedOut {
                // The child leads its own process group: end the whole group, grandchildren
                // (a kubectl credential plugin, aws) included, politely first.
                timedOut = true
                kill(-spawned.pid, SIGTERM)
                if finished.wait(timeout: .now() + 2) == .timedOut {
                    kill(-spawned.pid, SIGKILL)
                    finished.wait()
                }
            }
        } else {
            finished.wait()
        }
        return ProcessResult(
            executable: executable,
            arguments: arguments,
            status: collected.status,
            stdout: collected.out,
            stderr: collected.err,
            timedOut: timedOut,
            stdoutCut: collected.outCut,
            stderrCut: collected.errCut
        )
    }

    /// Reads a pipe to its end, keeping at most `limit` bytes; `overflow` runs once when more come.
    public static func read(_ handle: FileHandle, limit: Int, overflow: () -> Void) -> (Data, Bool) {
        var data = Data()
        var cut = false
        while let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
            if cut { continue }
            if data.count + chunk.count > limit {
                data.append(chunk.prefix(limit - data.count))
                cut = true
                overflow()
            } else {
                data.append(chunk)
            }
        }
        return (data, cut)
    }
}

/// A long-running child whose stdout is handed over as it arrives (`kubectl get --watch`):
/// started like every other subprocess (argument array, stdin closed, its own process group),
/// stderr kept (its last 8 KB) for the message when it ends.
// @unchecked: `ended` and `errTail` are read and written only under `lock`; the rest is
// constant after init.
public final class StreamingProcess: @unchecked Sendable {
    public let executable: String
    public let arguments: [String]
    private let pid: pid_t
    private let lock = NSLock()
    private var ended = false
    private var errTail = Data()
    private let handles: [FileHandle]

    /// Starts `name` and calls `output` with each chunk of stdout, then `finished` once with the
    /// exit status (or the signal number) and stderr, on a thread of its own.
    public init(
        _ name: String, _ arguments: [String], environment: [String: String]? = nil,
        output: @escaping @Sendable (Data) -> Void, finished: @escaping @Sendable (Int32, String) -> Void
    ) throws {
        let env = environment ?? ProcessInfo.processInfo.environment
        guard let executable = ProcessRunner.which(name, path: env["PATH"]) else { throw ProcessRunnerError.notFound(name) }
        let spawned: Spawned
        do {
            spawned = try Spawned(executable: executable, arguments: arguments, environment: env, stdin: false)
        } catch let error as POSIXError {
            throw ProcessRunnerError.launchFailed(name, String(cString: strerror(error.code.rawValue)))
        }
        self.executable = executable
        self.arguments = arguments
        pid = spawned.pid
        handles = [spawned.stdout, spawned.stderr]
        let errFD = spawned.stderr.fileDescriptor, outFD = spawned.stdout.fileDescriptor
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { [self] in
            Self.readChunks(errFD) { chunk in
                lock.lock()
                errTail.append(chunk)
                if errTail.count > 8192 { errTail = errTail.suffix(8192) }
                lock.unlock()
            }
            errDone.signal()
        }
        DispatchQueue.global().async { [self] in
            Self.readChunks(outFD, output)
            errDone.wait()
            let status = spawned.waitForExit()
            lock.lock()
            ended = true
            let stderr = String(decoding: errTail, as: UTF8.self)
            lock.unlock()
            finished(status, stderr)
        }
    }

    /// The command as a person would type it, for messages.
    public var commandLine: String { ([executable] + arguments).map(shellQuoted).joined(separator: " ") }

    /// Ends the child and its process group (SIGTERM); `finished` is still called.
    public func terminate() {
        lock.lock()
        defer { lock.unlock() }
        // Once reaped, the process group id may belong to someone else.
        if !ended { kill(-pid, SIGTERM) }
    }

    private static func readChunks(_ fd: Int32, _ body: (Data) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                body(Data(buffer[0..<count]))
            } else if count == 0 || errno != EINTR {
                return
            }
        }
    }
}

/// A child started with posix_spawn in a process group of its own (Foundation's Process
/// cannot do that), stdout and stderr on pipes, stdin a pipe or /dev/null. Every descriptor
/// klab makes is close-on-exec, so children started at the same time on other threads do
/// not inherit each other's pipes.
private struct Spawned {
    let pid: pid_t
    let stdout: FileHandle
    let stderr: FileHandle
    let stdin: FileHandle?

    init(executable: String, arguments: [String], environment: [String: String], stdin wantsInput: Bool) throws {
        let out = try Self.pipe(), err = try Self.pipe()
        let input = wantsInput ? try Self.pipe() : nil
        let devNull = wantsInput ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            for fd in [out.write, err.write, input?.read ?? -1, devNull] where fd >= 0 { close(fd) }
        }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, input?.read ?? devNull, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        // Signals klab ignores while it handles them itself (ProbeCleanup, verify --watch) or
        // while it writes to a child (SIGPIPE) would stay ignored in the child across exec: a
        // kubectl that ignores SIGTERM outlives the timeout meant to end it. Children start
        // with the default actions.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Nor blocked: the signal mask is inherited too, and the dispatch and operation-queue
        // threads klab runs most children from block nearly every signal (a kubectl started
        // there held SIGTERM until SIGKILL came).
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = RunningChildren.spawn { posix_spawn(&pid, executable, &actions, &attributes, argv, envp) } started: { pid }
        guard code == 0 else {
            for fd in [out.read, err.read, input?.write ?? -1] where fd >= 0 { close(fd) }
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.pid = pid
        stdout = FileHandle(fileDescriptor: out.read, closeOnDealloc: true)
        stderr = FileHandle(fileDescriptor: err.read, closeOnDealloc: true)
        stdin = input.map { FileHandle(fileDescriptor: $0.write, closeOnDealloc: true) }
    }

    /// The exit status, or the number of the signal that ended the child (as Foundation's
    /// `terminationStatus` gives it).
    func waitForExit() -> Int32 {
        // Known as running until it is reaped: its process group id is its own until then.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        RunningChildren.reaping(pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard Foundation.pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        // pipe2(O_CLOEXEC) would close the window between these calls; Glibc's module map
        // does not export it.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var outData = Data()
    private var errData = Data()
    private var outWasCut = false
    private var errWasCut = false
    private var exitStatus: Int32 = -1
    func setStatus(_ status: Int32) { lock.lock(); exitStatus = status; lock.unlock() }
    var status: Int32 { lock.lock(); defer { lock.unlock() }; return exitStatus }
    func setOut(_ data: Data, cut: Bool) { lock.lock(); outData = data; outWasCut = cut; lock.unlock() }
    func setErr(_ data: Data, cut: Bool) { lock.lock(); errData = data; errWasCut = cut; lock.unlock() }
    var outCut: Bool { lock.lock(); defer { lock.unlock() }; return outWasCut }
    var errCut: Bool { lock.lock(); defer { lock.unlock() }; return errWasCut }
    var out: Data { lock.lock(); defer { lock.unlock() }; return outData }
    var err: Data { lock.lock(); defer { lock.unlock() }; return errData }
}

/// Quotes a word for display the way a POSIX shell would need it.
public func shellQuoted(_ word: String) -> String {
    let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Every child klab started and has not reaped yet, so that klab can end them all when it
/// stops (`klab serve` on SIGTERM or Ctrl-C) instead of leaving them running: each leads its
/// own process group, so a signal to klab does not reach them.
public enum RunningChildren {
    // @unchecked: `running` and `closed` are read and written only under `condition`.
    private final class State: @unchecked Sendable {
        let condition = NSCondition()
        var running: Set<pid_t> = []
        var closed = false
    }

    private static let state = State()

    /// Spawns (the call returns posix_spawn's code) and records the child, unless klab is
    /// stopping: then nothing is started and the code is ECANCELED.
    static func spawn(_ body: () -> Int32, started pid: () -> pid_t) -> Int32 {
        state.condition.lock()
        defer { state.condition.unlock() }
        if state.closed { return ECANCELED }
        let code = body()
        if code == 0 { state.running.insert(pid()) }
        return code
    }

    /// The child has exited and is about to be reaped.
    static func reaping(_ pid: pid_t) {
        state.condition.lock()
        state.running.remove(pid)
        state.condition.broadcast()
        state.condition.unlock()
    }

    /// Children may be started again (tests: one process ends its children many times).
    static func reopen() {
        state.condition.lock()
        state.closed = false
        state.condition.unlock()
    }

    /// How many children run now.
    public static var count: Int {
        state.condition.lock()
        defer { state.condition.unlock() }
        return state.running.count
    }

    /// Starts no child from now on, and ends the running ones with their process groups:
    /// SIGTERM, then SIGKILL for those still there after `grace`. Returns once they have
    /// exited (or after a few seconds more, for a child that cannot die).
    public static func endAll(grace: TimeInterval = 2) {
        state.condition.lock()
        defer { state.condition.unlock() }
        state.closed = true
        for pid in state.running { kill(-pid, SIGTERM) }
        let patience = Date(timeIntervalSinceNow: grace)
        while !state.running.isEmpty, state.condition.wait(until: patience) {}
        // Those still here are not reaped, so their process group ids are still theirs.
        for pid in state.running { kill(-pid, SIGKILL) }
        let last = Date(timeIntervalSinceNow: 5)
        while !state.running.isEmpty, state.condition.wait(until: last) {}
    }
}
