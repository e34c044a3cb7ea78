import Foundation
import TestSupport
import XCTest

/// Every command that renders or checks a lab reads `-n`, `--set`, `--learner` and the
/// started lab by one rule (`LabInvocation`): `start` and `lab render` given the same flags
/// write the same manifests, and `lab test`, `grade` and `verify` honour `-n` or refuse it.
final class LabInvocationCommandTests: XCTestCase {
    var root: URL!
    let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
    let standin = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-invocation-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func klab(_ arguments: [String], environment: [String: String] = [:]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments, environment: environment, currentDirectory: root)
    }

    /// The manifest `start` wrote, and the same file's documents as `lab render` prints them.
    func startAndRender(_ flags: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (started: String, rendered: String) {
        let workspace = root.appendingPathComponent("ws-\(UUID().uuidString.prefix(6))").path
        let start = try klab(["start", "health-probes", "--workspace", workspace] + flags)
        XCTAssertEqual(start.status, 0, start.stderr, file: file, line: line)
        let render = try klab(["lab", "render", "health-probes", "--step", "readiness"] + flags)
        XCTAssertEqual(render.status, 0, render.stderr, file: file, line: line)
        let started = try String(contentsOfFile: workspace + "/health-probes/readiness-deployment.yaml", encoding: .utf8)
        var documents: [String] = []
        for chunk in render.stdout.components(separatedBy: "---\n") {
            let source = "# Source: manifests/readiness-deployment.yaml\n"
            if chunk.hasPrefix(source) { documents.append(String(chunk.dropFirst(source.count))) }
        }
        return (started, documents.joined(separator: "---\n"))
    }

    func testStartAndRenderAgreeWhateverTheFlags() throws {
        let cases: [([String], namespace: String, learner: String)] = [
            ([], "default", "ada"),
            (["-n", "team-a"], "team-a", "ada"),
            (["--set", "namespace=team-b"], "team-b", "ada"),
            (["-n", "team-c", "--set", "namespace=team-c", "--set", "replicas=5"], "team-c", "ada"),
            (["--set", "learner=ada"], "default", "ada"),
        ]
        for (flags, namespace, learner) in cases {
            let both = try startAndRender(flags + (flags.contains("learner=ada") ? [] : ["--learner", "ada"]))
            XCTAssertEqual(both.started, both.rendered, "\(flags)")
            XCTAssertTrue(both.started.contains("namespace: \"\(namespace)\""), "\(flags): \(both.started)")
            XCTAssertTrue(both.started.contains("klab.dev/learner: \(learner)"), "\(flags): \(both.started)")
        }
        // KLAB_LEARNER is the learner for both when no flag names one.
        let workspace = root.appendingPathComponent("ws-env").path
        XCTAssertEqual(try klab(["start", "health-probes", "--workspace", workspace], environment: ["KLAB_LEARNER": "grace"]).status, 0)
        let rendered = try klab(["lab", "render", "health-probes", "--step", "liveness"], environment: ["KLAB_LEARNER": "grace"])
        XCTAssertTrue(rendered.stdout.contains("klab.dev/learner: grace"), rendered.stdout)
    }

    /// `-n` and `--set namespace=` naming two namespaces: start let `-n` win and render the
    /// other; both now refuse, with the same words, and start writes nothing.
    func testTwoNamespacesAreRefusedByBoth() throws {
        let workspace = root.appendingPathComponent("ws").path
        let flags = ["-n", "team-a", "--set", "namespace=team-b"]
        let start = try klab(["start", "health-probes", "--learner", "ada", "--workspace", workspace] + flags)
        let render = try klab(["lab", "render", "health-probes"] + flags)
        for result in [start, render] {
            XCTAssertEqual(result.status, 2, result.stderr)
            XCTAssertEqual(result.stderr, "klab: -n/--namespace team-a and --set namespace=team-b give the namespace two values; give it once\n")
            XCTAssertEqual(result.stdout, "")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace), "nothing written")
    }

    /// `lab test -n` reads the lab's objects in that namespace (the snapshot's are in default).
    func testLabTestHonoursTheNamespace() throws {
        let complete = fixtures.appendingPathComponent("complete").path
        let here = try klab(["lab", "test", "health-probes", "--snapshot", complete, "-n", "default", "--output", "json"])
        XCTAssertEqual(here.status, 0, here.stdout + here.stderr)
        let elsewhere = try klab(["lab", "test", "health-probes", "--snapshot", complete, "-n", "team-a"])
        XCTAssertEqual(elsewhere.status, 1, elsewhere.stdout + elsewhere.stderr)
        XCTAssertTrue(elsewhere.stdout.contains("team-a"), elsewhere.stdout)
        let set = try klab(["lab", "test", "health-probes", "--snapshot", complete, "--set", "namespace=team-a"])
        XCTAssertEqual(set.stdout, elsewhere.stdout, "-n is --set namespace=")
    }

    /// Live, `-n` is the namespace of learners the roster gives none; offline it is refused,
    /// since each workspace's own namespace is graded.
    func testGradeHonoursTheNamespaceLiveAndRefusesItOffline() throws {
        let roster = root.appendingPathComponent("roster.csv")
        try Data("learner,namespace\nada,\ngrace,team-b\n".utf8).write(to: roster)
        let environment = [
            "PATH": standin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "KLAB_STANDIN_SNAPSHOTS": fixtures.appendingPathComponent("complete").path,
            "KLAB_STANDIN_LOG": root.appendingPathComponent("kubectl.log").path,
        ]
        let live = try klab(["grade", "--live", roster.path, "--lab", "health-probes", "--format", "json", "-n", "default"], environment: environment)
        XCTAssertEqual(live.status, 0, live.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [String: Any]
        let learners = json?["learners"] as? [[String: Any]] ?? []
        XCTAssertEqual(learners.map { $0["learner"] as? String }, ["ada", "grace"])
        XCTAssertEqual(learners.map { $0["points"] as? Int }, [4, 0], "ada graded in -n's namespace, grace in the roster's")

        let offline = try klab(["grade", roster.path, "-n", "default"])
        XCTAssertEqual(offline.status, 2, offline.stderr)
        XCTAssertTrue(offline.stderr.contains("-n/--namespace is for --live grading"), offline.stderr)
    }

    /// `--jobs` is how many hand-ins are read at once, offline: out of range, or with --live,
    /// it is refused on one line before anything is read.
    func testGradeJobsIsCheckedBeforeAnythingIsRead() throws {
        for (arguments, line) in [
            (["--jobs", "0"], "klab: --jobs is how many hand-ins are read at once: give 1 to 256, not 0"),
            (["--jobs", "257"], "klab: --jobs is how many hand-ins are read at once: give 1 to 256, not 257"),
            (["--jobs", "2", "--live"], "klab: --jobs is for offline grading; --live grades the learners one after another"),
        ] {
            let result = try klab(["grade", root.appendingPathComponent("nowhere").path] + arguments)
            XCTAssertEqual(result.status, 2, result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), line)
            XCTAssertEqual(result.stdout, "")
        }
    }

    /// A started lab keeps its namespace: `verify -n` naming it works, naming another is
    /// refused (the checks would read where the manifests did not go) and says how to move.
    func testVerifyRefusesAnotherNamespaceThanTheStartedOne() throws {
        let workspace = root.appendingPathComponent("ws").path
        XCTAssertEqual(try klab(["start", "health-probes", "--learner", "ada", "--workspace", workspace]).status, 0)
        let pass = fixtures.appendingPathComponent("liveness--pass").path
        let other = try klab(["verify", "--workspace", workspace, "--snapshot", pass, "-n", "team-a"])
        XCTAssertEqual(other.status, 2, other.stderr)
        XCTAssertTrue(other.stderr.hasPrefix("klab: lab health-probes was started with namespace default, not team-a"), other.stderr)
        XCTAssertTrue(other.stderr.contains("klab start health-probes -n team-a"), other.stderr)
        let same = try klab(["verify", "--workspace", workspace, "--snapshot", pass, "-n", "default"])
        XCTAssertEqual(same.status, 0, same.stdout + same.stderr)
    }
}
