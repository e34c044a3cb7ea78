import ArgumentParser
import Foundation

/// How a command prints its result.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}

/// Options every command accepts (DESIGN.md "Command-line contract").
public struct GlobalOptions: ParsableArguments {
    @Option(help: "Path to the kubeconfig file kubectl should use.")
    public var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    public var context: String?

    @Option(name: [.short, .long], help: "Namespace to use instead of the lab's default.")
    public var namespace: String?

    @Option(help: "The learner workspace (default: the one containing the current directory, else KLAB_WORKSPACE, else ./klab-workspace).")
    public var workspace: String?

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    public var output: OutputFormat = .text

    @Flag(help: "Do not colour the output (NO_COLOR is honoured too).")
    public var noColor = false

    public init() {}

    /// Whether colour may be used on stdout.
    public var useColor: Bool {
        !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) != 0
    }
}
