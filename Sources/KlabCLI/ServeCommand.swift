import ArgumentParser
import Checks
import ClassServer
import Dispatch
import Foundation
import Grading
import KubeJSON

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Show the class live in a browser: who is on which step, who is stuck, what fails.",
        discussion: """
        Grades the class as `klab grade` does, again every --interval (offline: only the \
        hand-ins that changed; --live: from the cluster), and serves a page that updates \
        itself: a learner × step heatmap, each learner's step and time on it, who has been \
        stuck longest, the pass rate of each step, and the flags; a page per learner; \
        /api/class.json (the JSON of `klab grade --output json`) and /healthz. Learners who \
        ran `klab start LAB --report-to URL --token T` show up as they verify, with no \
        cluster access needed here; their reports must be signed with their key (pass \
        --key-file). A learner whose grading takes longer than --learner-timeout keeps their \
        last grades, marked stale.

        Listens on 127.0.0.1 (this machine only) unless --bind says otherwise; any other \
        address needs a token, made up and printed with the address if --token is not given.

        Examples:
          klab serve handins/ --key-file class.key
          klab serve --live roster.csv --interval 30s
          klab serve roster.csv --bind 0.0.0.0 --port 8080 --key-file class.key
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "A roster CSV, or folders of hand-ins (none: learners appear as they report).")
    var paths: [String] = []

    @OptionGroup var grading: GradeOptions

    @Option(help: ArgumentHelp("How often to grade the class again (15s, 1m).", valueName: "duration"))
    var interval = "15s"

    @Option(help: ArgumentHelp("Longest wait for one learner's grading in a round (their row is then shown stale).", valueName: "duration"))
    var learnerTimeout = "10s"

    @Option(help: ArgumentHelp("The port to listen on (0: any free one).", valueName: "port"))
    var port = 8080

    @Option(help: ArgumentHelp("The address to listen on: 127.0.0.1 (this machine), or 0.0.0.0 (every network, with a token).", valueName: "address"))
    var bind = "127.0.0.1"

    @Option(help: ArgumentHelp("The token every page and report must carry (default: none on 127.0.0.1, made up otherwise).", valueName: "token"))
    var token: String?

    /// `klab serve --output json`: where the dashboard is, on one line.
    struct Output: Encodable {
        var url: String
        var port: Int
        var bind: String
        var token: String?
        var learners: Int
    }

    func run() throws {
        // Taken from the start: the first round may wait on a cluster that does not answer.
        let stop = StopRequest()
        let interval = try parseDuration(self.interval)
        let learnerTimeout = try parseDuration(self.learnerTimeout)
        guard interval > 0, learnerTimeout > 0 else {
            throw CLIFailure(message: "--interval and --learner-timeout must be longer than 0s", status: .badInput)
        }
        guard let port = UInt16(exactly: port) else {
            throw CLIFailure(message: "--port \(port) is not a port; give 1 to 65535, or 0 for any free one", status: .badInput)
        }
        if grading.live && paths.isEmpty {
            throw CLIFailure(message: "--live needs a roster naming each learner's namespace: klab serve --live roster.csv", status: .badInput)
        }
        let (labs, labIDs) = try grading.labs(labsOptions)
        let key = try grading.key()
        let paths = self.paths
        let entries = try ClassRoster.entries(for: paths)
        // Only a roster closes the class; hand-ins and reports may arrive while it runs.
        let rostered = paths.contains { $0.lowercased().hasSuffix(".csv") }
        let roster = rostered ? Set(entries.map { grading.live ? ($0.learner ?? $0.namespace ?? "") : OfflineGrader.rowName($0) }) : nil
        var token = self.token
        if token == nil && !ClassServer.isLoopback(bind) {
            var generator = SystemRandomNumberGenerator()
            token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        }
        let board = ClassBoard(
            labs: labs, graded: labIDs, mode: grading.live ? "live" : paths.isEmpty ? "reports" : "offline", roster: roster,
            keys: key.map { ReportKeys(classKey: $0, learnerKeysOnly: grading.learnerKeys) })
        let server: ClassServer
        do {
            server = try ClassServer(board: board, options: .init(bind: bind, port: port, token: token))
        } catch {
            throw CLIFailure(message: error.description, status: ExitStatus(rawValue: error.exitCode) ?? .badInput)
        }

        var loop: RefreshLoop?
        if !paths.isEmpty {
            let source: ClassRegrader.Source = grading.live
                ? .live(LiveGrader(labs: labs, grading: labIDs, options: grading.cluster(global)))
                : .offline(OfflineGrader(labs: labs, grading: labIDs, options: try grading.offline()))
            let regrader = ClassRegrader(source: source, entries: { try ClassRoster.entries(for: paths) }, learnerTimeout: learnerTimeout)
            let refreshing = RefreshLoop(regrader: regrader, board: board, interval: interval) { stop.wake() }
            // The first round is on the page before it opens, unless a stop comes first.
            refreshing.start(immediately: true)
            stop.wait { refreshing.roundCount > 0 }
            if stop.isStopped {
                refreshing.stop()
                RunningChildren.endAll()
                return
            }
            loop = refreshing
        }

        let started = Blocking { () async throws(ServeError) -> UInt16 in try await server.start() }
        let boundPort: UInt16
        switch started.wait() {
        case .success(let value): boundPort = value
        case .failure(let error): throw CLIFailure(message: error.description, status: ExitStatus(rawValue: error.exitCode) ?? .environment)
        }

        let host = bind == "0.0.0.0" || bind == "::" ? ProcessInfo.processInfo.hostName : bind.contains(":") ? "[\(bind)]" : bind
        let base = "http://\(host):\(boundPort)"
        let url = base + "/" + (token.map { "?token=\($0)" } ?? "")
        if global.output == .json {
            // One line: a script reads where the dashboard is before it serves.
            writeStdout(JSONWriter.compact(try JSONValueEncoder().encode(Output(
                url: url, port: Int(boundPort), bind: bind, token: token, learners: board.snapshot().grade.learners.count))) + "\n")
        } else {
            var out = "The class dashboard is at \(url)\n"
            out += "Learners report to it with: klab start LAB --report-to \(base)" + (token.map { " --token \($0)" } ?? "") + "\n"
            if key == nil { out += "No class key: learners' reports are refused until you restart with --key-file (or KLAB_CLASS_KEY).\n" }
            out += "Ctrl-C stops it.\n"
            writeStdout(out)
        }

        stop.wait { false }
        loop?.stop()
        // kubectl children lead their own process groups: a signal to klab does not reach them.
        RunningChildren.endAll()
        _ = Blocking { () async throws(ServeError) -> Void in await server.stop() }.wait()
    }
}

/// Ctrl-C, SIGTERM or SIGHUP asks `klab serve` to stop; `wait` blocks until then, or until its
/// condition holds (checked again on each `wake`).
// @unchecked: `stopped` is read and written only under `condition`.
private final class StopRequest: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var observations: [ProcessSignals.Observation] = []

    init() {
        observations = [SIGINT, SIGTERM, SIGHUP].map { number in
            ProcessSignals.observe(number) { [unowned self] in
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Something `wait`'s condition reads has changed.
    func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    func wait(until ready: () -> Bool) {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && !ready() { condition.wait() }
    }
}

/// Runs async work from a synchronous command and waits for its result.
// @unchecked: `result` is written once by the task before `done` is signalled, and read after.
private final class Blocking<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, ServeError>?

    init(_ work: @escaping @Sendable () async throws(ServeError) -> Value) {
        Task {
            do throws(ServeError) { self.result = .success(try await work()) } catch { self.result = .failure(error) }
            self.done.signal()
        }
    }

    func wait() -> Result<Value, ServeError> {
        done.wait()
        return result!
    }
}
