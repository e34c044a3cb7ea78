import Foundation
import TestSupport
import XCTest

/// `klab lab new` through the built binary: a new lab in a scratch labs folder that lints and
/// tests green as created, and ids that cannot be used, refused in one line with exit 2.
final class LabNewCommandTests: XCTestCase {
    var root: URL!
    var labs: String { root.appendingPathComponent("labs").path }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-new-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func klab(_ arguments: [String]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments, currentDirectory: root)
    }

    func testANewLabLintsAndTestsGreen() throws {
        let created = try klab(["lab", "new", "demo", "--labs", "labs"])
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(created.stderr, "")
        XCTAssertEqual(created.stdout, """
            Created lab demo:
              labs/demo/lab.yaml
              labs/demo/manifests/web.yaml
              labs/demo/fixtures/deploy--pass/deployments.json
              labs/demo/fixtures/deploy--fail-not-ready/deployments.json
              content/demo/README.md
              content/demo/deploy.md
            Check it, then make it yours (content/reference/lab-format.md is the reference):
              klab lab lint demo --labs labs
              klab lab test demo --labs labs --step deploy --snapshot labs/demo/fixtures/deploy--pass

            """)
        let lint = try klab(["lab", "lint", "demo", "--labs", "labs"])
        XCTAssertEqual(lint.status, 0, lint.stdout)
        XCTAssertEqual(lint.stdout, "1 lab, no problems\n")
        let pass = try klab(["lab", "test", "demo", "--labs", "labs", "--step", "deploy", "--snapshot", "labs/demo/fixtures/deploy--pass"])
        XCTAssertEqual(pass.status, 0, pass.stdout + pass.stderr)
        let complete = try klab(["lab", "test", "demo", "--labs", "labs", "--complete", "--snapshot", "labs/demo/fixtures/deploy--pass"])
        XCTAssertEqual(complete.status, 0, complete.stdout + complete.stderr)
        let fail = try klab(["lab", "test", "demo", "--labs", "labs", "--step", "deploy", "--snapshot", "labs/demo/fixtures/deploy--fail-not-ready"])
        XCTAssertEqual(fail.status, 1, fail.stdout + fail.stderr)
        XCTAssertTrue(fail.stdout.contains("hint: The manifest is in the lab folder"), fail.stdout)
        let render = try klab(["lab", "render", "demo", "--labs", "labs", "--set", "namespace=shop"])
        XCTAssertEqual(render.status, 0, render.stderr)
        XCTAssertTrue(render.stdout.contains("namespace: shop"), render.stdout)
        let show = try klab(["lab", "show", "demo", "--labs", "labs", "--output", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["title"] as? String, "Demo")
    }

    func testATitleCanBeGiven() throws {
        XCTAssertEqual(try klab(["lab", "new", "rolling", "--labs", "labs", "--title", "Rolling updates: one pod at a time"]).status, 0)
        let show = try klab(["lab", "show", "rolling", "--labs", "labs", "--output", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["title"] as? String, "Rolling updates: one pod at a time", show.stdout + show.stderr)
    }

    func testAnExistingIDIsRefusedInOneLine() throws {
        XCTAssertEqual(try klab(["lab", "new", "demo", "--labs", "labs"]).status, 0)
        let before = try String(contentsOfFile: labs + "/demo/lab.yaml", encoding: .utf8)
        try before.replacingOccurrences(of: "title: Demo", with: "title: Mine").write(toFile: labs + "/demo/lab.yaml", atomically: true, encoding: .utf8)
        let again = try klab(["lab", "new", "demo", "--labs", "labs"])
        XCTAssertEqual(again.status, 2)
        XCTAssertEqual(again.stdout, "")
        XCTAssertEqual(again.stderr, "klab: lab 'demo' already exists (labs/demo); choose another id or edit that lab\n")
        XCTAssertTrue(try String(contentsOfFile: labs + "/demo/lab.yaml", encoding: .utf8).contains("title: Mine"), "the lab was not touched")
    }

    func testAnInvalidIDIsRefusedInOneLine() throws {
        for (id, reason) in [("Demo", "'D' is not allowed; a lab id is lowercase letters, digits and '-'"),
                             ("my_lab", "'_' is not allowed; a lab id is lowercase letters, digits and '-'"),
                             ("-lab", "it must start and end with a letter or digit")] {
            let result = try klab(["lab", "new", "--labs", "labs", "--", id])
            XCTAssertEqual(result.status, 2, id)
            XCTAssertEqual(result.stderr, "klab: '\(id)' cannot be a lab id: \(reason); choose another, such as my-lab\n")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: labs), [], "nothing written")
    }

    /// The author's loop end to end: a new lab, its pass fixture served by the stand-in,
    /// recorded again with `klab lab record`, and the recording tests green.
    func testANewLabsStepCanBeRecordedAndTested() throws {
        XCTAssertEqual(try klab(["lab", "new", "demo", "--labs", "labs"]).status, 0)
        let environment = [
            "PATH": KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin",
            "KLAB_STANDIN_SNAPSHOTS": labs + "/demo/fixtures/deploy--pass",
        ]
        let record = try KlabBinary.run(["lab", "record", "demo", "--labs", "labs", "--step", "deploy", "labs/demo/fixtures/deploy--pass-recorded"],
                                        environment: environment, currentDirectory: root)
        XCTAssertEqual(record.status, 0, record.stderr)
        let test = try klab(["lab", "test", "demo", "--labs", "labs", "--step", "deploy", "--snapshot", "labs/demo/fixtures/deploy--pass-recorded"])
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
    }
}

extension LabNewCommandTests {
    /// A file where the prose folder should go: one line saying what could not be written, exit
    /// 3, and nothing left behind.
    func testAFolderThatCannotBeWrittenIsOneLineAndExit3() throws {
        try FileManager.default.createDirectory(atPath: labs, withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: root.appendingPathComponent("content"))
        let result = try klab(["lab", "new", "demo", "--labs", "labs"])
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("klab: cannot write content/demo/README.md: "), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: labs + "/demo"), "no half-written lab is left to block the id")
    }
}
