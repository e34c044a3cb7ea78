import Foundation
import TestSupport
import XCTest

/// Runs the built `klab` binary, the way a user does, for end-to-end tests.
struct KlabBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The products folder SwiftPM built the tests into; `klab` sits beside the test bundle.
    static var url: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("klab")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/klab")
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func run(
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
}
