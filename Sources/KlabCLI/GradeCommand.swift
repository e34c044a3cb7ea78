import ArgumentParser
import Checks
import Foundation
import Grading
import LabSpec

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
        --live grades each lab's completion checks in each learner's namespace.
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "Workspaces, bundles, folders of them, or a roster CSV.")
    var paths: [String]

    @Option(name: .customLong("lab"), help: "Grade only this lab (repeatable; default: every lab).")
    var onlyLabs: [String] = []

    @Option(help: "Report format: table, json, csv (gradebook), junit (CI) or html (heatmap).")
    var format: GradeFormat?

    @Option(help: "Write the report to this file instead of stdout.")
    var out: String?

    @Option(help: "The class key file that verifies signatures (default: KLAB_CLASS_KEY).")
    var keyFile: String?

    @Flag(help: "Grade live from the cluster (the roster gives namespaces and contexts).")
    var live = false

    func run() throws {
        let loader = try labsOptions.loader()
        let labs = try loader.loadAll()
        let known = labs.map(\.id)
        for id in onlyLabs where !known.contains(id) {
            throw CLIFailure(message: "no lab \(id) in \(loader.labsDirectory.path); the labs are: \(known.joined(separator: ", "))", status: .badInput)
        }
        let labIDs = onlyLabs.isEmpty ? known : known.filter(onlyLabs.contains)
        let entries = try ClassRoster.entries(for: paths)
        guard !entries.isEmpty else {
            throw CLIFailure(message: "no workspaces or bundles found in \(paths.joined(separator: ", "))", status: .badInput)
        }
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) != 0)
        let grade: ClassGrade
        if live {
            let options = KubectlCluster.Options(context: global.context, kubeconfig: global.kubeconfig)
            grade = try LiveGrader(labs: labs, grading: labIDs, options: options).grade(entries, progress: bar.update)
        } else {
            grade = ClassGrader.gradeOffline(
                entries: entries, labs: labs, grading: labIDs, classKey: try classKey(file: keyFile), progress: bar.update)
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
