import ArgumentParser
import Checks
import ClassServer
import Dispatch
import Foundation
import KubeCore
import KubeJSON
import LabSpec
import Workspace

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the current step against the cluster; when it passes, record it and move on.",
        usage: "klab verify [--lab <lab>] [--wait <duration> | --watch] [--snapshot <dir>] [<options>]",
        discussion: """
        Reads the cluster with kubectl (your current context, or --context/--kubeconfig) and \
        prints each check with what it expected and found. A step that passes is recorded in \
        a commit with its evidence, and the next step is shown.

        Examples:
          klab verify
          klab verify --wait 2m
          klab verify --watch          (run `klab hint` in another terminal meanwhile)
          klab verify --snapshot labs/health-probes/fixtures/liveness--pass

        Exit status: 0 the step passed (or the lab is complete), 1 a check failed, 3 the cluster \
        could not be read, 4 workspace problem. With --watch: 0 when the lab is complete and 0 \
        when you stop watching with Ctrl-C (steps that passed meanwhile are recorded).
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Option(help: ArgumentHelp("The lab (default: the one you worked on last).", valueName: "lab"), completion: .custom(ShellCompletion.startedLabs))
    var lab: String?

    @Option(help: ArgumentHelp("Keep checking for up to this long (30s, 2m) until the step passes.", valueName: "duration"))
    var wait: String?

    @Flag(help: "Re-verify whenever the cluster changes (kubectl watch; every 2 s for a snapshot), moving on by itself when a step passes; Ctrl-C to stop.")
    var watch = false

    @Option(help: ArgumentHelp("Verify against a snapshot folder instead of the cluster.", valueName: "dir"), completion: .directory)
    var snapshot: String?

    @Option(help: ArgumentHelp("A file holding the class key that signs your progress (default: KLAB_CLASS_KEY).", valueName: "file"), completion: .file())
    var keyFile: String?

    func run() throws {
        let waitSeconds = try wait.map(parseDuration)
        // A watch runs for long: it holds the workspace lock only while it records a pass, so
        // that `klab hint` and `klab status` work in another terminal meanwhile.
        let context = try WorkspaceContext.open(global, labs: labsOptions, lockMode: watch ? .whileWriting : .whileOpen)
        let started = try context.startedLab(try context.labID(self.lab), namespace: global.namespace)
        let (lab, settings) = (started.lab, started.settings)
        let snapshot = self.snapshot
        let global = self.global
        let key = try classKey(file: keyFile)
        var options = KubectlCluster.Options(context: global.context, kubeconfig: global.kubeconfig)
        // A probe pod says whose it is, as the lab's own objects do.
        options.probeOwner = [ProbeLabel(key: "klab.dev/lab", value: lab.id),
                              ProbeLabel(key: "klab.dev/learner", value: context.workspace.settings.learner)]
        let kubectlOptions = options
        // A watch of a live cluster keeps one cache (and its kubectl watches) for all rounds.
        let watched = watch && snapshot == nil
            ? WatchingCluster(kubectl: KubectlCluster(options: kubectlOptions), timing: .init(pollInterval: Self.pollInterval))
            : nil
        let verifier = StepVerifier(
            workspace: context.workspace, lab: lab, settings: settings, classKey: key,
            klabVersion: klabVersion, cluster: {
                if let snapshot { return try SnapshotCluster(directory: snapshot) }
                if let watched { return watched }
                return KubectlCluster(options: kubectlOptions)
            })
        if watch {
            try watchLoop(verifier, watched: watched, context: context, key: key)
            return
        }
        guard let round = try verifier.verify(wait: waitSeconds) else {
            try report(complete: lab, context: context)
            return
        }
        writeStdout(try render(round, lab: lab, context: context))
        reportProgress(round, lab: lab, context: context, key: key)
        if !round.passed { throw ExitStatus.checksFailed }
    }

    /// `klab verify --output json`: the check report, then what was recorded.
    struct Output: Encodable {
        var report: CheckReport
        var lab: String
        var step: String
        var recorded: String?
        var evidence: String?
        var nextStep: String?
        var source: String?
        var uncommittedSecrets: [String]

        enum CodingKeys: String, CodingKey { case lab, step, recorded, evidence, nextStep, source, uncommittedSecrets }

        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lab, forKey: .lab)
            try container.encode(step, forKey: .step)
            try container.encodeIfPresent(recorded, forKey: .recorded)
            try container.encodeIfPresent(evidence, forKey: .evidence)
            try container.encodeIfPresent(nextStep, forKey: .nextStep)
            try container.encodeIfPresent(source, forKey: .source)
            try container.encode(uncommittedSecrets, forKey: .uncommittedSecrets)
        }
    }

    /// `klab verify --output json` once the lab is complete.
    struct CompleteOutput: Encodable {
        var lab: String
        var complete = true
    }

    private func render(_ round: StepVerifier.Round, lab: Lab, context: WorkspaceContext) throws -> String {
        let hint = round.passed ? nil : round.step.hints.first.map { "\($0) (`klab hint` for more)" }
        let report = CheckReport(title: "\(lab.id): step \(round.step.id) — \(round.step.title)", results: round.results, hint: hint)
        if global.output == .json {
            return try JSONValueEncoder().pretty(Output(
                report: report, lab: lab.id, step: round.step.id, recorded: round.pass?.commit, evidence: round.pass?.digest,
                nextStep: round.next?.id,
                source: round.provenance.map { $0.isPractice ? "practice (\($0.source.rawValue))" : $0.source.rawValue },
                uncommittedSecrets: round.passed ? context.uncommittedSecrets(lab.id) : []))
        }
        var out = report.text(color: global.useColor)
        if let pass = round.pass {
            out += "\nStep \(round.step.id) done: recorded in commit \(pass.commit.prefix(7)) with its evidence.\n"
            if let provenance = round.provenance, provenance.source == .snapshot {
                out += "Verified against a snapshot: practice (snapshot), which earns no marks; verify against your cluster to count.\n"
            }
            out += secretsNotice(context.uncommittedSecrets(lab.id))
            if let next = round.next {
                let guide = StepGuide(lab: lab, step: next)
                out += "\n" + guide.text(prose: context.prose(guide))
            } else {
                out += "\n" + completionText(lab)
            }
        }
        return out
    }

    /// Tells the class dashboard (`klab start --report-to`) how the step went; a dashboard that
    /// is down or refuses costs one line on stderr, never the verify.
    private func reportProgress(_ round: StepVerifier.Round, lab: Lab, context: WorkspaceContext, key: Data?) {
        guard let target = context.workspace.reportSettings() else { return }
        let notReported = "klab: progress was not reported to \(target.url)"
        guard let key else {
            writeStderr("\(notReported): no key to sign it with (set KLAB_CLASS_KEY or pass --key-file); your step is recorded here all the same\n")
            return
        }
        let hints = (try? context.workspace.progress(stepOrder: [lab.id: lab.steps.map(\.id)]))?[lab.id]?.hintsShown[round.step.id] ?? 0
        let report = ProgressReport(
            learner: context.workspace.settings.learner, lab: lab.id, step: round.step.id, passed: round.passed,
            failedChecks: ProgressReport.failedChecks(round.results, declared: round.step.checks.map(\.name)),
            hintsUsed: hints, sequence: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        if let problem = ReportPoster(url: target.url, token: target.token).post(report.signed(key: key)) {
            writeStderr("\(notReported): \(problem); your step is recorded here all the same\n")
        }
    }

    private func completionText(_ lab: Lab) -> String {
        "🎉 \(lab.id) complete: all \(lab.steps.count) steps verified. `klab status` shows your labs.\n"
    }

    private func report(complete lab: Lab, context: WorkspaceContext) throws {
        if global.output == .json {
            try writeJSON(CompleteOutput(lab: lab.id))
        } else {
            writeStdout(completionText(lab))
        }
    }

    /// Seconds between rounds when nothing is watched (a snapshot) or a watch is down.
    static let pollInterval = 2.0

    /// Re-verifies whenever the cluster changes (every two seconds for a snapshot) until the
    /// lab is complete or the learner presses Ctrl-C (the loop is `StepWatcher`'s; this draws
    /// its rounds).
    private func watchLoop(_ verifier: StepVerifier, watched: WatchingCluster?, context: WorkspaceContext, key: Data?) throws {
        let interrupted = InterruptFlag()
        let terminal = isatty(STDOUT_FILENO) != 0 && global.output == .text
        // On a terminal the next step's redraw would wipe the news that a step passed: keep
        // it on top of the screen until the next step passes.
        var banner = ""
        let watcher = StepWatcher(verifier: verifier, clock: interrupted, interval: Self.pollInterval, watch: watched)
        let ending = try watcher.run(stopped: { interrupted.isSet }) { round in
            reportProgress(round, lab: verifier.lab, context: context, key: key)
            let text = try render(round, lab: verifier.lab, context: context)
            if terminal {
                // Redraw in place on a terminal; append otherwise (logs, pipes).
                writeStdout("\u{1B}[H\u{1B}[2J" + (round.passed ? text : banner + text))
            } else {
                writeStdout(text)
            }
            if let pass = round.pass {
                banner = "✓ Step \(round.step.id) passed and was recorded (commit \(pass.commit.prefix(7))).\n\n"
            } else if terminal {
                writeStdout("\n" + Self.watchingLine(watched?.status, unwatchedInterval: watched?.timing.unwatchedInterval ?? 0) + "\n")
            }
        }
        switch ending {
        case .complete:
            if terminal { writeStdout(banner) }
            try report(complete: verifier.lab, context: context)
        case .stopped:
            writeStdout("\nStopped watching. Your progress is saved; `klab status` shows it.\n")
        }
    }
}

extension VerifyCommand {
    /// What the watch waits for, in one line under the step on a terminal.
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    static func watchingLine(_ status: WatchingCluster.Status?, unwatchedInterval: Double) -> String {
        let every = "every \(seconds(pollInterval))"
        guard let status else { return "Watching: re-checking \(every), Ctrl-C to stop." }
        if let (key, reason) = status.down.sorted(by: { $0.key.description < $1.key.description }).first {
            return "Watching: re-checking \(every) until the watch of \(key) is back (\(reason)), Ctrl-C to stop."
        }
        let kinds = status.watched.map(\.description)
        let what = kinds.isEmpty ? "the cluster" : kinds.count == 1 ? kinds[0]
            : kinds.dropLast().joined(separator: ", ") + " or " + kinds[kinds.count - 1]
        let changes = kinds.isEmpty ? "changes" : "change"
        let unwatched = status.unwatchedChecks
            ? " and every \(seconds(unwatchedInterval)) for its exec, http and command checks" : ""
        return "Watching: re-checking as soon as \(what) \(changes)\(unwatched), Ctrl-C to stop."
    }
}

/// Ctrl-C while watching: stop between rounds instead of dying mid-write. It is the watch's
/// clock too, so that a sleep between rounds ends at once on Ctrl-C.
// @unchecked: `set` and `waking` are read and written only under `lock`; the semaphore and the signal
// source are thread-safe themselves and never reassigned.
final class InterruptFlag: CheckClock, @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var set = false
    /// The watch's signal while a sleep waits on it: Ctrl-C raises it too.
    private var waking: WakeSignal?
    private var observation: ProcessSignals.Observation?

    init() {
        observation = ProcessSignals.observe(SIGINT) { [unowned self] in
            self.lock.lock()
            self.set = true
            let waking = self.waking
            self.lock.unlock()
            waking?.raise()
            self.semaphore.signal()
        }
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return set
    }

    func now() -> Double { ProcessInfo.processInfo.systemUptime }

    /// Sleeps, waking early on Ctrl-C.
    func sleep(seconds: Double) {
        _ = semaphore.wait(timeout: .now() + seconds)
    }

    /// Sleeps until a watch raises `signal`, waking early on Ctrl-C too.
    func sleep(seconds: Double, wakingOn signal: WakeSignal) -> Bool {
        lock.lock()
        waking = signal
        let interrupted = set
        lock.unlock()
        defer {
            lock.lock()
            waking = nil
            lock.unlock()
        }
        if interrupted { return signal.take() }
        return signal.wait(seconds: seconds)
    }
}

/// `--wait`'s duration, read by the one duration parser the lab files use too.
func parseDuration(_ text: String) throws -> Double {
    guard let seconds = GoDuration.seconds(text) else {
        throw CLIFailure(message: "invalid duration \"\(text)\"; write it like 500ms, 30s, 2m or 1h", status: .badInput)
    }
    return seconds
}
