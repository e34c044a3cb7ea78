import ArgumentParser
import Foundation
import KubeCore
import KubeJSON

/// klab's version, printed by `klab version` and `klab --version`.
public let klabVersion = "0.1.0"

public struct Klab: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "klab",
        abstract: "Run hands-on Kubernetes/EKS workshop labs: verified steps, git-backed progress, class grading.",
        discussion: """
        A lab is a chapter of the workshop: ordered steps, the manifests you apply, and checks \
        that read your cluster and say what is off. Your progress is kept in a git workspace \
        (./klab-workspace unless you say otherwise).

        Start here:
          klab lab list                 the labs
          klab start health-probes      start one and read its first step
          klab verify                   check the step once you have done it
          klab doctor                   if something does not work, check your machine

        Exit status: 0 done, 1 checks failed, 2 bad usage or input, 3 environment \
        (kubectl, cluster), 4 workspace problem.
        """,
        version: klabVersion,
        groupedSubcommands: [
            CommandGroup(name: "Learner", subcommands: [
                StartCommand.self, VerifyCommand.self, HintCommand.self, StatusCommand.self,
                ResetCommand.self, DoctorCommand.self, VersionCommand.self,
            ]),
            CommandGroup(name: "Instructor", subcommands: [GradeCommand.self, ServeCommand.self]),
            CommandGroup(name: "Author", subcommands: [LabCommand.self, JSONPathCommand.self]),
        ]
    )

    /// Every message argument-parser prints for klab starts the way klab's own do.
    public static var _errorPrefix: String { "klab: " }

    public init() {}
}

/// Entry point: parses, runs, and turns every failure into one line on stderr and an exit code
/// of the README's "Exit codes" (0 done, 1 checks failed, 2 bad input, 3 environment, 4 workspace).
public enum KlabMain {
    public static func run(_ arguments: [String]? = nil) -> Never {
        // On a deep stack: the deepest JSON klab accepts (InputLimits.jsonDepth) recurses that deep.
        DeepStack.run { runCommand(arguments) }
    }

    static func runCommand(_ arguments: [String]?) -> Never {
        let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        if let typo = CommandTypo.find(in: arguments, root: Klab.self) {
            writeStderr(typo.message + "\n")
            exit(ExitStatus.badInput.rawValue)
        }
        let command: ParsableCommand
        do {
            command = try Klab.parseAsRoot(arguments)
        } catch {
            finish(with: error)
        }
        do {
            var command = command
            try command.run()
            exit(0)
        } catch {
            finish(with: error)
        }
    }

    /// What klab does with an error, by what argument-parser says of it (`Klab.exitCode(for:)`)
    /// rather than by the name of its type: exit 0 is help, a version or a completion script
    /// (`klab help ...`, `--help`, `klab` alone), printed on stdout; argument-parser's usage
    /// exit (64) is a usage error, its message and usage on stderr, exit 2; anything else is
    /// klab's own failure, one line on stderr and its exit status.
    enum Disposition: Equatable {
        case exit(Int32)
        case help(String)
        case usage(String)
        case failure(message: String, status: ExitStatus)
    }

    static func disposition(of error: Error) -> Disposition {
        switch error {
        case let status as ExitStatus: return .exit(status.rawValue)
        case let code as ExitCode where code != .validationFailure && code != .success: return .exit(code.rawValue)
        case is CLIFailure: break
        default:
            let code = Klab.exitCode(for: error)
            if code == .success { return .help(Klab.fullMessage(for: error)) }
            if code == .validationFailure { return .usage(Klab.fullMessage(for: error)) }
        }
        let failure = CLIFailure(error)
        return .failure(message: failure.message, status: failure.status)
    }

    static func finish(with error: Error) -> Never {
        switch disposition(of: error) {
        case .exit(let code):
            Foundation.exit(code)
        case .help(let text):
            if !text.isEmpty { writeStdout(text.hasSuffix("\n") ? text : text + "\n") }
            Foundation.exit(0)
        case .usage(let text):
            if !text.isEmpty { writeStderr(text.hasSuffix("\n") ? text : text + "\n") }
            Foundation.exit(ExitStatus.badInput.rawValue)
        case .failure(let message, let status):
            writeStderr("klab: \(message)\n")
            Foundation.exit(status.rawValue)
        }
    }
}

/// A misspelt subcommand (`klab stauts`, `klab lab tset`, `klab help verfy`): argument-parser
/// would call it an unexpected argument; klab names the closest command and the usage.
struct CommandTypo {
    var message: String

    static func find(in arguments: [String], root: ParsableCommand.Type) -> CommandTypo? {
        var words = arguments[...]
        if words.first == "help" { words = words.dropFirst() }
        var stack: [ParsableCommand.Type] = [root]
        for word in words {
            let command = stack[stack.count - 1]
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            let names = subcommands.map(name) + (ObjectIdentifier(command) == ObjectIdentifier(root) ? ["help"] : [])
            if let next = subcommands.first(where: { name($0) == word || $0.configuration.aliases.contains(word) }) {
                stack.append(next)
                continue
            }
            if word == "help" && ObjectIdentifier(command) == ObjectIdentifier(root) { return nil }
            let path = stack.map(name).joined(separator: " ")
            // `klab list` is most likely `klab lab list`: a command one level down, named
            // exactly, is a better guess than a near-miss at this level.
            let deeper = nested(word, under: command).map { ([path] + $0).joined(separator: " ") }
            let guess = (deeper ?? Suggestion.closest(to: word, in: names)).map { " Did you mean '\($0)'?" } ?? ""
            return CommandTypo(message: """
                klab: '\(word)' is not a \(path) command.\(guess)
                Usage: \(path) <subcommand>
                  See '\(path) --help' for the commands.
                """)
        }
        return nil
    }

    /// The path, below `command`, of the one subcommand of a subcommand named `word`.
    static func nested(_ word: String, under command: ParsableCommand.Type) -> [String]? {
        let found = command.configuration.subcommands.compactMap { child -> [String]? in
            child.configuration.subcommands.contains { name($0) == word } ? [name(child), word] : nil
        }
        return found.count == 1 ? found[0] : nil
    }

    static func name(_ command: ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }
}
