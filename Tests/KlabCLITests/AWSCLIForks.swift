import Foundation
import TestSupport

/// The real `aws` CLI without a Python start-up per call: `Tests/Fixtures/aws-cli-forks`
/// imports awscli once, in the interpreter the `aws` command runs, and forks a child per call
/// that runs the CLI's own `main` on the call's argv and environment (see that file).
/// `AWSCommandChecksTests.testForkedAWSAnswersAsTheAWSProcessDoes` holds it equal to `aws`.
final class AWSCLIForks {
    private let server: TestProcess.Running
    /// The whole environment every call gets: this process's with `environment` over it, as
    /// `TestProcess.run` gives a child.
    private let environment: [String: String]
    private let lock = NSLock()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the server with the interpreter of the `aws` on PATH; calls get `environment`
    /// over this process's environment.
    init(environment: [String: String]) throws {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        self.environment = merged
        let script = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/aws-cli-forks/aws_cli_forks.py").path
        let interpreter = try Self.awsInterpreter()
        server = try TestProcess.start(interpreter[0], Array(interpreter.dropFirst()) + [script], environment: environment,
                                       readingOutput: true, writingInput: true)
        let ready = server.readLine() ?? ""
        guard ready.contains(#""ready": true"#) else {
            stop()
            throw Failure(description: "\(interpreter.joined(separator: " ")) \(script) did not start: \(ready)")
        }
    }

    /// Runs `argv` (`aws ...`) as the `aws` command would, against whatever the environment names.
    func run(_ argv: [String]) throws -> KlabBinary.Result {
        lock.lock()
        defer { lock.unlock() }
        let request = try JSONSerialization.data(withJSONObject: ["argv": argv, "environment": environment], options: [.sortedKeys])
        guard server.isRunning else { throw Failure(description: "the aws fork server has ended") }
        try server.write(String(decoding: request, as: UTF8.self) + "\n")
        guard let line = server.readLine(),
              let answer = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let status = answer["status"] as? Int,
              let stdout = (answer["stdout"] as? String).flatMap({ Data(base64Encoded: $0) }),
              let stderr = (answer["stderr"] as? String).flatMap({ Data(base64Encoded: $0) }) else {
            throw Failure(description: "the aws fork server gave no answer to \(argv.joined(separator: " "))")
        }
        return KlabBinary.Result(status: Int32(status), stdout: String(decoding: stdout, as: UTF8.self),
                                 stderr: String(decoding: stderr, as: UTF8.self))
    }

    func stop() {
        try? server.closeInput()
        if server.isRunning {
            server.stop(SIGTERM)
        }
        server.wait()
    }

    /// The interpreter (and its options) of the `aws` on PATH: the `#!` line of the script,
    /// or when `aws` is a pyenv shim (a shell script that picks the version), of the script
    /// `pyenv which aws` names. `Scripts/setup --test` installs awscli with pip, which writes
    /// that line.
    static func awsInterpreter() throws -> [String] {
        guard let aws = which("aws") else {
            throw Failure(description: "aws is not on PATH; run Scripts/setup --test (pip awscli)")
        }
        if let words = interpreter(of: aws) { return words }
        guard which("pyenv") != nil,
              let resolved = try? TestProcess.succeed("pyenv", ["which", "aws"]).stdout
                  .trimmingCharacters(in: .whitespacesAndNewlines), !resolved.isEmpty else {
            throw Failure(description: "\(aws) is not a Python script and pyenv does not name one; reinstall awscli with pip")
        }
        guard let words = interpreter(of: resolved) else {
            throw Failure(description: "\(resolved) (pyenv which aws) does not start with a Python #! line")
        }
        return words
    }

    /// The words of `script`'s `#!` line when it names Python (`#!/usr/bin/env python3`: the
    /// python3 on PATH).
    private static func interpreter(of script: String) -> [String]? {
        guard let handle = FileHandle(forReadingAtPath: script) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 512), as: UTF8.self)
        guard head.hasPrefix("#!"), let line = head.dropFirst(2).split(separator: "\n").first else { return nil }
        var words = line.split(separator: " ").map(String.init)
        if let first = words.first, first.hasSuffix("/env") {
            words.removeFirst()
            if let name = words.first, !name.hasPrefix("/"), let path = which(name) { words[0] = path }
        }
        guard let first = words.first, isPython(first) else { return nil }
        return words
    }

    private static func isPython(_ path: String) -> Bool {
        URL(fileURLWithPath: path).lastPathComponent.hasPrefix("python")
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
