import ArgumentParser
import Foundation
import KubeJSON
import LabSpec
import Workspace

struct LabRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print a lab's manifests rendered for one learner, with klab's bookkeeping labels.",
        usage: "klab lab render <lab> [--set <name=value> ...] [--learner <id>] [--step <step> ...] [<options>]",
        discussion: """
        Parameters take their defaults unless --set (or -n for the namespace, --learner for \
        the learner) says otherwise, as `klab start` renders them.

        Examples:
          klab lab render health-probes
          klab lab render health-probes --set replicas=5 --learner ada --step readiness
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "The lab id.", completion: .custom(ShellCompletion.labs))
    var lab: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a lab parameter (repeatable).", valueName: "name=value"))
    var assignments: [String] = []

    @Option(help: ArgumentHelp("The learner id the manifests are rendered for.", valueName: "id"))
    var learner: String?

    @Option(help: ArgumentHelp("Render only this step's manifests (repeatable).", valueName: "step"), completion: .custom(ShellCompletion.steps))
    var step: [String] = []

    func run() throws {
        let lab = try labsOptions.loader().load(self.lab)
        let invocation = LabInvocation(
            assignments: try Lab.assignments(assignments), namespace: global.namespace, learner: learner,
            environment: ProcessInfo.processInfo.environment)
        let parameters = try invocation.parameters(for: lab)
        for id in step where lab.step(id) == nil {
            throw CLIFailure(
                message: "lab \(lab.id) has no step '\(id)'; steps: \(lab.steps.map(\.id).joined(separator: ", "))",
                status: .badInput)
        }
        let renderer = ManifestRenderer(lab: lab)
        let steps = step.isEmpty ? nil : step
        switch global.output {
        case .text:
            writeStdout(try renderer.renderYAML(parameters: parameters.values, learner: parameters.learner, steps: steps))
        case .json:
            let objects = try renderer.render(parameters: parameters.values, learner: parameters.learner, steps: steps).flatMap(\.objects)
            try writeJSON(Output(items: objects))
        }
    }

    /// `klab lab render --output json`: the objects as one kubectl `List`.
    struct Output: Encodable {
        var apiVersion = "v1"
        var kind = "List"
        var items: [JSONValue]
    }
}
