import ArgumentParser
import Foundation
import LabSpec

/// `klab lab ...`: what authors use to list, read, lint, render and test labs without a cluster.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Work on lab packages: list, show, lint, render (no cluster needed).",
        subcommands: LabCommand.subcommands
    )

    /// The `klab lab` subcommands; add new ones here.
    static let subcommands: [ParsableCommand.Type] = [
        LabListCommand.self,
        LabShowCommand.self,
        LabLintCommand.self,
        LabRenderCommand.self,
        LabTestCommand.self,
    ]
}

/// Where the labs are, for every `klab lab` subcommand.
struct LabsOptions: ParsableArguments {
    @Option(help: "The labs folder (default: KLAB_LABS, else the project's labs/).")
    var labs: String?

    /// The loader for the labs folder these options and the environment name.
    func loader() throws -> LabLoader {
        try LabCatalog.loader(labs: labs)
    }
}
