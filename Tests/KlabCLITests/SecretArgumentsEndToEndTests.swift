import Foundation
import TestSupport
import XCTest

/// A password captured from a Secret and passed in a later exec's and command's arguments,
/// end to end through the built binary and the kubectl stand-in: the workspace's history holds
/// no trace of it (the calls are recorded with its digest in its place, under names made from
/// that), and `klab grade`, which holds only the digest, makes the same calls again, finds their
/// recordings and gives every point with no flag.
final class SecretArgumentsEndToEndTests: XCTestCase {
    /// The Secret's `data` value (base64 of `hunter2`) and what it decodes to: neither may be stored.
    static let password = "aHVudGVyMg=="
    static let plaintexts = [password, "hunter2", "aHVudGVyMg%3D%3D"]

    static let lab = """
        format: 1
        id: secret-args
        title: A password in a command's arguments
        steps:
          - id: login
            title: Log in with the database's password
            checks:
              - name: the password is set
                get: Secret/db
                capture:
                  password: '{.items[0].data.password}'
              - name: the database takes the password
                exec:
                  pod: db-0
                  command: [mysql, --user=admin, '--password=${password}', --execute, 'select 1']
                expect:
                  - path: '{.stdout}'
                    matches: '^1$'
              - name: the client is given a password
                command: [test, -n, 'admin:${password}']
          - id: keep
            title: Keep the password
            checks:
              - name: the Secret still holds it
                get: Secret/db
                expect:
                  - path: '{.data.password}'
                    digest: '${password}'
        """

    private var root: URL!
    private var labs: URL { root.appendingPathComponent("labs") }
    private var workspace: URL { root.appendingPathComponent("class/ada") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-secret-args-\(UUID().uuidString.prefix(8))")
        let folder = labs.appendingPathComponent("secret-args")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.lab.write(to: folder.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        // The cluster as the stand-in serves it: the Secret, and the exec as a real cluster sees
        // it, the password in its arguments.
        let snapshot = root.appendingPathComponent("cluster")
        try FileManager.default.createDirectory(at: snapshot.appendingPathComponent("outputs"), withIntermediateDirectories: true)
        try Data(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default","uid":"0d0b0000-0000-4000-8000-000000000001"},"type":"Opaque","data":{"password":"\#(Self.password)"}}"#.utf8)
            .write(to: snapshot.appendingPathComponent("secret.json"))
        try Data(#"{"exec":{"namespace":"default","pod":"db-0","command":["mysql","--user=admin","--password=\#(Self.password)","--execute","select 1"]},"result":{"exitCode":0,"stdout":"1\n","stderr":""}}"#.utf8)
            .write(to: snapshot.appendingPathComponent("outputs/login.json"))
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
    }

    private func klab(_ arguments: [String]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments, environment: [
            "PATH": KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin",
            "KLAB_STANDIN_SNAPSHOTS": root.appendingPathComponent("cluster").path,
            "KLAB_CLASS_KEY": "secret-args-class-key",
        ])
    }

    func testAPasswordInACallsArgumentsLeavesNoTraceAndGradesInFull() throws {
        let start = try klab(["start", "secret-args", "--labs", labs.path, "--learner", "ada", "--workspace", workspace.path])
        XCTAssertEqual(start.status, 0, start.stdout + start.stderr)
        for step in ["login", "keep"] {
            let verify = try klab(["verify", "--labs", labs.path, "--workspace", workspace.path])
            XCTAssertEqual(verify.status, 0, "\(step): \(verify.stdout)\(verify.stderr)")
        }

        let history = try GitWitness.run(["log", "-p", "--all"], in: workspace)
        XCTAssertTrue(history.contains("--password=sha256:"), "the exec is recorded with the digest in the password's place:\n\(history)")
        XCTAssertTrue(history.contains("admin:sha256:"), "and so is the command")
        for text in Self.plaintexts {
            XCTAssertFalse(history.contains(text), "\(text) is in the workspace's history")
        }
        // Nor anywhere else in the workspace (git's own objects are compressed: the log above reads them).
        let files = FileManager.default.enumerator(at: workspace, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { !$0.path.contains("/.git/") }
        for file in files {
            guard let content = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for text in Self.plaintexts {
                XCTAssertFalse(content.contains(text) || file.lastPathComponent.contains(text), "\(text) in \(file.path)")
            }
        }

        // Graded with the class key (KLAB_CLASS_KEY), as the learner signed.
        let grade = try klab(["grade", root.appendingPathComponent("class").path, "--labs", labs.path, "--lab", "secret-args",
                              "--format", "json"])
        XCTAssertEqual(grade.status, 0, grade.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(grade.stdout.utf8)) as? [String: Any])
        let ada = try XCTUnwrap((report["learners"] as? [[String: Any]])?.first { $0["learner"] as? String == "ada" }, grade.stdout)
        XCTAssertEqual((ada["flags"] as? [[String: Any]])?.count, 0, "\(ada["flags"] ?? "")")
        XCTAssertEqual(ada["points"] as? Int, 2, grade.stdout)
    }
}
