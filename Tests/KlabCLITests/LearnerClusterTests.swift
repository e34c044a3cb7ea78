import Foundation
import TestSupport
import XCTest

/// The learner's commands against a live cluster, through the kubectl stand-in on PATH
/// (`Tests/Fixtures/kubectl-standin`), and on a pseudo-terminal where they ask or redraw.
final class LearnerClusterTests: XCTestCase {
    var root: URL!
    var workspace: URL { root.appendingPathComponent("ws") }
    var log: URL { root.appendingPathComponent("kubectl.log") }
    let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
    let standIn = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-live-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let start = try KlabBinary.run(["start", "health-probes", "--learner", "ada", "--workspace", workspace.path], currentDirectory: root)
        XCTAssertEqual(start.status, 0, start.stderr)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func snapshot(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// The stand-in first on PATH, answering the n-th `get` from the n-th folder.
    func cluster(_ snapshots: [String], fail: String? = nil) -> [String: String] {
        var env = ["PATH": standIn.path + ":/usr/bin:/bin", "KLAB_STANDIN_SNAPSHOTS": snapshots.joined(separator: ":"),
                   "KLAB_STANDIN_LOG": log.path]
        if let fail { env["KLAB_STANDIN_FAIL"] = fail }
        return env
    }

    func klab(_ arguments: [String], environment: [String: String], stdin: String? = nil) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments + ["--workspace", workspace.path], stdin: stdin, environment: environment, currentDirectory: root)
    }

    /// Every kubectl invocation so far.
    var calls: [[String]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String]
        }
    }

    func git(_ arguments: [String]) throws -> String {
        try GitWitness.runAllowingFailure(arguments, in: workspace).stdout
    }

    // MARK: verify against kubectl

    func testVerifyFailsThenWaitPassesWhenTheClusterChanges() throws {
        let failing = try klab(["verify"], environment: cluster([snapshot("liveness--fail-no-probe")]))
        XCTAssertEqual(failing.status, 1, failing.stdout + failing.stderr)
        XCTAssertTrue(failing.stdout.contains("✗"), failing.stdout)
        XCTAssertTrue(failing.stdout.contains("Pod default/liveness-app"), failing.stdout)
        XCTAssertTrue(calls.contains { $0.starts(with: ["get", "pods", "-n", "default", "-o", "json"]) }, "\(calls)")
        XCTAssertEqual(try git(["rev-list", "--count", "HEAD"]), "1\n", "a failed verify records nothing")

        // The first poll sees no probe, later polls see the pod as applied.
        try? FileManager.default.removeItem(at: log)
        let started = Date()
        let waited = try klab(["verify", "--wait", "30s"],
                              environment: cluster([snapshot("liveness--fail-no-probe"), snapshot("liveness--pass")]))
        XCTAssertEqual(waited.status, 0, waited.stdout + waited.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "it stops waiting as soon as the step passes")
        XCTAssertTrue(waited.stdout.contains("Step liveness done"), waited.stdout)
        XCTAssertTrue(waited.stdout.contains("Step 2 of 4"), waited.stdout)
        XCTAssertGreaterThanOrEqual(calls.filter { $0.first == "get" }.count, 2, "it polled more than once: \(calls)")
        XCTAssertTrue(try git(["log", "-1", "--format=%(trailers:only,unfold)"]).contains("Klab-Step: liveness"))
    }

    func testWaitGivesUpWithTheFailureWhenTheClusterNeverChanges() throws {
        let result = try klab(["verify", "--wait", "2s"], environment: cluster([snapshot("liveness--fail-no-probe")]))
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("✗"), result.stdout)
        XCTAssertGreaterThanOrEqual(calls.filter { $0.first == "get" }.count, 2, "\(calls)")
    }

    func testKubectlFailuresAreOneLineAndExit3() throws {
        let cases: [(String, [String: String], String)] = [
            ("unreachable", cluster([snapshot("liveness--pass")], fail: "unreachable"), "127.0.0.1:6443"),
            ("forbidden", cluster([snapshot("liveness--pass")], fail: "forbidden"), "forbidden"),
            ("timeout", cluster([snapshot("liveness--pass")], fail: "timeout"), "tim"),
            ("not installed", ["PATH": root.path], "kubectl is not installed"),
        ]
        for (name, environment, words) in cases {
            let result = try klab(["verify"], environment: environment)
            XCTAssertEqual(result.status, 3, "\(name): \(result.stdout)\(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.lowercased().contains(words.lowercased()), "\(name): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("memcache.go"), "\(name): kubectl's noise is not passed on")
            XCTAssertEqual(result.stdout, "", name)
        }
        XCTAssertEqual(try git(["rev-list", "--count", "HEAD"]), "1\n")
    }

    func testKubeconfigAndContextArePassedToKubectl() throws {
        let result = try klab(["verify", "--kubeconfig", "/tmp/class.kubeconfig", "--context", "eks-class"],
                              environment: cluster([snapshot("liveness--pass")]))
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertFalse(calls.isEmpty)
        for call in calls {
            XCTAssertTrue(call.contains("--context=eks-class"), "\(call)")
            XCTAssertTrue(call.contains("--kubeconfig=/tmp/class.kubeconfig"), "\(call)")
        }
    }

    // MARK: reset --cluster

    func cleanup() -> [String: String] {
        cluster([standIn.appendingPathComponent("cleanup").path])
    }

    var deletes: [[String]] { calls.filter { $0.first == "delete" } }

    func testResetClusterShowsThePlanAndDeletesOnlyTheLabsObjectsOneByOne() throws {
        let result = try klab(["reset", "--cluster", "--yes"], environment: cleanup())
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("klab.dev/lab=health-probes,klab.dev/learner=ada"), result.stderr)
        XCTAssertTrue(result.stderr.contains("  Pod default/liveness-app\n"), result.stderr)
        XCTAssertTrue(result.stderr.contains("  Deployment default/readiness-deployment\n"), result.stderr)
        for kept in ["bobs-liveness-app", "only-learner-label", "other-lab", "unlabelled", "elsewhere", "kept-deployment"] {
            XCTAssertFalse(result.stderr.contains(kept), "\(kept) is not the lab's: \(result.stderr)")
        }
        XCTAssertEqual(deletes.map { Array($0.prefix(5)) }, [
            ["delete", "pods", "liveness-app", "--namespace", "default"],
            ["delete", "deployments.v1.apps", "readiness-deployment", "--namespace", "default"],
        ])
        XCTAssertTrue(calls.filter { $0.first == "get" }.allSatisfy { $0.contains("default") }, "only the lab's namespace is listed: \(calls)")
        XCTAssertTrue(result.stdout.contains("is back at the start of step 1"), result.stdout)
    }

    func testResetClusterWithoutATerminalOrYesRefusesAndResetsNothing() throws {
        let manifest = workspace.appendingPathComponent("health-probes/liveness-app.yaml")
        try "edited\n".write(to: manifest, atomically: true, encoding: .utf8)
        let result = try klab(["reset", "--cluster"], environment: cleanup())
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("refusing to delete without a terminal to ask on; add --yes to delete the objects listed above\n"), result.stderr)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(deletes, [])
        XCTAssertEqual(try String(contentsOf: manifest, encoding: .utf8), "edited\n", "nothing reset")
        XCTAssertEqual(try git(["for-each-ref", "refs/klab/backups"]), "")
    }

    func terminal(_ steps: [[String: Any]], _ arguments: [String], environment: [String: String]) throws -> KlabBinary.Result {
        try KlabBinary.runInTerminal(arguments + ["--workspace", workspace.path], script: steps, environment: environment, currentDirectory: root)
    }

    func testAnsweringNoAtThePromptDeletesNothing() throws {
        let result = try terminal([["expect": "Delete them? [y/N] ", "send": "n\r"]], ["reset", "--cluster"], environment: cleanup())
        XCTAssertEqual(result.status, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("nothing deleted and nothing reset"), result.stdout)
        XCTAssertEqual(deletes, [])
        XCTAssertEqual(try git(["for-each-ref", "refs/klab/backups"]), "")
    }

    func testAnsweringYesAtThePromptDeletes() throws {
        let result = try terminal([["expect": "Delete them? [y/N] ", "send": "y\r"]], ["reset", "--cluster"], environment: cleanup())
        XCTAssertEqual(result.status, 0, result.stdout)
        XCTAssertEqual(deletes.count, 2, "\(calls)")
        XCTAssertTrue(result.stdout.contains("deleted Pod default/liveness-app"), result.stdout)
    }

    // MARK: verify --watch on a terminal

    /// A snapshot folder the test can swap under a running klab (a symlink renamed over).
    func swap(to name: String) -> String {
        let link = root.appendingPathComponent("snap").path
        return "ln -sfn \(snapshot(name)) \(link).new && mv -T \(link).new \(link)"
    }

    func testWatchRedrawsMovesOnByItselfAndFinishesTheLab() throws {
        let link = root.appendingPathComponent("snap")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: snapshot("liveness--fail-no-probe"))
        let result = try terminal([
            ["expect": "Watching: re-checking every 2 s", "shell": swap(to: "liveness--pass")],
            ["expect": "✓ Step liveness passed"],
            ["expect": "Watching: re-checking every 2 s", "shell": swap(to: "fail-liveness--pass")],
            ["expect": "✓ Step fail-liveness passed"],
            ["expect": "Watching: re-checking every 2 s", "shell": swap(to: "readiness--pass")],
            ["expect": "✓ Step readiness passed"],
            ["expect": "Watching: re-checking every 2 s", "shell": swap(to: "fail-readiness--pass")],
            ["expect": "health-probes complete"],
        ], ["verify", "--watch", "--snapshot", link.path], environment: [:])
        XCTAssertEqual(result.status, 0, result.stdout)
        let clears = result.stdout.components(separatedBy: "\u{1B}[H\u{1B}[2J").count - 1
        XCTAssertGreaterThanOrEqual(clears, 8, "each round redraws the screen in place")
        let passes = try git(["log", "--format=%(trailers:key=Klab-Event,valueonly)"]).split(separator: "\n").filter { $0 == "pass" }
        XCTAssertEqual(passes.count, 4)
        XCTAssertEqual(try KlabBinary.run(["status", "--workspace", workspace.path]).status, 0)
    }

    /// `klab hint` in a second terminal while `klab verify --watch` runs in the first (issue 9):
    /// the watch holds the workspace lock only while it records a pass.
    func testHintWorksWhileWatchRunsInAnotherTerminal() throws {
        let out = root.appendingPathComponent("hint.out")
        let hint = "'\(KlabBinary.url.path)' hint --workspace '\(workspace.path)' > '\(out.path)' 2>&1; echo \"exit $?\" >> '\(out.path)'"
        let result = try terminal([
            ["expect": "Watching: re-checking every 2 s", "shell": hint],
            ["expect": "Watching: re-checking every 2 s", "send": "\u{03}"],
            ["expect": "Stopped watching."],
        ], ["verify", "--watch", "--snapshot", snapshot("liveness--fail-no-probe")], environment: [:])
        XCTAssertEqual(result.status, 0, result.stdout)
        let hinted = try String(contentsOf: out, encoding: .utf8)
        XCTAssertTrue(hinted.hasPrefix("Hint 1 of "), hinted)
        XCTAssertTrue(hinted.hasSuffix("exit 0\n"), hinted)
        let events = try git(["log", "--format=%(trailers:key=Klab-Event,valueonly)"]).split(separator: "\n")
        XCTAssertEqual(events.first, "hint", "the hint is recorded while the watch goes on")
    }

    func testCtrlCLeavesWatchCleanlyWithExit0AndNoLock() throws {
        let result = try terminal([
            ["expect": "Watching: re-checking every 2 s", "send": "\u{03}"],
            ["expect": "Stopped watching."],
        ], ["verify", "--watch", "--snapshot", snapshot("liveness--fail-no-probe")], environment: [:])
        XCTAssertEqual(result.status, 0, result.stdout)
        XCTAssertFalse(result.stdout.contains("Error"), result.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.appendingPathComponent(".git/index.lock").path))
        // The next klab does not wait for a lock.
        let started = Date()
        let status = try KlabBinary.run(["status", "--workspace", workspace.path])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }

    func testCtrlCWhileKubectlRunsAlsoLeavesCleanly() throws {
        var environment = cluster([snapshot("liveness--fail-no-probe")])
        environment["KLAB_STANDIN_SLEEP"] = "1.5"
        // Rounds are 2 s apart and kubectl answers after 1.5 s: 2.3 s after the first round
        // the second one is inside kubectl, which the terminal interrupts too.
        let interrupted = try terminal([
            ["expect": "Watching: re-checking every 2 s", "shell": "sleep 2.3"],
            ["expect": "", "send": "\u{03}"],
            ["expect": "Stopped watching."],
        ], ["verify", "--watch"], environment: environment)
        XCTAssertEqual(interrupted.status, 0, interrupted.stdout)
        let afterCtrlC = interrupted.stdout.components(separatedBy: "^C").last ?? ""
        XCTAssertEqual(afterCtrlC.trimmingCharacters(in: .whitespacesAndNewlines),
                       "Stopped watching. Your progress is saved; `klab status` shows it.",
                       "no error and no redraw once the learner pressed Ctrl-C: \(interrupted.stdout)")
    }
}
