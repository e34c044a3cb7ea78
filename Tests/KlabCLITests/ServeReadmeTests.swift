import Foundation
import KubeJSON
import TestSupport
import XCTest

/// Every `klab` command of README.md's "Running a class live", run as shown from a class
/// folder (hand-ins, a roster, a class key, the labs), with two changes a test needs: each
/// `klab serve` gets `--port 0 --output json` (a free port, and its address in a form to read),
/// and the learner's `HOST:8080` and `TOKEN` are the address and token that server printed.
final class ServeReadmeTests: XCTestCase {
    var root: URL!
    let repository = KlabBinary.repositoryRoot
    var servers: [BackgroundProcess] = []

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-serve-readme-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("labs"), withDestinationURL: repository.appendingPathComponent("labs"))
    }

    override func tearDownWithError() throws {
        for server in servers { server.terminate() }
        try? FileManager.default.removeItem(at: root)
    }

    func commands() throws -> [String] {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "## Running a class live\n"), "README.md has no section \"Running a class live\"")
        let rest = readme[start.upperBound...]
        let text = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        var commands: [String] = []
        var inShell = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inShell = line == "```sh" && !inShell; continue }
            if inShell, line.hasPrefix("klab ") {
                commands.append(String(line.split(separator: "#", maxSplits: 1)[0]).trimmingCharacters(in: .whitespaces))
            }
        }
        return commands
    }

    func testEveryCommandOfTheSectionWorksAsShown() throws {
        let commands = try commands()
        XCTAssertEqual(commands.filter { $0.hasPrefix("klab serve") }.count, 3, "\(commands)")
        XCTAssertEqual(commands.filter { $0.hasPrefix("klab start") }.count, 1, "\(commands)")

        try Data("a-class-key\n".utf8).write(to: root.appendingPathComponent("class.key"))
        try Data("learner,workspace,namespace\nana,handins/ana,default\n".utf8).write(to: root.appendingPathComponent("roster.csv"))
        let made = try KlabBinary.run(["start", "health-probes", "--learner", "ana", "--workspace", root.appendingPathComponent("handins/ana").path])
        XCTAssertEqual(made.status, 0, made.stderr)
        let anasKey = try KlabBinary.run(["grade", "keys", "roster.csv", "--key-file", "class.key"], currentDirectory: root)
            .stdout.split(separator: " ", omittingEmptySubsequences: true).last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let environment = [
            "PATH": repository.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "KLAB_STANDIN_SNAPSHOTS": repository.appendingPathComponent("labs/health-probes/fixtures/complete").path,
            "KLAB_LEARNER": "ana", "NO_COLOR": "1",
        ]

        var address: (base: String, token: String?)?
        for command in commands {
            var arguments = command.split(separator: " ").map(String.init).dropFirst().map { $0 }
            if arguments.first == "serve" {
                let server = try BackgroundProcess(KlabBinary.url.path, arguments + ["--port", "0", "--output", "json"],
                                                   environment: environment, currentDirectory: root)
                servers.append(server)
                let line = server.waitForOutput(timeout: 120) { $0.split(separator: "\n").first.map(String.init) }
                let json = try JSONParser.parse(bytes: Data((line ?? "").utf8))
                let port = try XCTUnwrap(json["port"]?.doubleValue, "\(command): \(server.stderr)")
                address = ("http://127.0.0.1:\(Int(port))", json["token"]?.stringValue)
                let health = try TestProcess.run("curl", ["-sS", address!.base + "/healthz"])
                XCTAssertEqual(health.stdout, "ok\n", command)
            } else {
                let (base, token) = try XCTUnwrap(address, "a learner command before any klab serve")
                arguments = arguments.map { $0.replacingOccurrences(of: "http://HOST:8080", with: base).replacingOccurrences(of: "TOKEN", with: token ?? "") }
                let result = try TestProcess.run(KlabBinary.url.path, arguments, environment: environment, currentDirectory: root)
                XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
            }
        }

        // The learner of the last command verifies: the dashboard that printed the line shows it.
        let (base, token) = try XCTUnwrap(address)
        XCTAssertEqual(token?.count, 32, "--bind 0.0.0.0 made up a token")
        let verify = try TestProcess.run(KlabBinary.url.path, ["verify", "--snapshot", repository.appendingPathComponent("labs/health-probes/fixtures/liveness--pass").path],
                                         environment: environment.merging(["KLAB_CLASS_KEY": anasKey ?? ""]) { _, new in new }, currentDirectory: root)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertEqual(verify.stderr, "", "the report was taken")
        let api = try TestProcess.run("curl", ["-sS", base + "/api/class.json?token=\(token ?? "")"])
        let json = try JSONParser.parse(bytes: Data(api.stdout.utf8))
        XCTAssertEqual(json["learners"]?[0]?["learner"]?.stringValue, "ana")
        XCTAssertEqual(json["learners"]?[0]?["labs"]?.arrayValue?.first { $0["lab"]?.stringValue == "health-probes" }?["steps"]?[0]?["status"]?.stringValue, "passed")
    }
}
