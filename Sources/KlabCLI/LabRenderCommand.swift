import ArgumentParser
import Foundation
import KubeJSON
import LabSpec

struct LabRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print a lab's manifests rendered for one learner, with klab's bookkeeping labels.",
        usage: "klab lab render <lab> [--set <name=value> ...] [--learner <id>] [--step <step> ...] [<options>]",
        discussion: """
        Parameters take their defaults unless --set (or -n for the namespace) says otherwise.

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
        var parameters = try Lab.assignments(assignments)
        if let namespace = global.namespace, parameters["namespace"] == nil { parameters["namespace"] = namespace }
        for id in step where lab.step(id) == nil {
            throw CLIFailure(
                message: "lab \(lab.id) has no step '\(id)'; steps: \(lab.steps.map(\.id).joined(separator: ", "))",
                status: .badInput)
        }
        let renderer = ManifestRenderer(lab: lab)
        let steps = step.isEmpty ? nil : step
        switch global.output {
        case .text:
            writeStdout(try renderer.renderYAML(parameters: parameters, learner: learner, steps: steps))
        case .json:
            let objects = try renderer.render(parameters: parameters, learner: learner, steps: steps).flatMap(\.objects)
            writeStdout(JSONWriter.pretty(.object(JSONObject([
                ("apiVersion", .string("v1")), ("kind", .string("List")), ("items", .array(objects)),
            ]))) + "\n")
        }
    }
}
