import ArgumentParser
import Foundation
import LabSpec

/// `klab lab ...`: what authors use to list, read, lint, render and test labs without a cluster.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Work on lab packages: create, list, show, lint, render, test and record them.",
        discussion: """
        The labs folder is --labs DIR, else KLAB_LABS, else the labs installed with klab or \
        the project's labs/ folder. Lab ids complete in the shell (`klab \
        --generate-completion-script`).

        Examples:
          klab lab list
          klab lab show health-probes
          klab lab test health-probes --snapshot labs/health-probes/fixtures/complete
          klab lab new my-lab
          klab lab record my-lab --step deploy labs/my-lab/fixtures/deploy--pass
        """,
        subcommands: LabCommand.subcommands
    )

    /// The `klab lab` subcommands; add new ones here.
    static let subcommands: [ParsableCommand.Type] = [
        LabListCommand.self,
        LabShowCommand.self,
        LabLintCommand.self,
        LabRenderCommand.self,
        LabTestCommand.self,
        LabNewCommand.self,
        LabRecordCommand.self,
    ]
}

/// Where the labs are, for every `klab lab` subcommand.
struct LabsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("The labs folder (default: KLAB_LABS, else the labs installed with klab, else the project's labs/).", valueName: "dir"),
        completion: .directory)
    var labs: String?

    /// The loader for the labs folder these options and the environment name.
    func loader() throws -> LabLoader {
        try LabCatalog.loader(labs: labs)
    }
}
