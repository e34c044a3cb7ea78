import Foundation

/// Runs the built `klab` binary, the way a user does, for end-to-end tests: with pipes, or on
/// a pseudo-terminal that answers its prompts.
public enum KlabBinary {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// The products folder SwiftPM built the tests into; `klab` sits beside the test bundle.
    public static var url: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("klab")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/klab")
    }

    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs klab with pipes (not a terminal), colour off unless the environment says otherwise.
    public static func run(
        _ arguments: [String],
        stdin: String? = nil,
        environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) throws -> Result {
        var env = environment
        env["NO_COLOR"] = env["NO_COLOR"] ?? "1"
        let result = try TestProcess.run(url.path, arguments, environment: env, currentDirectory: currentDirectory, stdin: stdin)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Runs klab on a pseudo-terminal (`Tests/Fixtures/terminal/run-in-pty`), as a learner's
    /// shell does, following `script`: each step waits for `expect` to appear in the output,
    /// then may type `send` ("\r" is Enter, "\u{3}" Ctrl-C) or run `shell` (to change the
    /// cluster under a running klab); `timeout` seconds per step (default 30). The result's
    /// stdout is the terminal's transcript (stdout and stderr as the learner saw them, with
    /// what was typed); its status is klab's, 128+N when signal N ended it, or 124 when an
    /// expectation was not met in time (the transcript says which).
    public static func runInTerminal(
        _ arguments: [String],
        script: [[String: Any]],
        environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) throws -> Result {
        let scriptFile = FileManager.default.temporaryDirectory.appendingPathComponent("klab-pty-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: script).write(to: scriptFile)
        defer { try? FileManager.default.removeItem(at: scriptFile) }
        var env = ["NO_COLOR": "1", "TERM": "xterm"]
        for (key, value) in environment { env[key] = value }
        let runner = repositoryRoot.appendingPathComponent("Tests/Fixtures/terminal/run-in-pty").path
        let result = try TestProcess.run(runner, [scriptFile.path, "--", url.path] + arguments, environment: env, currentDirectory: currentDirectory)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}
