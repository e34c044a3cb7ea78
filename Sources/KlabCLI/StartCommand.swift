import ArgumentParser
import Foundation
import KubeCore
import KubeJSON
import LabSpec
import Workspace

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a lab in your workspace and show its first step.",
        usage: "klab start <lab> [--learner <id>] [--set <name=value> ...] [<options>]",
        discussion: """
        Creates the workspace (an ordinary git repository, ./klab-workspace unless --workspace \
        or KLAB_WORKSPACE say otherwise) if there is none, writes the lab's step guides and \
        manifests, rendered for you, into a folder named after the lab, and commits. Starting \
        a lab again saves what its folder held under a backup ref first.

        Examples:
          klab start health-probes
          klab start health-probes -n team-a --set replicas=5
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "The lab id (see `klab lab list`).", completion: .custom(ShellCompletion.labs))
    var lab: String

    @Option(help: ArgumentHelp("Your learner id (default: the workspace's, else KLAB_LEARNER, else asked once on a terminal).", valueName: "id"))
    var learner: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a lab parameter (repeatable).", valueName: "name=value"))
    var assignments: [String] = []

    @Option(help: ArgumentHelp("Report each `klab verify` to your instructor's `klab serve` at this address.", valueName: "url"))
    var reportTo: String?

    @Option(help: ArgumentHelp("The token the instructor's dashboard gave (with --report-to).", valueName: "token"))
    var token: String?

    func run() throws {
        if let reportTo, !ReportSettings.isValid(url: reportTo) {
            throw CLIFailure(message: "--report-to \(reportTo) is not an http:// or https:// address; give the one `klab serve` printed", status: .badInput)
        }
        if token != nil && reportTo == nil {
            throw CLIFailure(message: "--token goes with --report-to URL: the dashboard's address and its token", status: .badInput)
        }
        let loader = try labsOptions.loader()
        let lab = try loader.load(self.lab)
        let environment = ProcessInfo.processInfo.environment
        var invocation = LabInvocation(
            assignments: try Lab.assignments(assignments), namespace: global.namespace, learner: learner, environment: environment)
        // Parameters that do not hold are refused before anything is written.
        let asked = try invocation.parameters(for: lab)
        guard !lab.steps.isEmpty else {
            throw CLIFailure(message: "lab \(lab.id) has no steps; `klab lab lint \(lab.id)` says more", status: .badInput)
        }

        let root = WorkspaceContext.workspaceURL(global)
        let isNew = !FileManager.default.fileExists(atPath: root.appendingPathComponent(LearnerWorkspace.settingsPath).path)
        var chosenLearner = asked.chosen["learner"]
        if chosenLearner == nil && isNew {
            // Asked once, when the workspace is made; it is recorded in it from then on.
            let identity = LearnerIdentity(environment: environment)
            if isatty(STDIN_FILENO) != 0 && isatty(STDERR_FILENO) != 0 {
                chosenLearner = identity.ask()
            } else {
                let suggested = identity.suggestion()
                writeStderr("klab: no terminal to ask your learner id on: using \(suggested) (pass --learner ID or set KLAB_LEARNER to choose)\n")
                chosenLearner = suggested
            }
        }
        if let chosen = chosenLearner, isNew, !LabelSelector.isValidLabelValue(chosen) {
            throw CLIFailure(
                message: "learner id \"\(chosen)\" cannot label Kubernetes objects; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
                status: .badInput)
        }
        let workspace = try LearnerWorkspace.openOrCreate(
            at: root, learner: chosenLearner ?? Lab.defaultLearner, labsDirectory: loader.labsDirectory.path)
        invocation.workspaceLearner = workspace.settings.learner
        let (resolved, parameters) = try invocation.resolve(lab)
        let first = resolved.steps[0]
        let learnerID = parameters.learner
        if let reportTo { try workspace.setReportSettings(ReportSettings(url: reportTo, token: token)) }

        // Prerequisites are advice, not a gate: say which are not done and go on. Only they
        // are loaded (a lab's progress replays on its own steps); one that cannot be loaded
        // counts as not done.
        let orders = Dictionary(
            lab.prerequisites.compactMap { id in (try? loader.load(id)).map { ($0.id, $0.steps.map(\.id)) } },
            uniquingKeysWith: { first, _ in first })
        let progress = try workspace.progress(stepOrder: orders)
        let missing = lab.prerequisites.filter { id in
            guard let done = progress[id], let order = orders[id] else { return true }
            return done.currentStep(in: order) != nil
        }

        let files = try LabMaterials.files(for: lab, parameters: parameters.values, learner: learnerID)
        let settings = LabSettings(
            lab: lab.id, namespace: parameters.namespace, parameters: parameters.recorded, labDigest: LabMaterials.digest(of: lab))
        let outcome = try workspace.start(labID: lab.id, firstStep: first.id, settings: settings, files: files)
        let guide = StepGuide(lab: resolved, step: first)

        switch global.output {
        case .json:
            try writeJSON(Output(
                lab: lab.id, learner: learnerID, namespace: settings.namespace, workspace: workspace.root.path,
                commit: outcome.commit, step: first.id, stepNumber: 1, steps: lab.steps.count,
                missingPrerequisites: missing, uncommittedSecrets: outcome.secretsLeftUncommitted))
        case .text:
            var out = "Started \(lab.id) — \(lab.title)\n"
            out += "  learner \(learnerID), namespace \(settings.namespace), workspace \(LabCatalog.displayPath(workspace.root.path))\n"
            for id in missing {
                let how = orders[id] == nil
                    ? "make sure your cluster has what that chapter sets up"
                    : "run `klab start \(id)` first if you need what it sets up"
                out += "\nNote: this lab builds on \(id), which is not done in this workspace. Going on anyway; \(how).\n"
            }
            if let backup = outcome.backupRef {
                out += "\nThe lab was started before: what its folder held is saved in \(backup).\n"
            }
            out += secretsNotice(outcome.secretsLeftUncommitted)
            if let reportTo { out += "\nEach `klab verify` reports the step's result (no cluster data) to \(reportTo).\n" }
            out += "\n" + guide.text(prose: files[String(guide.proseFile.dropFirst(lab.id.count + 1))].map { String(decoding: $0, as: UTF8.self) })
            writeStdout(out)
        }
    }

    /// `klab start --output json`.
    struct Output: Encodable {
        var lab: String
        var learner: String
        var namespace: String
        var workspace: String
        var commit: String
        var step: String
        var stepNumber: Int
        var steps: Int
        var missingPrerequisites: [String]
        var uncommittedSecrets: [String]
    }
}
