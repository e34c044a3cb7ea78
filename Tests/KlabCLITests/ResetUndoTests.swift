import Foundation
import TestSupport
import XCTest

/// Issue 8's acceptance sequence through the built binary: work made between a reset and its
/// undo is never lost, a second undo brings it back, and `klab reset --list` finds every
/// backup. What the learner reads is compared with `Tests/Fixtures/golden/reset/*`
/// (`KLAB_UPDATE_GOLDEN=1` rewrites them; review the diff like code).
final class ResetUndoTests: XCTestCase {
    var root: URL!
    var workspace: URL { root.appendingPathComponent("klab-workspace") }
    var lab: URL { workspace.appendingPathComponent("health-probes") }
    let goldenFolder = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/golden/reset")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-undo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("labs"),
                                                   withDestinationURL: KlabBinary.repositoryRoot.appendingPathComponent("labs"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// klab run from the folder holding `klab-workspace`, as the issue runs it.
    func klab(_ arguments: [String]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments, environment: ["KLAB_WORKSPACE": ""], currentDirectory: root)
    }

    func git(_ arguments: [String]) throws -> String {
        try CrashSafetyTests.git(arguments, in: workspace).output
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: lab.appendingPathComponent(name).path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The names of the backup refs holding `path` with exactly `contents`.
    func backupsHolding(_ path: String, _ contents: String) throws -> [String] {
        let refs = try git(["for-each-ref", "--format=%(refname)", "refs/klab/backups/"]).split(separator: "\n").map(String.init)
        return try refs.filter { try git(["show", "\($0):\(path)"]) == contents }
    }

    func testTheIssueSequenceLosesNothing() throws {
        XCTAssertEqual(try klab(["start", "health-probes", "--learner", "ada"]).status, 0)
        let rendered = try XCTUnwrap(read("liveness-app.yaml"))
        try "A\n".write(to: lab.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let reset = try klab(["reset", "--yes"])
        XCTAssertEqual(reset.status, 0, reset.stderr)
        XCTAssertTrue(reset.stdout.contains("refs/klab/backups/1"), reset.stdout)
        XCTAssertEqual(try backupsHolding("health-probes/a.txt", "A\n"), ["refs/klab/backups/1"])

        try "B\n".write(to: lab.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let changed = rendered + "# my change\n"
        try changed.write(to: lab.appendingPathComponent("liveness-app.yaml"), atomically: true, encoding: .utf8)
        let undo = try klab(["reset", "--undo"])
        XCTAssertEqual(undo.status, 0, undo.stderr)
        try assertGolden("undo.txt", undo)
        XCTAssertEqual(read("a.txt"), "A\n")
        XCTAssertNil(read("b.txt"))
        // Between the two undos, b.txt and the manifest change are in a named backup.
        XCTAssertEqual(try backupsHolding("health-probes/b.txt", "B\n"), ["refs/klab/backups/2"])
        XCTAssertEqual(try backupsHolding("health-probes/liveness-app.yaml", changed), ["refs/klab/backups/2"])

        try assertGolden("list.txt", try klab(["reset", "--list"]))
        try assertGolden("list.json", try klab(["reset", "--list", "--output", "json"]))

        let again = try klab(["reset", "--undo", "--output", "json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["restored"] as? String, "refs/klab/backups/2")
        XCTAssertEqual(json?["backup"] as? String, "refs/klab/backups/3")
        XCTAssertEqual(read("b.txt"), "B\n")
        XCTAssertEqual(read("liveness-app.yaml"), changed)
        XCTAssertNil(read("a.txt"), "a.txt was not in the folder the first undo overwrote")
        // Each backup still holds what it was made with.
        XCTAssertEqual(try backupsHolding("health-probes/a.txt", "A\n"), ["refs/klab/backups/1", "refs/klab/backups/3"])
        XCTAssertEqual(try backupsHolding("health-probes/b.txt", "B\n"), ["refs/klab/backups/2"])
        XCTAssertEqual(try CrashSafetyTests.git(["fsck", "--strict"], in: workspace).status, 0)
    }

    /// `klab reset --restore N`: backup N's files of the lab come back, what the learner had
    /// is saved first (the restore is a reset that loses nothing), and `--undo` takes it back.
    func testRestoreBringsBackABackupAndSavesWhatItOverwrites() throws {
        XCTAssertEqual(try klab(["start", "health-probes", "--learner", "ada"]).status, 0)
        let rendered = try XCTUnwrap(read("liveness-app.yaml"))
        try "A\n".write(to: lab.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try klab(["reset", "--yes"]).status, 0)
        try "B\n".write(to: lab.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let changed = rendered + "# my change\n"
        try changed.write(to: lab.appendingPathComponent("liveness-app.yaml"), atomically: true, encoding: .utf8)

        let restore = try klab(["reset", "--restore", "1"])
        try assertGolden("restore.txt", restore)
        XCTAssertEqual(read("a.txt"), "A\n")
        XCTAssertNil(read("b.txt"))
        XCTAssertEqual(read("liveness-app.yaml"), rendered)
        XCTAssertEqual(try backupsHolding("health-probes/b.txt", "B\n"), ["refs/klab/backups/2"])
        XCTAssertEqual(try backupsHolding("health-probes/liveness-app.yaml", changed), ["refs/klab/backups/2"])

        // The ref's full name works too, and the JSON names both backups.
        let back = try klab(["reset", "--restore", "refs/klab/backups/2", "health-probes", "--output", "json"])
        XCTAssertEqual(back.status, 0, back.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(back.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["lab"] as? String, "health-probes")
        XCTAssertEqual(json?["restored"] as? String, "refs/klab/backups/2")
        XCTAssertEqual(json?["backup"] as? String, "refs/klab/backups/3")
        XCTAssertEqual(read("b.txt"), "B\n")
        XCTAssertEqual(read("liveness-app.yaml"), changed)
        XCTAssertNil(read("a.txt"))

        // An undo of a restore brings back what it overwrote.
        let undo = try klab(["reset", "--undo"])
        XCTAssertEqual(undo.status, 0, undo.stderr)
        XCTAssertTrue(undo.stdout.hasPrefix("Undid the restore of health-probes from refs/klab/backups/2:"), undo.stdout)
        XCTAssertEqual(read("a.txt"), "A\n")
        XCTAssertNil(read("b.txt"))
        XCTAssertEqual(try CrashSafetyTests.git(["fsck", "--strict"], in: workspace).status, 0)

        // Refused, one line on stderr, nothing changed: a backup that does not exist (2), a
        // number that is not one (2), a combination that means nothing (2).
        let before = try git(["for-each-ref", "refs/klab/backups/"])
        for (arguments, words) in [
            (["reset", "--restore", "9"], "there is no backup 9"),
            (["reset", "--restore", "x"], "--restore takes a backup number"),
            (["reset", "--restore", "0"], "--restore takes a backup number"),
            (["reset", "--restore", "1", "--undo"], "--restore cannot be combined"),
        ] {
            let refused = try klab(arguments)
            XCTAssertEqual(refused.status, 2, "\(arguments): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.split(separator: "\n").first?.contains(words) == true, "\(arguments): \(refused.stderr)")
        }
        XCTAssertEqual(try git(["for-each-ref", "refs/klab/backups/"]), before, "a refused restore makes no backup")
        XCTAssertEqual(read("a.txt"), "A\n")
    }

    func testListWithNoBackupsAndBadCombinations() throws {
        XCTAssertEqual(try klab(["start", "health-probes", "--learner", "ada"]).status, 0)
        try assertGolden("list-empty.txt", try klab(["reset", "--list"]))
        let json = try klab(["reset", "--list", "--output", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((parsed?["backups"] as? [Any])?.count, 0, json.stdout)
        let bad = try klab(["reset", "--list", "--undo"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr.split(separator: "\n").first.map(String.init)?.contains("--list cannot be combined"), true, bad.stderr)
        let nothing = try klab(["reset", "--undo"])
        XCTAssertEqual(nothing.status, 4)
        XCTAssertEqual(nothing.stderr.split(separator: "\n").count, 1, nothing.stderr)
        XCTAssertEqual(nothing.stderr, "klab: nothing to undo: no reset, restart or restore has been made in this workspace yet; "
                       + "`klab reset --list` shows its backups\n")
    }

    // MARK: - Golden files

    func normalised(_ text: String) -> String {
        var text = text.replacingOccurrences(of: workspace.path, with: "<workspace>")
        text = text.replacingOccurrences(of: root.path, with: "<tmp>")
        for (pattern, replacement) in [
            (#"\b[0-9a-f]{40}\b"#, "<commit>"),
            (#"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"#, "<time>"),
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, "<time>"),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    func assertGolden(_ name: String, _ result: KlabBinary.Result, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.status, 0, "\(name): \(result.stdout)\(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stderr, "", name, file: file, line: line)
        let got = normalised(result.stdout)
        let golden = goldenFolder.appendingPathComponent(name)
        if GoldenFile.updating {
            try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true)
            try got.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        guard let want = try? String(contentsOf: golden, encoding: .utf8) else {
            return XCTFail("no golden file \(golden.path); run with KLAB_UPDATE_GOLDEN=1", file: file, line: line)
        }
        XCTAssertEqual(got, want, "\(name) differs from its golden file; if the change is wanted, rerun with KLAB_UPDATE_GOLDEN=1 and review the diff",
                       file: file, line: line)
    }
}
