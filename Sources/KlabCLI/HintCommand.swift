import ArgumentParser
import Foundation
import KubeJSON
import LabSpec
import Workspace

struct HintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hint",
        abstract: "Show the next hint for the current step (one more each time).",
        usage: "klab hint [--lab <lab>] [<options>]",
        discussion: """
        Each run shows one more hint, until the step's last; the hints you asked for are \
        recorded in your workspace. Works while `klab verify --watch` runs in another terminal.

        Examples:
          klab hint
          klab hint --lab assigning-pods
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Option(help: ArgumentHelp("The lab (default: the one you worked on last).", valueName: "lab"), completion: .custom(ShellCompletion.startedLabs))
    var lab: String?

    func run() throws {
        let context = try WorkspaceContext.open(global, labs: labsOptions)
        let lab = try context.startedLab(try context.labID(self.lab), namespace: global.namespace).lab
        let progress = try context.progress(of: lab)
        guard let step = progress.currentStep(in: lab.steps.map(\.id)).flatMap(lab.step) else {
            writeStdout("\(lab.id) is complete: no hints needed.\n")
            return
        }
        guard !step.hints.isEmpty else {
            writeStdout("Step \(step.id) has no hints. Re-read \(StepGuide(lab: lab, step: step).proseFile), and run `klab verify` to see what is off.\n")
            return
        }
        let shown = progress.hintsShown[step.id] ?? 0
        let number = min(shown + 1, step.hints.count)
        if shown < step.hints.count {
            try context.workspace.recordHint(lab: lab.id, step: step.id, number: number)
        }
        let hint = step.hints[number - 1]
        switch global.output {
        case .json:
            try writeJSON(Output(lab: lab.id, step: step.id, hint: number, hints: step.hints.count, text: hint))
        case .text:
            var out = "Hint \(number) of \(step.hints.count) for \(step.title):\n  \(hint)\n"
            if number == step.hints.count && shown >= step.hints.count {
                out += "That was the last hint for this step.\n"
            }
            writeStdout(out)
        }
    }

    /// `klab hint --output json`: the hint shown, its number and how many the step has.
    struct Output: Encodable {
        var lab: String
        var step: String
        var hint: Int
        var hints: Int
        var text: String
    }
}
