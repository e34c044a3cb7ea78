import Foundation
import TestSupport
import XCTest

/// A learner through health-probes with the built binary, the git CLI as witness.
final class LearnerFlowTests: XCTestCase {
    var root: URL!
    var workspace: URL { root.appendingPathComponent("ws") }
    let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-flow-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func klab(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments + ["--workspace", workspace.path], currentDirectory: root)
    }

    func git(_ arguments: [String]) throws -> String {
        let result = try GitWitness.runAllowingFailure(arguments, in: workspace)
        XCTAssertEqual(result.status, 0, "git \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    func snapshot(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    func testStartVerifyHintResetUndo() throws {
        let start = try klab(["start", "health-probes", "--learner", "ada"])
        XCTAssertEqual(start.status, 0, start.stderr)
        XCTAssertTrue(start.stdout.contains("Step 1 of 4: Run a pod with a liveness probe"), start.stdout)
        XCTAssertTrue(start.stdout.contains("kubectl apply -f liveness-app.yaml"), start.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("health-probes/liveness-app.yaml").path))
        let rendered = try String(contentsOf: workspace.appendingPathComponent("health-probes/liveness-app.yaml"), encoding: .utf8)
        XCTAssertTrue(rendered.contains("klab.dev/learner: ada"), rendered)

        // The pod was applied without its probe: verify fails and says where.
        let failing = try klab(["verify", "--snapshot", snapshot("liveness--fail-no-probe")])
        XCTAssertEqual(failing.status, 1, failing.stderr)
        XCTAssertTrue(failing.stdout.contains("✗"), failing.stdout)
        XCTAssertTrue(failing.stdout.contains("Pod default/liveness-app"), failing.stdout)
        XCTAssertEqual(try git(["rev-list", "--count", "HEAD"]), "1\n", "a failed verify records nothing")

        // The cluster changes; verify passes, records evidence and moves on.
        let passing = try klab(["verify", "--snapshot", snapshot("liveness--pass")])
        XCTAssertEqual(passing.status, 0, passing.stdout + passing.stderr)
        XCTAssertTrue(passing.stdout.contains("Step 2 of 4"), passing.stdout)
        let trailers = try git(["log", "-1", "--format=%(trailers:only,unfold)"])
        XCTAssertTrue(trailers.contains("Klab-Event: pass"), trailers)
        XCTAssertTrue(trailers.contains("Klab-Step: liveness"), trailers)
        XCTAssertTrue(trailers.contains("Klab-Evidence: sha256:"), trailers)
        XCTAssertTrue(try git(["ls-tree", "-r", "--name-only", "HEAD"]).contains(".klab/evidence/health-probes/liveness/results.json"))

        let status = try klab(["status", "--output", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let lab = (json?["labs"] as? [[String: Any]])?.first
        XCTAssertEqual(lab?["stepsDone"] as? Int, 1)
        XCTAssertEqual(lab?["currentStep"] as? String, "fail-liveness")

        let hint = try klab(["hint"])
        XCTAssertEqual(hint.status, 0, hint.stderr)
        XCTAssertTrue(hint.stdout.hasPrefix("Hint 1 of"), hint.stdout)
        XCTAssertTrue(try git(["log", "-1", "--format=%(trailers:only,unfold)"]).contains("Klab-Hint: 1"))
        XCTAssertTrue(try klab(["hint"]).stdout.hasPrefix("Hint 2 of"))

        // The learner edits a manifest by hand, then resets the whole lab.
        let manifest = workspace.appendingPathComponent("health-probes/liveness-app.yaml")
        try (rendered + "# my own note\n").write(to: manifest, atomically: true, encoding: .utf8)
        let reset = try klab(["reset", "--lab"])
        XCTAssertEqual(reset.status, 0, reset.stderr)
        XCTAssertTrue(reset.stdout.contains("refs/klab/backups/1"), reset.stdout)
        XCTAssertEqual(try String(contentsOf: manifest, encoding: .utf8), rendered)
        XCTAssertTrue(try git(["show", "refs/klab/backups/1:health-probes/liveness-app.yaml"]).contains("# my own note"))
        let afterReset = try klab(["status", "--output", "json"])
        XCTAssertTrue(afterReset.stdout.contains("\"stepsDone\" : 0") || afterReset.stdout.contains("\"stepsDone\": 0"), afterReset.stdout)

        let undo = try klab(["reset", "--undo"])
        XCTAssertEqual(undo.status, 0, undo.stderr)
        XCTAssertEqual(try String(contentsOf: manifest, encoding: .utf8), rendered + "# my own note\n")
        XCTAssertTrue(try klab(["status"]).stdout.contains("1/4 steps"))
        _ = try git(["fsck", "--strict"])
    }

    /// `klab start` notes the prerequisites not done, reading only them: a lab of the folder
    /// that does not load has no say (it once made every prerequisite look not done).
    func testStartNotesOnlyPrerequisitesNotDone() throws {
        let labs = root.appendingPathComponent("labs")
        for id in ["base", "next"] {
            let made = try KlabBinary.run(["lab", "new", id, "--labs", labs.path], currentDirectory: root)
            XCTAssertEqual(made.status, 0, made.stderr)
        }
        let next = labs.appendingPathComponent("next/lab.yaml")
        let text = try String(contentsOf: next, encoding: .utf8)
        try text.replacingOccurrences(of: "scope: namespace\n", with: "scope: namespace\nprerequisites: [base, elsewhere]\n")
            .write(to: next, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: labs.appendingPathComponent("broken"), withIntermediateDirectories: true)
        try "format: 1\nid: broken\n".write(to: labs.appendingPathComponent("broken/lab.yaml"), atomically: true, encoding: .utf8)

        XCTAssertEqual(try klab(["start", "base", "--labs", labs.path, "--learner", "ada"]).status, 0)
        let passed = try klab(["verify", "--labs", labs.path, "--snapshot", labs.appendingPathComponent("base/fixtures/deploy--pass").path])
        XCTAssertEqual(passed.status, 0, passed.stdout + passed.stderr)
        let started = try klab(["start", "next", "--labs", labs.path])
        XCTAssertEqual(started.status, 0, started.stderr)
        XCTAssertTrue(started.stdout.contains("this lab builds on elsewhere, which is not done"), started.stdout)
        XCTAssertFalse(started.stdout.contains("builds on base"), started.stdout)
    }

    func testVerifyOutsideAWorkspaceIsAWorkspaceProblem() throws {
        let result = try klab(["verify", "--snapshot", snapshot("liveness--pass")])
        XCTAssertEqual(result.status, 4)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("klab start"), result.stderr)
    }

    func testSecondKlabWaitsThenExits4WhileTheLockIsHeld() throws {
        XCTAssertEqual(try klab(["start", "health-probes", "--learner", "ada"]).status, 0)
        // Hold the lock the way a running klab does (flock), from another process.
        let holder = try TestProcess.start("/usr/bin/flock", [workspace.appendingPathComponent(".git/klab.lock").path, "sleep", "5"])
        defer { holder.stop(); holder.wait() }
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        let blocked = try klab(["verify", "--snapshot", snapshot("liveness--pass")])
        XCTAssertEqual(blocked.status, 4, blocked.stdout + blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("another klab is working in this workspace"), blocked.stderr)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 1, "it waits briefly before giving up")
    }

    func testTwoConcurrentVerifiesRecordTheStepOnce() throws {
        XCTAssertEqual(try klab(["start", "health-probes", "--learner", "ada"]).status, 0)
        let group = DispatchGroup()
        let gathered = Gathered<Int32>()
        let arguments = ["verify", "--snapshot", snapshot("liveness--pass"), "--workspace", workspace.path]
        let root = root!
        for _ in 0..<2 {
            group.enter()
            DispatchQueue.global().async {
                let result = try? KlabBinary.run(arguments, currentDirectory: root)
                gathered.append(result?.status ?? -1)
                group.leave()
            }
        }
        group.wait()
        let statuses = gathered.values
        // One verifies liveness (0); the other either gave up on the lock (4) or waited and
        // then verified the next step, which this snapshot does not satisfy (1).
        XCTAssertEqual(statuses.filter { $0 == 0 }.count, 1, "\(statuses)")
        XCTAssertTrue(statuses.allSatisfy { [0, 1, 4].contains($0) }, "\(statuses)")
        let passes = try git(["log", "--format=%(trailers:key=Klab-Event,valueonly)"]).split(separator: "\n").filter { $0 == "pass" }
        // Whoever came second either waited and verified the next step (which fails on this
        // snapshot, recording nothing) or gave up: liveness is recorded exactly once.
        XCTAssertEqual(passes.count, 1)
        _ = try git(["fsck", "--strict"])
    }
}
