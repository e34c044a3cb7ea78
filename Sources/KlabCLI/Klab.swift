import ArgumentParser
import Foundation

/// klab's version, printed by `klab version`.
public let klabVersion = "0.1.0"

public struct Klab: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "klab",
        abstract: "Run hands-on Kubernetes/EKS workshop labs: verified steps, git-backed progress, class grading.",
        version: klabVersion,
        subcommands: [
            StartCommand.self,
            StatusCommand.self,
            VerifyCommand.self,
            HintCommand.self,
            ResetCommand.self,
            GradeCommand.self,
            VersionCommand.self,
            LabCommand.self,
            JSONPathCommand.self,
        ]
    )

    public init() {}
}

/// Entry point: parses, runs, and turns every failure into one line on stderr and an exit code
/// of DESIGN.md (0 done, 1 checks failed, 2 bad input, 3 environment, 4 workspace).
public enum KlabMain {
    public static func run(_ arguments: [String]? = nil) -> Never {
        let command: ParsableCommand
        do {
            command = try Klab.parseAsRoot(arguments)
        } catch {
            // Help and --version exit 0 through here; usage errors get exit 2.
            let code = Klab.exitCode(for: error)
            if code == .success {
                Klab.exit(withError: error)
            }
            FileHandle.standardError.write(Data("klab: \(Klab.message(for: error)) (see 'klab help')\n".utf8))
            exit(ExitStatus.badInput.rawValue)
        }
        do {
            var command = command
            try command.run()
            exit(0)
        } catch let exitStatus as ExitStatus {
            exit(exitStatus.rawValue)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let failure = CLIFailure(error)
            FileHandle.standardError.write(Data(("klab: \(failure.message)\n").utf8))
            exit(failure.status.rawValue)
        }
    }
}
