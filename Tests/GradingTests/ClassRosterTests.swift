import Foundation
@testable import Grading
import XCTest

/// Rosters and folders of hand-ins, as an instructor writes and collects them.
final class ClassRosterTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-roster-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func testRosterColumnsQuotesAndRelativePaths() throws {
        let roster = root.appendingPathComponent("roster.csv")
        try Data("Learner,Workspace,Namespace,Context\r\n\"Lovelace, Ada\",ada,ns-ada,\r\nbob,/abs/bob.bundle,ns-bob,\"ctx \"\"b\"\"\"\r\n\r\n".utf8).write(to: roster)
        let entries = try ClassRoster.csv(at: roster.path)
        XCTAssertEqual(entries, [
            RosterEntry(learner: "Lovelace, Ada", workspace: root.appendingPathComponent("ada").path, namespace: "ns-ada", context: nil),
            RosterEntry(learner: "bob", workspace: "/abs/bob.bundle", namespace: "ns-bob", context: "ctx \"b\""),
        ])
    }

    func testASpreadsheetExportWithAByteOrderMarkAndAQuotedLineBreak() throws {
        // Excel's "CSV UTF-8" starts with a BOM (the first column was "\u{FEFF}learner", unknown),
        // and a quoted field may hold a line break (the row was cut in two).
        let roster = root.appendingPathComponent("roster.csv")
        try Data("\u{FEFF}learner,workspace,context\r\n\"Ada\nLovelace\",ada,\"c1\"\r\nbob,bob,\r\ncyd,\"cyd\"\"s\",\n".utf8).write(to: roster)
        XCTAssertEqual(try ClassRoster.csv(at: roster.path), [
            RosterEntry(learner: "Ada\nLovelace", workspace: root.appendingPathComponent("ada").path, namespace: nil, context: "c1"),
            RosterEntry(learner: "bob", workspace: root.appendingPathComponent("bob").path, namespace: nil, context: nil),
            RosterEntry(learner: "cyd", workspace: root.appendingPathComponent("cyd\"s").path, namespace: nil, context: nil),
        ])
        // Line numbers in problems count the physical lines, a quoted break included.
        try Data("learner\n\"a\nb\"\nada,extra\n".utf8).write(to: roster)
        XCTAssertThrowsError(try ClassRoster.csv(at: roster.path)) { error in
            XCTAssertEqual("\(error)", "\(roster.path):4: 2 fields for 1 columns")
        }
    }

    func testRosterWithAnUnknownColumnSaysWhichAndWhere() throws {
        let roster = root.appendingPathComponent("roster.csv")
        try Data("learner,email\nada,a@x\n".utf8).write(to: roster)
        XCTAssertThrowsError(try ClassRoster.csv(at: roster.path)) { error in
            XCTAssertEqual("\(error)", "\(roster.path):1: unknown column \"email\"; a roster has learner, workspace, namespace, context")
        }
        try Data("learner\nada,extra\n".utf8).write(to: roster)
        XCTAssertThrowsError(try ClassRoster.csv(at: roster.path)) { error in
            XCTAssertEqual("\(error)", "\(roster.path):2: 2 fields for 1 columns")
        }
    }

    func testFolderOfHandInsTakesWorkspacesAndBundlesOnly() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: root.appendingPathComponent("ada/.git"), withIntermediateDirectories: true)
        try manager.createDirectory(at: root.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try Data().write(to: root.appendingPathComponent("bob.bundle"))
        try Data().write(to: root.appendingPathComponent("readme.txt"))
        try manager.createDirectory(at: root.appendingPathComponent(".hidden/.git"), withIntermediateDirectories: true)
        XCTAssertEqual(try ClassRoster.entries(for: [root.path]).map(\.workspace), [
            root.appendingPathComponent("ada").path, root.appendingPathComponent("bob.bundle").path,
        ])
        XCTAssertThrowsError(try ClassRoster.entries(for: [root.appendingPathComponent("missing").path]))
    }

    func testAnUnreadableHandInIsAFlaggedZeroNotAnError() throws {
        let junk = root.appendingPathComponent("junk.bundle")
        try Data("# v2 git bundle\nnot really\n".utf8).write(to: junk)
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty.appendingPathComponent(".git"), withIntermediateDirectories: true)
        let grader = OfflineGrader(labs: [], grading: [], classKey: nil)
        for source in [junk, empty] {
            let grade = grader.grade(RosterEntry(workspace: source.path))
            XCTAssertEqual(grade.flags.map(\.kind), [.unreadable], "\(source.lastPathComponent): \(grade.flags)")
            XCTAssertEqual(grade.points, 0)
        }
        XCTAssertEqual(grader.grade(RosterEntry(workspace: junk.path)).learner, "junk")
    }
}
