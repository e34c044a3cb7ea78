import ArgumentParser
import Foundation

/// How a command prints its result.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}

/// Options every command accepts (README "Global options").
public struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Path to the kubeconfig file kubectl should use.", valueName: "file"), completion: .file())
    public var kubeconfig: String?

    @Option(help: ArgumentHelp("The kubeconfig context to use.", valueName: "name"))
    public var context: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Namespace to use instead of the lab's default.", valueName: "name"))
    public var namespace: String?

    @Option(
        help: ArgumentHelp(
            "The learner workspace (default: the one containing the current directory, else KLAB_WORKSPACE, else ./klab-workspace).",
            valueName: "dir"),
        completion: .directory)
    public var workspace: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    public var output: OutputFormat = .text

    @Flag(help: "Do not colour the output (NO_COLOR is honoured too).")
    public var noColor = false

    public init() {}

    /// Whether colour may be used on stdout.
    public var useColor: Bool {
        !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) != 0
    }
}
