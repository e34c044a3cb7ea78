import Checks
import Foundation
import Grading
import LabGit
import Workspace
import KubeJSON
import LabSpec

/// An error a command throws after it has already told the user what went wrong.
struct CLIFailure: Error {
    var message: String
    var status: ExitStatus

    init(message: String, status: ExitStatus) {
        self.message = message
        self.status = status
    }

    /// Maps each module's errors to one line and an exit code.
    init(_ error: Error) {
        switch error {
        case let failure as CLIFailure:
            self = failure
        case let error as ClusterError:
            self.init(message: error.description, status: ExitStatus(rawValue: error.exitCode) ?? .environment)
        case let error as WorkspaceError:
            switch error {
            case .unknownStep, .conflictingParameter, .startedWithOtherValue, .unknownBackup, .backupWithoutLab:
                self.init(message: error.description, status: .badInput)
            default: self.init(message: error.description, status: .workspace)
            }
        case let error as GradingError:
            self.init(message: error.description, status: .badInput)
        case let error as LabGitError:
            self.init(message: "workspace: \(error)", status: .workspace)
        case let error as ProcessRunnerError:
            self.init(message: error.description, status: .environment)
        case let error as LabSpecError:
            if case .cannotWrite = error {
                self.init(message: error.description, status: .environment)
            } else {
                self.init(message: error.description, status: .badInput)
            }
        case let error as JSONParseError:
            self.init(message: error.description, status: .badInput)
        case let error as JSONPathError:
            self.init(message: error.description, status: .badInput)
        default:
            self.init(message: String(describing: error), status: .badInput)
        }
    }
}
