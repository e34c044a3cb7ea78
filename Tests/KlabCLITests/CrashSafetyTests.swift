import Foundation
import LabGit
import LabSpec
import TestSupport
import Workspace
import XCTest

/// klab stopped abruptly in the middle of its work loses nothing. Deterministically: every
/// crash point (`CrashPoint`: after each object write, before and after each ref update, after
/// each file written into or removed from the working folder, before the lock is released)
/// that each operation passes is listed (`KLAB_CRASH_LIST`), then the operation is run again
/// from the same state once per point, stopping there (`KLAB_CRASH_AT`). After each crash:
/// `git fsck --strict` is clean, progress matches HEAD, every learner edit is in the working
/// folder or in a commit a ref keeps, and the next klab command works. And at random: klab
/// killed with SIGKILL at random moments, with the same checks and no verdict on timing.
final class CrashSafetyTests: XCTestCase {
    var root: URL!
    let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-crash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func snapshot(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// A workspace state to crash from, the learner's edits made to reach it, and the
    /// operation to crash.
    struct Scenario: @unchecked Sendable {
        var name: String
        var setup: (LearnerSession) throws -> Void
        var operation: [String]
        /// The exit statuses a run that is not stopped may have: a verify run again after the
        /// step was recorded checks the next step, which the same snapshot fails (1).
        var statuses: Set<Int32> = [0]
        /// The workspace does not exist before the operation.
        var createsWorkspace = false
        /// After the operation is run again, `klab reset` must work too: the operation moves
        /// a step's start ref, which reset needs.
        var resetAfter = false
    }

    var scenarios: [Scenario] {
        let pass = { (step: String) in ["verify", "--snapshot", self.snapshot("\(step)--pass")] }
        func started(_ session: LearnerSession) throws {
            try session.klab(["start", "health-probes", "--learner", "ada"])
            try session.edit("health-probes/notes.txt", "my notes\n")
        }
        func twoStepsDone(_ session: LearnerSession) throws {
            try started(session)
            try session.klab(pass("liveness"))
            try session.appendToManifest("# tuned the probe\n")
            try session.klab(pass("fail-liveness"))
            try session.edit("health-probes/scratch/try.yaml", "kind: Pod\n")
        }
        func afterAReset(_ session: LearnerSession) throws {
            try twoStepsDone(session)
            try session.edit("health-probes/a.txt", "A\n")
            try session.klab(["reset", "--lab"])
            try session.edit("health-probes/b.txt", "B\n")
            try session.appendToManifest("# my change after the reset\n")
        }
        return [
            Scenario(name: "start (new workspace)", setup: { _ in }, operation: ["start", "health-probes", "--learner", "ada"],
                     createsWorkspace: true, resetAfter: true),
            Scenario(name: "start (over a started lab)", setup: twoStepsDone, operation: ["start", "health-probes"], resetAfter: true),
            Scenario(name: "verify pass", setup: started, operation: pass("liveness"), statuses: [0, 1], resetAfter: true),
            Scenario(name: "hint", setup: started, operation: ["hint"]),
            Scenario(name: "reset", setup: twoStepsDone, operation: ["reset"]),
            Scenario(name: "reset --step", setup: twoStepsDone, operation: ["reset", "--step", "liveness"]),
            Scenario(name: "reset --lab", setup: twoStepsDone, operation: ["reset", "--lab"]),
            // An undo of an undo runs the same code: its points are these.
            Scenario(name: "reset --undo", setup: afterAReset, operation: ["reset", "--undo"]),
            Scenario(name: "reset --restore", setup: afterAReset, operation: ["reset", "--restore", "1"]),
        ]
    }

    func testEveryCrashPointOfEveryOperationLosesNothing() throws {
        var reached = Set<String>()
        var crashes = 0
        for scenario in scenarios {
            let template = LearnerSession(workspace: root.appendingPathComponent("template-\(crashes)"))
            try scenario.setup(template)

            // The points this operation passes, from a run that is not stopped.
            let listing = try template.copy(to: root.appendingPathComponent("listing"))
            let listFile = root.appendingPathComponent("points.txt")
            try? FileManager.default.removeItem(at: listFile)
            let clean = try listing.run(scenario.operation, environment: ["KLAB_CRASH_LIST": listFile.path])
            XCTAssertEqual(clean.status, 0, "\(scenario.name): \(clean.stderr)")
            let points = try String(contentsOf: listFile, encoding: .utf8).split(separator: "\n").map { line in
                (id: String(line.split(separator: " ", maxSplits: 1)[0]), line: String(line))
            }
            XCTAssertFalse(points.isEmpty, "\(scenario.name) passes no crash point")
            print("\(scenario.name): \(points.count) crash points")
            try FileManager.default.removeItem(at: listing.workspace)

            for point in points { reached.insert(String(point.id.split(separator: "#")[0])) }
            // Each point from its own copy of the template; a few at a time (processes, mostly waiting).
            let folder: URL = root
            let found = concurrently(points.count, workers: 3) { index, worker in
                do {
                    return try Self.crash(scenario, at: points[index], from: template, in: folder.appendingPathComponent("crash-\(worker)"))
                } catch {
                    return ["\(scenario.name), \(points[index].line): \(error)"]
                }
            }
            crashes += points.count
            for problem in found.joined() { XCTFail(problem) }
            try? FileManager.default.removeItem(at: template.workspace)
        }
        // Every point klab has is passed by some operation, so every one was crashed at.
        XCTAssertEqual(reached, Set(CrashPoint.allCases.map(\.rawValue)), "crash points no operation reaches")
        XCTAssertGreaterThan(crashes, 100, "the operations pass fewer points than expected")
    }

    /// Runs the scenario's operation from a copy of `template`, stopped at `point`; then the
    /// checks, the same operation to its end (the next command works), a reset to the current
    /// step (which needs the step's start ref), and the checks again.
    static func crash(_ scenario: Scenario, at point: (id: String, line: String), from template: LearnerSession, in folder: URL) throws -> [String] {
        let session = try template.copy(to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let what = "\(scenario.name), crashed at \(point.line)"
        let crashed = try session.run(scenario.operation, environment: ["KLAB_CRASH_AT": point.id])
        guard crashed.status == CrashPoint.exitStatus else {
            return ["\(what): it did not stop there (exit \(crashed.status)): \(crashed.stderr)"]
        }
        var problems = try session.problems(what, createsWorkspace: scenario.createsWorkspace)
        let again = try session.run(scenario.operation)
        if !scenario.statuses.contains(again.status) { problems.append("\(what): the next run failed (\(again.status)): \(again.stderr)") }
        if scenario.resetAfter {
            let reset = try session.run(["reset"])
            if reset.status != 0 { problems.append("\(what): reset after it failed: \(reset.stderr)") }
        }
        return problems + (try session.lostEdits("\(what), then run again"))
    }

    /// klab killed with SIGKILL at random moments of random operations. How many runs were
    /// actually killed depends on the machine and is not a criterion; what every round must
    /// leave is.
    func testRandomKillsLoseNothing() throws {
        let session = LearnerSession(workspace: root.appendingPathComponent("ws"))
        try session.klab(["start", "health-probes", "--learner", "ada"])
        let operations: [[String]] = [
            ["verify", "--snapshot", snapshot("liveness--pass")],
            ["verify", "--snapshot", snapshot("fail-liveness--pass")],
            ["reset", "--lab"], ["reset"], ["start", "health-probes"], ["hint"], ["reset", "--undo"], ["reset", "--undo"],
            ["reset", "--restore", "1"],
        ]
        var random = SeededGenerator(seed: 8)
        for round in 0..<40 {
            try session.edit("health-probes/note-\(round).txt", "edit \(round)\n")
            if round % 3 == 0 { try session.appendToManifest("# round \(round)\n") }
            let operation = operations[Int(random.next() % UInt64(operations.count))]
            let klab = try TestProcess.start(KlabBinary.url.path, operation + ["--workspace", session.workspace.path])
            usleep(UInt32(random.next() % 150_000))
            klab.stop(SIGKILL)
            klab.wait()
            try session.assertSound("round \(round) \(operation)", createsWorkspace: false)
        }
    }

    static func git(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let result = try GitWitness.runAllowingFailure(arguments, in: directory)
        return (result.status, result.stdout + result.stderr)
    }
}

/// A learner working in one workspace through the built binary, remembering every edit they
/// made, with the checks that nothing of it is lost.
final class LearnerSession: @unchecked Sendable {
    let workspace: URL
    /// Every file content the learner wrote, by path.
    private(set) var edits: [(path: String, contents: String)] = []

    init(workspace: URL) { self.workspace = workspace }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments + ["--workspace", workspace.path], environment: environment)
    }

    /// Runs klab and requires it to succeed (set-up steps).
    func klab(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(arguments)
        XCTAssertEqual(result.status, 0, "klab \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
    }

    /// Writes a file. Contents of that path which the folder holds but no ref keeps are
    /// the learner's own to overwrite: they are no longer expected anywhere.
    func edit(_ path: String, _ contents: String) throws {
        let url = workspace.appendingPathComponent(path)
        if let current = FileManager.default.contents(atPath: url.path), edits.contains(where: { $0.path == path && Data($0.contents.utf8) == current }),
           FileManager.default.fileExists(atPath: workspace.appendingPathComponent(".git").path) {
            var kept = try KeptObjects(workspace: workspace)
            if !(try kept.contains(current)) { edits.removeAll { $0.path == path && Data($0.contents.utf8) == current } }
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
        edits.append((path, contents))
    }

    func appendToManifest(_ line: String) throws {
        let path = "health-probes/liveness-app.yaml"
        let current = FileManager.default.contents(atPath: workspace.appendingPathComponent(path).path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        try edit(path, current + line)
    }

    /// The same workspace and edits, in another folder.
    func copy(to url: URL) throws -> LearnerSession {
        try? FileManager.default.removeItem(at: url)
        if FileManager.default.fileExists(atPath: workspace.path) {
            try FileManager.default.copyItem(at: workspace, to: url)
        }
        let copy = LearnerSession(workspace: url)
        copy.edits = edits
        return copy
    }

    /// git fsck is clean, klab reads a progress whose passed steps have their evidence in
    /// HEAD, and every edit is in the folder or in an object some ref keeps.
    func assertSound(_ what: String, createsWorkspace: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        for problem in try problems(what, createsWorkspace: createsWorkspace) { XCTFail(problem, file: file, line: line) }
    }

    /// What `assertSound` finds wrong, as sentences (safe to call from any thread). `git
    /// fsck` is the independent witness of the repository; the rest is read in process
    /// (libgit2, and the workspace as every klab command opens it), which costs no process.
    func problems(_ what: String, createsWorkspace: Bool) throws -> [String] {
        guard FileManager.default.fileExists(atPath: workspace.appendingPathComponent(".git").path) else {
            return createsWorkspace ? [] : ["\(what): the workspace's repository is gone"]
        }
        var problems: [String] = []
        let fsck = try CrashSafetyTests.git(["fsck", "--strict", "--no-dangling"], in: workspace)
        if fsck.status != 0 { problems.append("\(what): git fsck: \(fsck.output)") }
        do {
            problems += try progressProblems(progress(), what: what)
        } catch let error as WorkspaceError where createsWorkspace && error == .notAWorkspace(path: workspace.path) {
            // Stopped before the workspace was complete: klab says to start a lab.
            if try Repository.open(at: workspace).headCommitID() != nil {
                problems.append("\(what): a workspace with commits is refused")
            }
        } catch {
            problems.append("\(what): the workspace does not open as klab opens it: \(error)")
        }
        return problems + (try lostEdits(what))
    }

    /// Each lab's progress as klab reads it: the workspace opened as every klab command opens
    /// it (lock, leftovers cleared, history checked), replayed, and closed again.
    func progress() throws -> [String: LabProgress] {
        try LearnerWorkspace.open(at: workspace).progress(stepOrder: Self.stepOrder)
    }

    /// The steps of the lab the sessions work in, in order (for replaying resets).
    static let stepOrder: [String: [String]] = {
        let loader = LabLoader(labsDirectory: KlabBinary.repositoryRoot.appendingPathComponent("labs"))
        return ["health-probes": ((try? loader.load("health-probes"))?.steps.map(\.id)) ?? []]
    }()

    /// Every step klab counts as passed has its evidence in the commit HEAD is on.
    func progressProblems(_ progress: [String: LabProgress], what: String) throws -> [String] {
        let repository = try Repository.open(at: workspace)
        let tree = try repository.headCommitID().map { Set(try repository.treeEntries(of: $0).map(\.path)) } ?? []
        var problems: [String] = []
        for (lab, labProgress) in progress {
            for step in labProgress.passed.map(\.step) where !tree.contains(".klab/evidence/\(lab)/\(step)/results.json") {
                problems.append("\(what): \(step) counted as passed without its evidence in HEAD")
            }
        }
        return problems
    }

    /// Each edit's contents are at its path in the folder, or a blob some ref reaches.
    func lostEdits(_ what: String) throws -> [String] {
        var kept: KeptObjects?
        var lost: [String] = []
        for edit in edits {
            let url = workspace.appendingPathComponent(edit.path)
            if FileManager.default.contents(atPath: url.path) == Data(edit.contents.utf8) { continue }
            if kept == nil { kept = try KeptObjects(workspace: workspace) }
            if !(try kept!.contains(Data(edit.contents.utf8))) {
                lost.append("\(what): the learner's \(edit.path) (\(edit.contents.count) bytes) is gone from the folder and from every ref")
            }
        }
        return lost
    }
}

/// A small deterministic generator (SplitMix64), so a random test replays from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
