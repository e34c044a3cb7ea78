import Foundation
@testable import KlabCLI
import TestSupport
import XCTest

/// The learner id of a new workspace: asked once on a terminal (default from git's email or
/// USER), the default without one (and said), never asked again.
final class LearnerIdentityTests: XCTestCase {
    var root: URL!
    var workspace: URL { root.appendingPathComponent("ws") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-learner-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// No KLAB_LEARNER, USER grace, and git's global config in a file of the test's own.
    func environment(email: String? = nil) throws -> [String: String] {
        let config = root.appendingPathComponent("gitconfig")
        try (email.map { "[user]\n\temail = \($0)\n" } ?? "").write(to: config, atomically: true, encoding: .utf8)
        return ["USER": "grace", "HOME": root.path, "GIT_CONFIG_GLOBAL": config.path, "GIT_CONFIG_NOSYSTEM": "1", "KLAB_LEARNER": ""]
    }

    func recordedLearner() throws -> String? {
        let data = try Data(contentsOf: workspace.appendingPathComponent(".klab/workspace.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["learner"] as? String
    }

    func testWithoutATerminalTheDefaultIsUsedAndSaid() throws {
        let result = try KlabBinary.run(["start", "health-probes", "--workspace", workspace.path], environment: try environment(), currentDirectory: root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "klab: no terminal to ask your learner id on: using grace (pass --learner ID or set KLAB_LEARNER to choose)\n")
        XCTAssertEqual(try recordedLearner(), "grace")
        // Asked (or said) once: the workspace knows from now on.
        let again = try KlabBinary.run(["start", "assigning-pods", "--workspace", workspace.path], environment: try environment(), currentDirectory: root)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stderr, "")
    }

    func testTheDefaultComesFromGitsEmailFirst() throws {
        let result = try KlabBinary.run(["start", "health-probes", "--workspace", workspace.path],
                                        environment: try environment(email: "Ada.Lovelace@example.com"), currentDirectory: root)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try recordedLearner(), "Ada.Lovelace")
    }

    func testAnIdThatCannotBeALabelIsRefused() throws {
        let result = try KlabBinary.run(["start", "health-probes", "--learner", "ada lovelace", "--workspace", workspace.path],
                                        environment: try environment(), currentDirectory: root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.hasPrefix("klab: learner id \"ada lovelace\" cannot label Kubernetes objects"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path), "nothing is created")
    }

    /// On a terminal: asked once, a bad answer asked again, then recorded.
    func testOnATerminalItIsAskedOnce() throws {
        let first = try KlabBinary.runInTerminal(["start", "health-probes", "--workspace", workspace.path], script: [
            ["expect": "Your learner id, as your instructor will see it [ada.lovelace]: ", "send": "not ok!\r"],
            ["expect": "A learner id is at most 63 letters", "send": "ada\r"],
            ["expect": "Started health-probes"],
        ], environment: try environment(email: "ada.lovelace@example.com"), currentDirectory: root)
        XCTAssertEqual(first.status, 0, first.stdout)
        XCTAssertEqual(try recordedLearner(), "ada")

        let second = try KlabBinary.runInTerminal(["start", "assigning-pods", "--workspace", workspace.path],
                                                  script: [["expect": "Started assigning-pods"]], environment: try environment(), currentDirectory: root)
        XCTAssertEqual(second.status, 0, second.stdout)
        XCTAssertFalse(second.stdout.contains("learner id"), "not asked again: \(second.stdout)")
    }

    func testSuggestionsAreLabelValues() {
        XCTAssertEqual(LearnerIdentity.labelValue("ada.lovelace"), "ada.lovelace")
        XCTAssertEqual(LearnerIdentity.labelValue("Ada Lovelace!"), "Ada-Lovelace")
        XCTAssertEqual(LearnerIdentity.labelValue("_x_"), "x")
        XCTAssertEqual(LearnerIdentity.labelValue(String(repeating: "a", count: 80)).count, 63)
        let identity = LearnerIdentity(environment: ["USER": "grace"], gitEmail: { "ada+klab@example.com" })
        XCTAssertEqual(identity.suggestion(), "ada-klab")
        XCTAssertEqual(LearnerIdentity(environment: [:], gitEmail: { nil }).suggestion(), "learner")
        var answers = ["", "x"].makeIterator()
        XCTAssertEqual(identity.ask(read: { answers.next() }, write: { _ in }), "ada-klab", "Enter takes the suggestion")
        var none = [String]().makeIterator()
        XCTAssertEqual(identity.ask(read: { none.next() }, write: { _ in }), "ada-klab", "end of input too")
    }
}
