import Foundation
import TestSupport
import XCTest

/// Every `klab` command of README.md's "A lab, walked through", run as shown, in order, from a
/// folder beside the project's `labs/`, against the kubectl stand-in (and a terminal for
/// `--watch`). The README's failure example must be what klab prints.
final class ReadmeWalkthroughTests: XCTestCase {
    var root: URL!
    let repository = KlabBinary.repositoryRoot
    var fixtures: URL { repository.appendingPathComponent("labs/health-probes/fixtures") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-readme-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("labs"), withDestinationURL: repository.appendingPathComponent("labs"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// The section's text, and its command lines (`klab ...`, comments dropped).
    func section() throws -> (text: String, commands: [String]) {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        guard let text = MarkdownShell.section("## A lab, walked through", in: readme) else {
            XCTFail("README.md has no section \"A lab, walked through\"")
            return ("", [])
        }
        let commands = MarkdownShell.commands(in: text).filter { $0.hasPrefix("klab ") }.map(MarkdownShell.withoutComment)
        return (text, commands)
    }

    func standIn(_ snapshots: [String], log: String) -> [String: String] {
        ["PATH": repository.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin",
         "KLAB_STANDIN_SNAPSHOTS": snapshots.map { fixtures.appendingPathComponent($0).path }.joined(separator: ":"),
         "KLAB_STANDIN_LOG": root.appendingPathComponent(log).path]
    }

    func onTerminal(_ command: [String], expect: String, environment: [String: String]) throws -> (Int32, String) {
        // No workspace from the machine running the tests: the README's commands find their own.
        var env = ["KLAB_WORKSPACE": ""]
        for (key, value) in environment { env[key] = value }
        let result = try KlabBinary.runInTerminal(command, script: [["expect": expect, "timeout": 60]], environment: env, currentDirectory: root)
        return (result.status, result.stdout)
    }

    func testEveryCommandWorksAsShown() throws {
        let (_, commands) = try section()
        XCTAssertEqual(commands, [
            "klab start health-probes",
            "klab verify", "klab verify --wait 2m", "klab verify --watch",
            "klab hint", "klab status", "klab reset", "klab reset --undo", "klab reset --list", "klab reset --restore 1",
            "klab verify --snapshot labs/health-probes/fixtures/liveness--pass",
        ], "the README's commands changed: update this walk-through to run them")
        // The cluster the learner works on, step by step.
        let clusters: [String: [String: String]] = [
            "klab verify": standIn(["liveness--pass"], log: "1.log"),
            "klab verify --wait 2m": standIn(["fail-liveness--fail-not-restarted-yet", "fail-liveness--pass"], log: "2.log"),
            "klab verify --watch": standIn(["readiness--pass", "fail-readiness--pass"], log: "3.log"),
        ]
        for command in commands {
            let arguments = Array(command.split(separator: " ").dropFirst().map(String.init))
            var environment = clusters[command] ?? standIn(["liveness--pass"], log: "other.log")
            environment["KLAB_WORKSPACE"] = ""
            // On a terminal `klab start` asks the learner id once; here there is none, so the
            // id comes from where a learner can set it (else klab would say it used a default).
            environment["KLAB_LEARNER"] = "ada"
            if command.hasSuffix("--watch") {
                let (status, transcript) = try onTerminal(arguments, expect: "health-probes complete", environment: environment)
                XCTAssertEqual(status, 0, "\(command): \(transcript)")
                continue
            }
            let result = try KlabBinary.run(arguments, environment: environment, currentDirectory: root)
            // The undo brought the completed lab back, so the last verify says it is complete.
            XCTAssertEqual(result.status, 0, "\(command): \(result.stdout)\(result.stderr)")
            XCTAssertEqual(result.stderr, "", command)
        }
        let status = try KlabBinary.run(["status", "--output", "json"], environment: ["KLAB_WORKSPACE": ""], currentDirectory: root)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((json?["labs"] as? [[String: Any]])?.first?["stepsDone"] as? Int, 4, status.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("klab-workspace/health-probes/liveness-app.yaml").path),
                      "the workspace is ./klab-workspace, as the README says")
    }

    func testTheFailureExampleIsWhatKlabPrints() throws {
        let (text, _) = try section()
        guard let open = text.range(of: "at\nwhich path:\n\n```\n"), let close = text.range(of: "\n```", range: open.upperBound..<text.endIndex) else {
            return XCTFail("the README's failure example moved: update this test")
        }
        let example = String(text[open.upperBound..<close.lowerBound])
        let workspace = root.appendingPathComponent("ws").path
        XCTAssertEqual(try KlabBinary.run(["start", "health-probes", "--workspace", workspace], currentDirectory: root).status, 0)
        let result = try KlabBinary.run(["verify", "--workspace", workspace, "--snapshot", fixtures.appendingPathComponent("liveness--fail-no-probe").path],
                                        currentDirectory: root)
        XCTAssertEqual(result.status, 1)
        for line in example.split(separator: "\n") {
            XCTAssertTrue(result.stdout.contains(line), "README line not printed by klab: \(line)\n---\n\(result.stdout)")
        }
    }

    /// The README's labs table has one row per lab, with the lab's own title and
    /// prerequisites, so a new lab cannot land without its row.
    func testTheLabsTableListsEveryLabWithItsTitleAndPrerequisites() throws {
        let readme = try String(contentsOf: KlabBinary.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var rows: [String: [String]] = [:]
        for line in readme.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 9 else { continue }
            rows[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = Array(cells[1...7])
        }
        let list = try KlabBinary.run(["lab", "list", "--output", "json"], currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(list.status, 0, list.stderr)
        let labs = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        XCTAssertFalse(labs.isEmpty, "klab lab list listed no labs")
        for lab in labs {
            guard let id = lab["id"] as? String, let title = lab["title"] as? String else { continue }
            guard let row = rows[id] else {
                XCTFail("README's labs table has no row for \(id)")
                continue
            }
            XCTAssertEqual(row[1], title, "README's labs table: title of \(id)")
            let show = try KlabBinary.run(["lab", "show", id, "--output", "json"], currentDirectory: KlabBinary.repositoryRoot)
            let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
            for prerequisite in json?["prerequisites"] as? [String] ?? [] {
                XCTAssertTrue(row[3].contains("`\(prerequisite)`"), "README's labs table: \(id) needs \(prerequisite) first, the row says \(row[3])")
            }
        }
        let unknown = Set(rows.keys).subtracting(labs.compactMap { $0["id"] as? String })
        XCTAssertTrue(unknown.isEmpty, "README's labs table lists labs that do not exist: \(unknown.sorted())")
    }
}
