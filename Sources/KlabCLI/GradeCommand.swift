import ArgumentParser
import Checks
import Foundation
import Grading
import LabSpec
import Workspace

/// The report formats of `klab grade`.
enum GradeFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, junit, html
}

struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Grade a class: offline from workspaces and bundles, or live from the cluster.",
        discussion: """
        PATHS are workspace folders, git bundles, folders of them, or roster CSV files \
        (columns learner,workspace,namespace,context). Offline, every claimed step is \
        re-checked against its stored evidence with your labs; what does not hold is flagged. \
        --live grades each lab's completion checks in each learner's namespace. \
        Steps verified against a snapshot are practice and earn nothing unless \
        --accept-snapshots.

        `klab grade keys ROSTER... --key-file class.key [--out keys.csv]` prints (or writes as \
        CSV) a signing key per learner, derived from the class key and the learner id: give \
        each learner only their own, and grade with --learner-keys. (A hand-in folder named \
        keys is ./keys.)

        Examples:
          klab grade handins/ --key-file class.key
          klab grade roster.csv --format csv --out grades.csv
          klab grade handins/ --format html --out grades.html
          klab grade --live roster.csv
          klab grade keys roster.csv --key-file class.key --out keys.csv
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "Workspaces, bundles, folders of them, or a roster CSV.")
    var paths: [String]

    @OptionGroup var grading: GradeOptions

    @Option(help: "Report format: table, json, csv (gradebook), junit (CI) or html (heatmap).")
    var format: GradeFormat?

    @Option(help: "Write the report to this file instead of stdout.")
    var out: String?

    @Option(help: "Hand-ins read at once, offline (default: 8 per core, up to 32; 1 to 256).")
    var jobs: Int?

    func validate() throws {
        if let jobs, !(1...256).contains(jobs) {
            throw ValidationError("--jobs is how many hand-ins are read at once: give 1 to 256, not \(jobs)")
        }
        if jobs != nil && grading.live {
            throw ValidationError("--jobs is for offline grading; --live grades the learners one after another")
        }
        if global.namespace != nil && !grading.live {
            throw ValidationError("-n/--namespace is for --live grading (the namespace of learners the roster gives none); offline, each workspace's own namespace is graded")
        }
    }

    func run() throws {
        if paths.first == "keys" {
            try GradeKeys(roster: Array(paths.dropFirst()), keyFile: grading.keyFile, out: out).run()
            return
        }
        let (labs, labIDs) = try grading.labs(labsOptions)
        // -n is the namespace of every learner the roster gives none (live grading).
        let entries = try ClassRoster.entries(for: paths).map { entry in
            var entry = entry
            entry.namespace = entry.namespace ?? global.namespace
            return entry
        }
        guard !entries.isEmpty else {
            throw CLIFailure(message: "no workspaces or bundles found in \(paths.joined(separator: ", "))", status: .badInput)
        }
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) != 0)
        let grade: ClassGrade
        if grading.live {
            grade = try LiveGrader(labs: labs, grading: labIDs, options: grading.cluster(global)).grade(entries, progress: bar.update)
        } else {
            grade = ClassGrader.gradeOffline(entries: entries, labs: labs, grading: labIDs, options: try grading.offline(),
                                             handInsAtOnce: jobs ?? ClassGrader.handInsAtOnce, progress: bar.update)
        }
        bar.finish()
        let chosen = format ?? (global.output == .json ? .json : .table)
        let report: String
        switch chosen {
        case .table: report = TableReport.render(grade)
        case .json: report = JSONReport.render(grade)
        case .csv: report = CSVReport.render(grade)
        case .junit: report = JUnitReport.render(grade)
        case .html: report = HTMLReport.render(grade)
        }
        if let out {
            do {
                try Data(report.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                throw CLIFailure(message: "cannot write the report to \(out): \(error.localizedDescription)", status: .badInput)
            }
        } else {
            writeStdout(report)
        }
    }
}

/// `klab grade keys`: a key per learner, derived from the class key and the learner id (a
/// roster's learner column, or the hand-ins' file names). Given only their own key (as
/// KLAB_CLASS_KEY or --key-file), no learner can sign work as another, and a copied workspace
/// fails the signature check under the copier's id; the grader re-derives every key from the
/// class key.
struct GradeKeys {
    var roster: [String]
    var keyFile: String?
    var out: String?

    func run() throws {
        guard !roster.isEmpty else {
            throw CLIFailure(message: "klab grade keys needs a roster: klab grade keys ROSTER.csv --key-file class.key", status: .badInput)
        }
        guard let key = try classKey(file: keyFile) else {
            throw CLIFailure(message: "no class key: pass --key-file FILE or set KLAB_CLASS_KEY", status: .badInput)
        }
        let entries = try ClassRoster.entries(for: roster)
        let learners = entries.map(OfflineGrader.rowName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard !learners.isEmpty else {
            throw CLIFailure(message: "no learners in \(roster.joined(separator: ", ")); a roster CSV needs a learner column", status: .badInput)
        }
        let keys = learners.map { ($0, LearnerKeys.key(classKey: key, learner: $0)) }
        guard let out else {
            let width = learners.map(\.count).max() ?? 0
            writeStdout(keys.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 + "\n" }.joined())
            return
        }
        let csv = CSVReport.table([["learner", "key"]] + keys.map { [$0.0, $0.1] })
        do {
            try Data(csv.utf8).write(to: URL(fileURLWithPath: out))
        } catch {
            throw CLIFailure(message: "cannot write the keys to \(out): \(error.localizedDescription)", status: .badInput)
        }
        writeStderr("\(keys.count) learner keys written to \(out); give each learner only their own\n")
    }
}

/// A progress bar on stderr, redrawn in place; silent when stderr is not a terminal.
// @unchecked: `last` (and the drawing) is touched only under `lock`; graders on every core
// report progress at once.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var last = -1

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let percent = done * 100 / total
        guard percent != last else { return }
        last = percent
        let width = 30
        let filled = done * width / total
        writeStderr("\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] \(done)/\(total)")
    }

    func finish() {
        guard enabled, last >= 0 else { return }
        writeStderr("\n")
    }
}
