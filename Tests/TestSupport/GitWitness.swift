import Foundation

/// The `git` command line, used by the tests as an independent witness of what klab and
/// LabGit wrote. Isolated from the machine's configuration (no system or global config, a
/// fixed author), so results do not depend on who runs the tests.
public enum GitWitness {
    public static let environment = [
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "Witness",
        "GIT_AUTHOR_EMAIL": "witness@example.org",
        "GIT_COMMITTER_NAME": "Witness",
        "GIT_COMMITTER_EMAIL": "witness@example.org",
    ]

    /// stdout of `git ARGUMENTS` run in `directory`; throws with git's stderr unless it exits 0.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL, input: String? = nil) throws -> String {
        try TestProcess.succeed("git", arguments, environment: environment, currentDirectory: directory, stdin: input).stdout
    }

    public static func runAllowingFailure(_ arguments: [String], in directory: URL, input: String? = nil) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let result = try TestProcess.run("git", arguments, environment: environment, currentDirectory: directory, stdin: input)
        return (result.status, result.stdout, result.stderr)
    }

    public static func lines(_ arguments: [String], in directory: URL, input: String? = nil) throws -> [String] {
        try run(arguments, in: directory, input: input).split(separator: "\n").map(String.init)
    }
}
