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
        var overrides = try Lab.assignments(assignments)
        if let namespace = global.namespace { overrides["namespace"] = namespace }
        let values = try lab.parameterValues(overrides)
        let resolved = try lab.resolved(parameters: overrides)
        guard let first = resolved.steps.first else {
            throw CLIFailure(message: "lab \(lab.id) has no steps; `klab lab lint \(lab.id)` says more", status: .badInput)
        }

        let root = WorkspaceContext.workspaceURL(global)
        let environment = ProcessInfo.processInfo.environment
        let isNew = !FileManager.default.fileExists(atPath: root.appendingPathComponent(LearnerWorkspace.settingsPath).path)
        var chosenLearner = learner ?? environment["KLAB_LEARNER"].flatMap { $0.isEmpty ? nil : $0 }
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
            at: root, learner: chosenLearner ?? "learner", labsDirectory: loader.labsDirectory.path)
        if let learner, learner != workspace.settings.learner {
            throw CLIFailure(
                message: "this workspace belongs to \(workspace.settings.learner), not \(learner); use another --workspace for \(learner)",
                status: .workspace)
        }
        let learnerID = workspace.settings.learner
        if let reportTo { try workspace.setReportSettings(ReportSettings(url: reportTo, token: token)) }

        // Prerequisites are advice, not a gate: say which are not done and go on.
        let orders = Dictionary(uniqueKeysWithValues: ((try? loader.loadAll()) ?? []).map { ($0.id, $0.steps.map(\.id)) })
        let progress = try workspace.progress(stepOrder: orders)
        let missing = lab.prerequisites.filter { id in
            guard let done = progress[id], let order = orders[id] else { return true }
            return done.currentStep(in: order) != nil
        }

        let files = try LabMaterials.files(for: lab, parameters: overrides, learner: learnerID)
        let settings = LabSettings(
            lab: lab.id, namespace: values["namespace"] ?? "default",
            parameters: overrides.filter { $0.key != "namespace" && $0.key != "learner" },
            labDigest: LabMaterials.digest(of: lab))
        let outcome = try workspace.start(labID: lab.id, firstStep: first.id, settings: settings, files: files)
        let guide = StepGuide(lab: resolved, step: first)

        switch global.output {
        case .json:
            let json = JSONValue.object(JSONObject([
                ("lab", .string(lab.id)), ("learner", .string(learnerID)), ("namespace", .string(settings.namespace)),
                ("workspace", .string(workspace.root.path)), ("commit", .string(outcome.commit)),
                ("step", .string(first.id)), ("stepNumber", .int(1)), ("steps", .int(Int64(lab.steps.count))),
                ("missingPrerequisites", .array(missing.map(JSONValue.string))),
                ("uncommittedSecrets", .array(outcome.secretsLeftUncommitted.map(JSONValue.string))),
            ]))
            writeStdout(JSONWriter.pretty(json) + "\n")
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
}
