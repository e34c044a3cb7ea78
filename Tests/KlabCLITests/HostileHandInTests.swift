import Foundation
import TestSupport
import XCTest

/// Hand-ins made to hurt the grader, graded in one class run beside honest ones: each hostile
/// one is `unreadable` (or flagged where only one step is hostile), the honest ones keep their
/// points, the run finishes, and nothing is written outside the grader's temporary folder,
/// which is empty again afterwards. The bounds that make each verdict come quickly are counts
/// in the code (`InputLimits.HandIn`), tested at their edges in LabGitTests; nothing here is timed.
final class HostileHandInTests: XCTestCase {
    static let root = KlabBinary.repositoryRoot
    static let maker = root.appendingPathComponent("Tests/Fixtures/bad-input/make-hostile.py").path
    static let fixtures = root.appendingPathComponent("labs/health-probes/fixtures")

    var folder: URL!
    var handIns: URL { folder.appendingPathComponent("class") }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("klab-hostile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: handIns, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A workspace made by klab that passed the health-probes step `liveness` on a snapshot.
    func workspace(_ name: String) throws -> URL {
        let url = handIns.appendingPathComponent(name)
        let start = try KlabBinary.run(["start", "health-probes", "--learner", name, "--workspace", url.path])
        guard start.status == 0 else { throw BadInputTests.Failure("start \(name): \(start.stderr)") }
        let verify = try KlabBinary.run(["verify", "--workspace", url.path, "--snapshot", Self.fixtures.appendingPathComponent("liveness--pass").path])
        guard verify.status == 0 else { throw BadInputTests.Failure("verify \(name): \(verify.stderr)") }
        return url
    }

    func make(_ arguments: [String]) throws {
        try TestProcess.succeed("python3", [Self.maker] + arguments, environment: GitWitness.environment)
    }

    func git(_ repository: URL, _ arguments: [String], input: String? = nil) throws {
        try GitWitness.run(arguments, in: repository, input: input)
    }

    func testHostileHandInsAreUnreadableAndTheClassIsStillGraded() throws {
        // Honest work, as a folder and as a bundle: scored.
        _ = try workspace("honest")
        let bundled = try workspace("bundled-source")
        try git(bundled, ["bundle", "create", handIns.appendingPathComponent("bundled.bundle").path, "--all"])
        try FileManager.default.removeItem(at: bundled)

        // Hostile folders.
        let symlinked = handIns.appendingPathComponent("git-symlink")
        try FileManager.default.createDirectory(at: symlinked, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: symlinked.appendingPathComponent(".git"), withDestinationURL: handIns.appendingPathComponent("honest/.git"))
        let gitFile = handIns.appendingPathComponent("git-file")
        try FileManager.default.createDirectory(at: gitFile, withIntermediateDirectories: true)
        try Data("gitdir: ../honest/.git\n".utf8).write(to: gitFile.appendingPathComponent(".git"))

        let nowhere = try workspace("head-nowhere")
        try Data("ref: refs/heads/nowhere\n".utf8).write(to: nowhere.appendingPathComponent(".git/HEAD"))

        let refs = try workspace("thousands-of-refs")
        let tip = try GitWitness.run(["rev-parse", "HEAD"], in: refs).trimmingCharacters(in: .whitespacesAndNewlines)
        try git(refs, ["update-ref", "--stdin"], input: (0..<5000).map { "create refs/tags/t\($0) \(tip)\n" }.joined())

        let cycle = try workspace("graft-cycle")
        let cycleTip = try GitWitness.run(["rev-parse", "HEAD"], in: cycle).trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createDirectory(at: cycle.appendingPathComponent(".git/info"), withIntermediateDirectories: true)
        try Data("\(cycleTip) \(cycleTip)\n".utf8).write(to: cycle.appendingPathComponent(".git/info/grafts"))

        let replaced = try workspace("replaced")
        try git(replaced, ["replace", "HEAD", "HEAD~1"])

        let alternates = try workspace("alternates")
        try Data((handIns.appendingPathComponent("honest/.git/objects").path + "\n").utf8)
            .write(to: alternates.appendingPathComponent(".git/objects/info/alternates"))

        let include = try workspace("config-include")
        let config = include.appendingPathComponent(".git/config")
        try (try Data(contentsOf: config) + Data("[include]\n\tpath = /dev/zero\n".utf8)).write(to: config)

        // A FIFO in place of the commit the hand-in's HEAD names: refused when it is read.
        let fifoObject = try workspace("loose-fifo")
        let fifoTip = try GitWitness.run(["rev-parse", "HEAD"], in: fifoObject).trimmingCharacters(in: .whitespacesAndNewlines)
        let tipObject = fifoObject.appendingPathComponent(".git/objects/\(fifoTip.prefix(2))/\(fifoTip.dropFirst(2))")
        try FileManager.default.removeItem(at: tipObject)
        XCTAssertEqual(mkfifo(tipObject.path, 0o644), 0)
        // A FIFO where no commit leads: never opened, so the hand-in is graded as it is.
        let strayFIFO = try workspace("stray-fifo")
        let objects = strayFIFO.appendingPathComponent(".git/objects/ff")
        try FileManager.default.createDirectory(at: objects, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(objects.appendingPathComponent(String(repeating: "f", count: 38)).path, 0o644), 0)

        let deep = try workspace("deep-evidence")
        try make(["deep-evidence", deep.path, "100"])
        let odd = try workspace("odd-evidence")
        try make(["odd-evidence", odd.path])

        let wide = handIns.appendingPathComponent("million-entries")
        try FileManager.default.createDirectory(at: wide, withIntermediateDirectories: true)
        try git(wide, ["init", "-q"])
        try make(["wide-tree", wide.path, "1000000"])

        // Hostile files.
        try make(["huge-object", handIns.appendingPathComponent("huge-object.bundle").path])
        try make(["many-objects", handIns.appendingPathComponent("many-objects.bundle").path])
        try make(["many-refs", handIns.appendingPathComponent("many-refs.bundle").path, "10001"])
        XCTAssertEqual(mkfifo(handIns.appendingPathComponent("fifo.bundle").path, 0o644), 0)
        try FileManager.default.createSymbolicLink(at: handIns.appendingPathComponent("device.bundle"), withDestinationURL: URL(fileURLWithPath: "/dev/zero"))

        // One class run, with a temporary folder of its own.
        let scratch = folder.appendingPathComponent("tmp"), home = folder.appendingPathComponent("home")
        for dir in [scratch, home] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        let before = try BadInputTests.listing(handIns, skipping: "")
        let result = try TestProcess.run(
            "/usr/bin/timeout", ["-k", "5", "600", KlabBinary.url.path, "grade", handIns.path, "--lab", "health-probes", "--accept-snapshots", "--format", "json"],
            environment: ["TMPDIR": scratch.path, "HOME": home.path, "NO_COLOR": "1"])
        XCTAssertEqual(result.status, 0, "the class run finishes: \(result.stderr.prefix(2000))")
        XCTAssertEqual(result.stderr, "")
        for marker in BadInputTests.crashMarkers { XCTAssertFalse(result.stderr.contains(marker), marker) }
        XCTAssertEqual(try BadInputTests.listing(handIns, skipping: ""), before, "nothing was written into the hand-ins")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "the grader's temporary folder is empty again")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.path), [], "nothing was written to HOME")

        // One hand-in at a time grades the class exactly as many at once do.
        let oneByOne = try TestProcess.run(
            "/usr/bin/timeout", ["-k", "5", "600", KlabBinary.url.path, "grade", handIns.path, "--lab", "health-probes", "--accept-snapshots", "--format", "json", "--jobs", "1"],
            environment: ["TMPDIR": scratch.path, "HOME": home.path, "NO_COLOR": "1"])
        XCTAssertEqual(oneByOne.status, 0, oneByOne.stderr)
        XCTAssertEqual(oneByOne.stdout, result.stdout, "--jobs 1 gives the same report")

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        var rows: [String: [String: Any]] = [:]
        for learner in json["learners"] as? [[String: Any]] ?? [] { rows[learner["learner"] as? String ?? "?"] = learner }
        func flags(_ name: String) -> [(kind: String, detail: String)] {
            (rows[name]?["flags"] as? [[String: Any]] ?? []).map { ($0["kind"] as? String ?? "", $0["detail"] as? String ?? "") }
        }
        func points(_ name: String) -> Double { rows[name]?["points"] as? Double ?? -1 }

        for name in ["honest", "bundled", "thousands-of-refs", "graft-cycle", "replaced", "stray-fifo"] {
            XCTAssertNotNil(rows[name], "\(name) is graded")
            XCTAssertFalse(flags(name).contains { $0.kind == "unreadable" }, "\(name): \(flags(name))")
            XCTAssertGreaterThan(points(name), 0, "\(name) keeps the points of its passed step: \(flags(name))")
        }
        for name in ["honest", "bundled", "thousands-of-refs", "stray-fifo"] {
            XCTAssertFalse(flags(name).contains { $0.kind == "history-rewritten" }, "\(name): \(flags(name))")
        }
        // Grafts and replace refs change what git shows, not what klab reads (the stored
        // commits): graded, and flagged, since `git log` there shows another history.
        XCTAssertTrue(flags("graft-cycle").contains { $0.kind == "history-rewritten" && $0.detail.hasPrefix("info/grafts gives commits other parents") },
                      "\(flags("graft-cycle"))")
        XCTAssertTrue(flags("replaced").contains { $0.kind == "history-rewritten" && $0.detail.hasPrefix("1 reference under refs/replace/") },
                      "\(flags("replaced"))")
        let unreadable: [String: String] = [
            "git-symlink": ".git is a symbolic link",
            "git-file": ".git is a file pointing elsewhere",
            "head-nowhere": "any commit in",
            "alternates": "objects/info/alternates borrows objects",
            "config-include": "its config includes other files",
            "loose-fifo": "is not a regular file (a FIFO, a device or a socket)",
            "million-entries": "is 36000000 bytes, more than the 1048576 klab reads from a hand-in",
            "huge-object": "is not a readable git bundle",
            "many-objects": "is not a readable git bundle",
            "many-refs": "it lists 10001 references, more than the 10000",
            "fifo": "it is not a regular file",
            "device": "it is not a regular file",
        ]
        for (name, detail) in unreadable {
            XCTAssertNotNil(rows[name], "\(name) is graded: \(rows.keys.sorted())")
            XCTAssertTrue(flags(name).contains { $0.kind == "unreadable" && $0.detail.contains(detail) }, "\(name): \(flags(name))")
            XCTAssertEqual(points(name), 0, name)
        }
        // One hostile step: that step is unreadable, the hand-in is still graded.
        XCTAssertTrue(flags("deep-evidence").contains { $0.kind == "unreadable" && $0.detail.contains("folders nest deeper than 64 levels") },
                      "\(flags("deep-evidence"))")
        XCTAssertEqual(points("deep-evidence"), 0)
        XCTAssertFalse(flags("odd-evidence").isEmpty, "evidence named '..' or '/etc' does not pass unnoticed")
        XCTAssertEqual(points("odd-evidence"), 0, "\(flags("odd-evidence"))")
        XCTAssertEqual(rows.count, 6 + unreadable.count + 2, "every hand-in has its row: \(rows.keys.sorted())")
    }
}
