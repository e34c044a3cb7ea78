import Foundation
import TestSupport
import XCTest

/// Every command of content/guides/instructor.md and author.md (their ```sh blocks), run as
/// shown with `/bin/sh -c`, in order, with the built klab and the kubectl stand-in first on
/// PATH: the instructor's in a class folder holding the guide's own roster and two learners'
/// hand-ins, the author's in a scratch folder whose labs folder starts empty. Each must exit as
/// the guide says (0 unless listed here). A changed list of commands fails until this test
/// is updated to run them.
final class GuideWalkthroughTests: XCTestCase {
    let repository = KlabBinary.repositoryRoot
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-guide-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    var path: [String] {
        [KlabBinary.url.deletingLastPathComponent().path, repository.appendingPathComponent("Tests/Fixtures/kubectl-standin").path]
    }

    func guide(_ name: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent("content/guides/\(name)"), encoding: .utf8)
    }

    /// A fixture of labs/health-probes with every "default" namespace made `namespace`, and
    /// UIDs of its own.
    func state(_ fixture: String, namespace: String, into folder: URL, skipping: Set<String> = []) throws {
        let source = repository.appendingPathComponent("labs/health-probes/fixtures/\(fixture)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".json") && !skipping.contains(name) {
            let text = try String(contentsOf: source.appendingPathComponent(name), encoding: .utf8)
            // A class cluster's objects are its own, not the shipped fixture's (the grader
            // flags those UIDs as a replay).
            try text.replacingOccurrences(of: "\"namespace\": \"default\"", with: "\"namespace\": \"\(namespace)\"")
                .replacingOccurrences(of: "\"uid\": \"", with: "\"uid\": \"\(namespace)-")
                .write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    func run(_ command: String, _ environment: [String: String]) throws -> TestProcess.Result {
        var env = environment
        env["NO_COLOR"] = "1"
        env["KLAB_WORKSPACE"] = ""
        env["KLAB_STANDIN_LOG"] = root.appendingPathComponent("standin.log").path
        return try MarkdownShell.run(command, in: root, path: path, environment: env)
    }

    func testTheInstructorsGuideRunsAsShown() throws {
        let text = try guide("instructor.md")
        let commands = MarkdownShell.commands(in: text)
        XCTAssertEqual(commands, [
            "klab lab show health-probes", "klab lab show rbac --output json",
            "klab lab render health-probes --learner ada -n ada",
            "klab lab render health-probes --learner grace -n grace --set replicas=2",
            "head -c 32 /dev/urandom | base64 > class.key",
            "klab grade keys roster.csv --key-file class.key",
            "klab grade keys roster.csv --key-file class.key --out keys.csv",
            "klab doctor",
            "klab start health-probes -n ada --learner ada",
            "klab grade --live roster.csv --lab health-probes",
            "klab grade --live roster.csv --lab health-probes --format html --out live.html",
            "git -C klab-workspace bundle create ../ada.bundle --all",
            "klab grade roster.csv --key-file class.key --learner-keys",
            "klab grade roster.csv --key-file class.key --learner-keys --format csv --out grades.csv",
            "klab grade roster.csv --key-file class.key --learner-keys --format html --out grades.html",
            "klab grade handins/ --key-file class.key --learner-keys --format junit --out grades.xml",
            "klab reset --lab --cluster --yes",
            "kubectl delete deployments,pods -A -l klab.dev/lab=health-probes",
            "kubectl delete deployments,pods -n ada -l klab.dev/learner=ada",
        ], "the instructor's guide's commands changed: update this walk-through to run them")

        // The guide's roster, and a cluster where ada has finished the lab and grace has done
        // its first step, each in their namespace.
        let roster = try XCTUnwrap(MarkdownShell.blocks(in: text, language: "csv").first, "the guide shows its roster")
        try (roster + "\n").write(to: root.appendingPathComponent("roster.csv"), atomically: true, encoding: .utf8)
        let cluster = root.appendingPathComponent("cluster")
        try state("complete", namespace: "ada", into: cluster.appendingPathComponent("ada"))
        try state("liveness--pass", namespace: "grace", into: cluster.appendingPathComponent("grace"), skipping: ["nodes.json"])
        let standIn = ["KLAB_STANDIN_SNAPSHOTS": cluster.path]

        for command in commands {
            if command.hasPrefix("klab grade roster.csv"), !FileManager.default.fileExists(atPath: root.appendingPathComponent("handins").path) {
                try makeHandIns()
            }
            let result = try run(command, standIn)
            XCTAssertEqual(result.status, 0, "\(command): \(result.stdout)\(result.stderr)")
            switch command {
            case "klab lab show rbac --output json":
                XCTAssertTrue(result.stdout.contains("\"scope\" : \"cluster\"") || result.stdout.contains("\"scope\": \"cluster\""), result.stdout)
            case "klab lab render health-probes --learner ada -n ada":
                XCTAssertTrue(result.stdout.contains("klab.dev/learner: ada"), result.stdout)
            case "klab grade --live roster.csv --lab health-probes":
                XCTAssertTrue(result.stdout.contains("ada") && result.stdout.contains("grace"), result.stdout)
            default: break
            }
        }
        let grades = try String(contentsOf: root.appendingPathComponent("grades.csv"), encoding: .utf8)
        let rows = grades.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try XCTUnwrap(rows.first)
        let flags = try XCTUnwrap(header.firstIndex(of: "flags"))
        let points = try XCTUnwrap(header.firstIndex(of: "health-probes"))
        for learner in ["ada", "grace"] {
            let row = try XCTUnwrap(rows.first { $0.first == learner }, grades)
            XCTAssertEqual(row[flags], "", "\(learner) signed with their own key, on a cluster: nothing to flag\n\(grades)")
            XCTAssertEqual(Double(row[points]), 1, "\(learner) verified one step\n\(grades)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("ada.bundle").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("grades.html").path))
    }

    /// ada and grace each start the lab in their namespace, verify one step against the
    /// cluster with the key `klab grade keys` gave them, and hand in: ada a bundle, grace her folder.
    func makeHandIns() throws {
        let keys = try String(contentsOf: root.appendingPathComponent("keys.csv"), encoding: .utf8)
        for line in keys.split(whereSeparator: \.isNewline).dropFirst() {
            let cells = line.split(separator: ",").map(String.init)
            let (learner, key) = (cells[0], cells[1])
            let workspace = "handins/\(learner)"
            let environment = ["KLAB_STANDIN_SNAPSHOTS": root.appendingPathComponent("cluster").path, "KLAB_CLASS_KEY": key]
            for command in ["klab start health-probes -n \(learner) --learner \(learner) --workspace \(workspace)",
                            "klab verify --workspace \(workspace)"] {
                let result = try run(command, environment)
                XCTAssertEqual(result.status, 0, "\(command): \(result.stdout)\(result.stderr)")
            }
        }
        let bundle = try run("git -C handins/ada bundle create ../ada.bundle --all && rm -rf handins/ada", [:])
        XCTAssertEqual(bundle.status, 0, bundle.stderr)
    }

    func testTheAuthorsGuideRunsAsShown() throws {
        let commands = MarkdownShell.commands(in: try guide("author.md"))
        let fixtures = "labs/web-basics/fixtures"
        XCTAssertEqual(commands, [
            "klab lab new web-basics --title \"A web server that stays up\"",
            "klab lab lint web-basics",
            "klab lab test web-basics --step deploy --snapshot \(fixtures)/deploy--pass",
            "klab lab test web-basics --step deploy --snapshot \(fixtures)/deploy--fail-not-ready",
            "klab lab show web-basics",
            "klab lab render web-basics --learner ada -n ada",
            "klab jsonpath '{.items[0].status.readyReplicas}' \(fixtures)/deploy--pass/deployments.json",
            "klab lab record web-basics --step deploy \(fixtures)/deploy--pass-two-replicas",
            "klab lab record web-basics --step deploy \(fixtures)/deploy--fail-image-typo",
            "klab lab test web-basics --step deploy --snapshot \(fixtures)/deploy--fail-image-typo",
            "klab lab lint web-basics",
            "klab lab test web-basics --step deploy --snapshot \(fixtures)/deploy--pass-two-replicas",
            "klab lab test web-basics --complete --snapshot \(fixtures)/deploy--pass",
        ], "the author's guide's commands changed: update this walk-through to run them")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("labs"), withIntermediateDirectories: true)

        // The cluster the author records from: the web deployment scaled to two ready pods,
        // then one whose pod never becomes ready.
        let twoReplicas = root.appendingPathComponent("cluster-two-replicas")
        let failing: [String: Int32] = [
            "klab lab test web-basics --step deploy --snapshot \(fixtures)/deploy--fail-not-ready": 1,
            "klab lab test web-basics --step deploy --snapshot \(fixtures)/deploy--fail-image-typo": 1,
        ]
        for command in commands {
            var environment = ["KLAB_LABS": "labs"]
            if command.hasSuffix("deploy--pass-two-replicas"), command.hasPrefix("klab lab record") {
                let pass = try String(contentsOf: root.appendingPathComponent("\(fixtures)/deploy--pass/deployments.json"), encoding: .utf8)
                try FileManager.default.createDirectory(at: twoReplicas, withIntermediateDirectories: true)
                try pass.replacingOccurrences(of: "\"replicas\": 1", with: "\"replicas\": 2")
                    .replacingOccurrences(of: "\"readyReplicas\": 1", with: "\"readyReplicas\": 2")
                    .replacingOccurrences(of: "\"availableReplicas\": 1", with: "\"availableReplicas\": 2")
                    .write(to: twoReplicas.appendingPathComponent("deployments.json"), atomically: true, encoding: .utf8)
                environment["KLAB_STANDIN_SNAPSHOTS"] = twoReplicas.path
            } else if command.hasSuffix("deploy--fail-image-typo"), command.hasPrefix("klab lab record") {
                environment["KLAB_STANDIN_SNAPSHOTS"] = root.appendingPathComponent("\(fixtures)/deploy--fail-not-ready").path
            }
            let result = try run(command, environment)
            XCTAssertEqual(result.status, failing[command] ?? 0, "\(command): \(result.stdout)\(result.stderr)")
            if command.hasPrefix("klab lab record") {
                let verdict = command.contains("--fail-") ? "fail" : "pass"
                XCTAssertTrue(result.stdout.contains("the checks \(verdict) on this state"), "\(command): \(result.stdout)")
            }
            if command.hasPrefix("klab jsonpath") { XCTAssertEqual(result.stdout, "1") }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("content/web-basics/deploy.md").path),
                      "the prose is beside the labs folder")
    }

    /// The instructor's cost table says what the README's labs table says, lab by lab.
    func testTheCostsAreTheREADMEs() throws {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        func costs(_ text: String, columns: Int, cost: Int) -> [String: String] {
            var found: [String: String] = [:]
            for line in text.split(separator: "\n") where line.hasPrefix("| `") {
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard cells.count == columns + 2 else { continue }
                found[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[cost]
            }
            return found
        }
        let fromReadme = costs(readme, columns: 7, cost: 7)
        let fromGuide = costs(try guide("instructor.md"), columns: 2, cost: 2)
        XCTAssertFalse(fromReadme.isEmpty)
        XCTAssertEqual(fromGuide, fromReadme)
    }

    func testTheREADMELinksBothGuides() throws {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("(content/guides/instructor.md)"))
        XCTAssertTrue(readme.contains("(content/guides/author.md)"))
    }
}

extension GuideWalkthroughTests {
    /// The guides type `klab`, found on PATH: argv[0] is then only "klab", and klab must still
    /// find the labs beside itself (from any folder).
    func testKlabFoundOnPATHFindsItsLabs() throws {
        let result = try MarkdownShell.run("klab lab list --output json", in: root, path: path, environment: ["KLAB_LABS": ""])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\"health-probes\""), result.stdout)
    }
}
