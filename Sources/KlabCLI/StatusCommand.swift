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

    func run() throws {
        let context = try WorkspaceContext.open(global, labs: labsOptions)
        let labs = try context.workspace.startedLabs()
        let current = try context.workspace.currentLab()
        var rows: [JSONValue] = []
        var text = "Workspace \(LabCatalog.displayPath(context.workspace.root.path)) (learner \(context.workspace.settings.learner))\n"
        if labs.isEmpty { text += "\nNo lab started yet: `klab lab list` shows the labs, `klab start LAB` starts one.\n" }
        for id in labs {
            let (lab, settings) = try context.startedLab(id)
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
            rows.append(.object(JSONObject([
                ("lab", .string(id)), ("title", .string(lab.title)), ("namespace", .string(settings.namespace)),
                ("stepsDone", .int(Int64(done))), ("steps", .int(Int64(order.count))),
                ("passed", .array(progress.passed.map { .string($0.step) })),
                ("currentStep", next.map { .string($0.id) } ?? .null),
                ("complete", .bool(next == nil)), ("current", .bool(id == current)),
                ("practice", .array(practised.map(JSONValue.string))),
            ])))
        }
        switch global.output {
        case .text: writeStdout(text)
        case .json:
            writeStdout(JSONWriter.pretty(.object(JSONObject([
                ("workspace", .string(context.workspace.root.path)),
                ("learner", .string(context.workspace.settings.learner)),
                ("labs", .array(rows)),
            ]))) + "\n")
        }
    }
}
