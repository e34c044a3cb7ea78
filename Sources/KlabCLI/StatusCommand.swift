import ArgumentParser
import Foundation
import KubeJSON
import LabSpec
import Workspace

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every started lab: steps done, the current step, what to do next.",
        usage: "klab status [<options>]",
        discussion: """
        The lab marked ▶ is the one verify, hint and reset work on when you name none.

        Examples:
          klab status
          klab status --output json
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    /// `klab status --output json`: the workspace, its learner, and each started lab.
    struct Output: Encodable {
        struct Lab: Encodable {
            var lab: String
            var title: String
            var namespace: String
            var stepsDone: Int
            var steps: Int
            var passed: [String]
            var currentStep: String?
            var complete: Bool
            var current: Bool
            var practice: [String]
        }

        var workspace: String
        var learner: String
        var labs: [Lab]
    }

    func run() throws {
        let context = try WorkspaceContext.open(global, labs: labsOptions)
        let labs = try context.workspace.startedLabs()
        let current = try context.workspace.currentLab()
        var rows: [Output.Lab] = []
        var text = "Workspace \(LabCatalog.displayPath(context.workspace.root.path)) (learner \(context.workspace.settings.learner))\n"
        if labs.isEmpty { text += "\nNo lab started yet: `klab lab list` shows the labs, `klab start LAB` starts one.\n" }
        for id in labs {
            // Every started lab, wherever it was started: status checks nothing, so -n selects nothing.
            let started = try context.startedLab(id, namespace: nil)
            let (lab, settings) = (started.lab, started.settings)
            let progress = try context.progress(of: lab)
            let order = lab.steps.map(\.id)
            let done = order.filter(progress.hasPassed).count
            let next = progress.currentStep(in: order).flatMap(lab.step)
            let marker = id == current ? "▶" : " "
            let sources = StepVerifier.provenance(in: context.workspace, lab: id, steps: progress.passed.map(\.step))
            let practised = progress.passed.map(\.step).filter { sources[$0]?.source == .snapshot }
            text += "\n\(marker) \(id)  \(progressBar(done: done, total: order.count))  \(done)/\(order.count) steps\n"
            if !practised.isEmpty {
                text += "    practice (snapshot): \(practised.joined(separator: ", ")) (verified against a snapshot; no marks)\n"
            }
            if let next {
                let number = (order.firstIndex(of: next.id) ?? 0) + 1
                text += "    current: step \(number), \(next.title)\n"
                text += "    next: do the step, then `klab verify\(id == current ? "" : " --lab \(id)")`\n"
            } else {
                text += "    complete\n"
            }
            rows.append(Output.Lab(
                lab: id, title: lab.title, namespace: settings.namespace, stepsDone: done, steps: order.count,
                passed: progress.passed.map(\.step), currentStep: next?.id, complete: next == nil, current: id == current,
                practice: practised))
        }
        switch global.output {
        case .text: writeStdout(text)
        case .json:
            try writeJSON(Output(workspace: context.workspace.root.path, learner: context.workspace.settings.learner, labs: rows))
        }
    }
}
