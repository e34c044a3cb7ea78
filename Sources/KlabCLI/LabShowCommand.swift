import ArgumentParser
import Foundation
import KubeJSON
import LabSpec

struct LabShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a lab: summary, prerequisites, parameters, and its steps in order with their checks.",
        usage: "klab lab show <lab> [--labs <dir>] [<options>]",
        discussion: """
        Examples:
          klab lab show health-probes
          klab lab show health-probes --output json   (step ids in order, for scripts)
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var labsOptions: LabsOptions

    @Argument(help: "The lab id.", completion: .custom(ShellCompletion.labs))
    var lab: String

    func run() throws {
        let lab = try labsOptions.loader().load(self.lab)
        switch global.output {
        case .text: writeStdout(LabDescription.text(lab))
        case .json: try writeJSON(LabDescription.Output(lab))
        }
    }
}
