import Foundation
import TestSupport
import XCTest

/// `klab grade` end to end: a class of workspaces made by klab itself against the chapter's
/// snapshots, some tampered with the git CLI afterwards; every tampered one is flagged with
/// the right reason, every honest one scored right.
final class GradeCommandTests: XCTestCase {
    static let classKey = "the-class-key-2026"
    static let steps = ["liveness", "fail-liveness", "readiness", "fail-readiness"]
    static let honestCount = 45
    // nonisolated(unsafe): read and written only under `lock`, by whichever test comes first.
    nonisolated(unsafe) static var built: URL?
    static let lock = NSLock()

    /// The class folder, made once for all the tests of this case.
    static func classFolder() throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let built { return built }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-grade-class-\(UUID().uuidString.prefix(8))")
        let folder = root.appendingPathComponent("class")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data((classKey + "\n").utf8).write(to: root.appendingPathComponent("class.key"))

        var jobs: [(String, Int, String?)] = (0..<honestCount).map { (String(format: "h%02d", $0), $0 % 5, classKey) }
        jobs += [("t-edited", 4, classKey), ("t-forged", 1, classKey), ("t-wrongkey", 2, "not-the-class-key"),
                 ("t-unsigned", 2, nil), ("t-deleted", 3, classKey), ("t-rewritten", 4, classKey),
                 ("t-corrupt", 2, classKey), ("t-bundle", 4, classKey)]
        let failures = Gathered<String>()
        let allJobs = jobs
        DispatchQueue.concurrentPerform(iterations: allJobs.count) { index in
            let (learner, passes, key) = allJobs[index]
            do {
                try makeWorkspace(folder.appendingPathComponent(learner), learner: learner, passes: passes, key: key)
            } catch {
                failures.append("\(learner): \(error)")
            }
        }
        guard failures.values.isEmpty else { throw GradeTestError(failures.values.joined(separator: "\n")) }
        try tamper(folder)
        built = root
        return root
    }

    static func makeWorkspace(_ workspace: URL, learner: String, passes: Int, key: String?) throws {
        let environment = ["KLAB_CLASS_KEY": key ?? ""]
        let start = try KlabBinary.run(["start", "health-probes", "--learner", learner, "--workspace", workspace.path], environment: environment)
        guard start.status == 0 else { throw GradeTestError("start \(learner): \(start.stderr)") }
        let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
        for step in steps.prefix(passes) {
            let verify = try KlabBinary.run(
                ["verify", "--workspace", workspace.path, "--snapshot", fixtures.appendingPathComponent("\(step)--pass").path],
                environment: environment)
            guard verify.status == 0 else { throw GradeTestError("verify \(learner) \(step): \(verify.stderr)") }
        }
    }

    /// What the learners did behind klab's back, with the git CLI.
    static func tamper(_ folder: URL) throws {
        // Evidence edited after the fact, the pass commit amended with its message kept.
        let edited = folder.appendingPathComponent("t-edited")
        let url = edited.appendingPathComponent(".klab/evidence/health-probes/fail-readiness/default/Pod.json")
        try Data((try String(contentsOf: url, encoding: .utf8)).replacingOccurrences(of: "\"False\"", with: "\"True\"").utf8 + Data(" ".utf8)).write(to: url)
        try git(edited, ["commit", "-q", "-a", "--amend", "--no-edit"])

        // A pass forged by hand: klab's trailers on a commit with no evidence.
        let forged = folder.appendingPathComponent("t-forged")
        let head = try git(forged, ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try git(forged, ["commit", "-q", "--allow-empty", "-m", "klab: fail-liveness passed\n\nKlab-Lab: health-probes\nKlab-Event: pass\nKlab-Step: fail-liveness\nKlab-Previous: \(head)\nKlab-Evidence: sha256:\(String(repeating: "0", count: 64))"])

        // An evidence file deleted from the pass commit.
        let deleted = folder.appendingPathComponent("t-deleted")
        try git(deleted, ["rm", "-q", ".klab/evidence/health-probes/readiness/results.json"])
        try git(deleted, ["commit", "-q", "--amend", "--no-edit"])

        // History rewritten (every commit re-authored: ids change, Klab-Previous no longer chains).
        let rewritten = folder.appendingPathComponent("t-rewritten")
        try git(rewritten, ["filter-branch", "-f", "--env-filter", "export GIT_AUTHOR_NAME=someone-else", "HEAD"],
                environment: ["FILTER_BRANCH_SQUELCH_WARNING": "1"])

        // A corrupt repository: the tip commit's object damaged after its zlib header.
        // (Truncating it instead makes libgit2 1.5 spin forever: see the grading report.)
        let corrupt = folder.appendingPathComponent("t-corrupt")
        let tip = try git(corrupt, ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let object = corrupt.appendingPathComponent(".git/objects/\(tip.prefix(2))/\(tip.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: object.path)
        let bytes = try Data(contentsOf: object)
        try Data(bytes.prefix(2) + bytes.dropFirst(2).map { 255 - $0 }).write(to: object)

        // Handed in as a git bundle; the folder goes.
        let bundled = folder.appendingPathComponent("t-bundle")
        try git(bundled, ["bundle", "create", "-q", folder.appendingPathComponent("t-bundle.bundle").path, "--all"])
        try FileManager.default.removeItem(at: bundled)
    }

    @discardableResult
    static func git(_ workspace: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let result = try TestProcess.run(
            "git", ["-C", workspace.path, "-c", "user.name=Learner", "-c", "user.email=learner@example.com"] + arguments,
            environment: environment)
        guard result.succeeded else {
            throw GradeTestError("git \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result.stdout
    }

    func grade(_ arguments: [String]) throws -> KlabBinary.Result {
        let root = try Self.classFolder()
        return try KlabBinary.run(["grade", root.appendingPathComponent("class").path,
                                   "--key-file", root.appendingPathComponent("class.key").path, "--lab", "health-probes",
                                   // The class practised on the chapter's snapshots: counted here, by choice.
                                   "--accept-snapshots"] + arguments)
    }

    func learners() throws -> [String: [String: Any]] {
        let result = try grade(["--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        var byName: [String: [String: Any]] = [:]
        for learner in json["learners"] as! [[String: Any]] { byName[learner["learner"] as! String] = learner }
        return byName
    }

    static func flagKinds(_ learner: [String: Any]) -> [String] {
        (learner["flags"] as! [[String: Any]]).map { $0["kind"] as! String }
    }

    func testHonestLearnersScoredRightAndUnflagged() throws {
        let byName = try learners()
        XCTAssertEqual(byName.count, Self.honestCount + 8, "every workspace and the bundle graded: \(byName.keys.sorted())")
        for index in 0..<Self.honestCount {
            let name = String(format: "h%02d", index)
            guard let learner = byName[name] else { XCTFail("\(name) missing"); continue }
            XCTAssertEqual(Self.flagKinds(learner), [], name)
            XCTAssertEqual(learner["points"] as? Int, index % 5, name)
            XCTAssertEqual(learner["maxPoints"] as? Int, 4, name)
        }
        let bundle = try XCTUnwrap(byName["t-bundle"])
        XCTAssertEqual(Self.flagKinds(bundle), [], "a bundle of honest work is honest")
        XCTAssertEqual(bundle["points"] as? Int, 4)
    }

    func testEveryTamperedWorkspaceFlaggedWithTheRightReason() throws {
        let byName = try learners()
        let expected: [String: (String, Int)] = [
            "t-edited": ("digest-mismatch", 3), "t-forged": ("evidence-missing", 1),
            "t-wrongkey": ("signature-invalid", 0), "t-unsigned": ("signature-missing", 0),
            "t-deleted": ("evidence-missing", 2), "t-rewritten": ("history-rewritten", 4),
        ]
        for (name, (kind, points)) in expected {
            let learner = try XCTUnwrap(byName[name], name)
            XCTAssertTrue(Self.flagKinds(learner).contains(kind), "\(name): \(Self.flagKinds(learner))")
            XCTAssertEqual(learner["points"] as? Int, points, name)
        }
        let corrupt = byName.values.first { ($0["source"] as! String).hasSuffix("/t-corrupt") }
        XCTAssertEqual(corrupt.map(Self.flagKinds), ["unreadable"])
        XCTAssertEqual(corrupt?["points"] as? Int, 0)
    }

    func testTableCSVAndJUnitOfTheClass() throws {
        let table = try grade([])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("53 learners graded (offline), 7 flagged"), table.stdout)

        let csv = try grade(["--format", "csv"])
        let rows = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(rows.count, 1 + Self.honestCount + 8)
        XCTAssertTrue(rows.contains { $0.hasPrefix("t-edited,3,3,4,digest-mismatch health-probes/fail-readiness:") }, rows.joined(separator: "\n"))
        XCTAssertTrue(rows.contains("h04,4,4,4,"), rows.joined(separator: "\n"))

        let out = try Self.classFolder().appendingPathComponent("class.junit.xml")
        let junit = try grade(["--format", "junit", "--out", out.path])
        XCTAssertEqual(junit.status, 0, junit.stderr)
        XCTAssertEqual(junit.stdout, "")
        let xml = try String(contentsOf: out, encoding: .utf8)
        XCTAssertEqual(xml.components(separatedBy: "<testsuite ").count - 1, Self.honestCount + 8)
        XCTAssertTrue(xml.contains("type=\"flagged:signature-invalid\""), xml)
    }

    func testUnknownFormatIsBadInput() throws {
        let result = try grade(["--format", "pdf"])
        XCTAssertEqual(result.status, 2, result.stderr)
    }
}

struct GradeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
