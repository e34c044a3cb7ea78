import Foundation
import TestSupport
import XCTest

final class LabLintCommandTests: XCTestCase {
    func testProblemsAreListedThenCountedAndExitIs2() throws {
        let result = try KlabBinary.run(
            ["lab", "lint", "--labs", "Tests/Fixtures/labs", "unknown-keys", "wrong-id"],
            currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertEqual(result.stdout, """
            Tests/Fixtures/labs/unknown-keys/lab.yaml:4:1: unknown key 'sumary' in the lab; did you mean 'summary'?
            Tests/Fixtures/labs/unknown-keys/lab.yaml:8:5: unknown key 'hint' in a step; did you mean 'hints'?
            Tests/Fixtures/labs/unknown-keys/lab.yaml:12:9: unknown key 'expcet' in a check; did you mean 'expect'?
            Tests/Fixtures/labs/unknown-keys/lab.yaml:16:26: unknown key 'colour' in a 'get' selector; known keys: kind, apiVersion, name, namespace, labels, fields
            Tests/Fixtures/labs/unknown-keys/lab.yaml:18:38: unknown key 'stauts' in a condition; did you mean 'status'?
            Tests/Fixtures/labs/wrong-id/lab.yaml:1:9: format 2 is not supported; this klab reads format 1
            Tests/Fixtures/labs/wrong-id/lab.yaml:2:5: lab id 'wrong-name' differs from its folder name 'wrong-id'; make them equal
            7 problems in 2 labs

            """)
    }

    func testCleanLabExitsZero() throws {
        let result = try KlabBinary.run(
            ["lab", "lint", "--labs", "Tests/Fixtures/labs", "complete-lab"], currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stdout, "1 lab, no problems\n")
    }

    func testAPlainReadOfARedactedOutputIsAWarningThatFailsNothing() throws {
        let result = try KlabBinary.run(
            ["lab", "lint", "--labs", "Tests/Fixtures/labs", "redacted-outputs"], currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, result.stdout)
        XCTAssertTrue(lines[0].hasPrefix("Tests/Fixtures/labs/redacted-outputs/lab.yaml:8:9: warning: check 'The token is not empty' in step 'token' reads the stdout of the same exec as check 'The token is the Secret's', which has redact: true;"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix(": add redact: true here and compare with digest, or read only exitCode"), lines[0])
        XCTAssertTrue(lines[1].contains("lab.yaml:43:9: warning: check 'Remember the session' in step 'login' reads the stdout of the same command"), lines[1])
        XCTAssertEqual(lines[2], "1 lab, no problems, 2 warnings")
    }

    func testProjectLabsAreClean() throws {
        let result = try KlabBinary.run(["lab", "lint"], currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasSuffix("labs, no problems\n"), result.stdout)
    }

    func testJSONNamesFileLineAndColumn() throws {
        let result = try KlabBinary.run(
            ["lab", "lint", "--labs", "Tests/Fixtures/labs", "missing-files", "-o", "json"], currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, 2)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let problems = try XCTUnwrap(json["problems"] as? [[String: Any]])
        XCTAssertEqual(problems.count, 2)
        XCTAssertEqual(problems[0]["file"] as? String, "Tests/Fixtures/labs/missing-files/lab.yaml")
        XCTAssertEqual(problems[0]["line"] as? Int, 7)
        XCTAssertEqual(problems[0]["column"] as? Int, 17)
        XCTAssertEqual(problems[0]["message"] as? String, "manifest 'manifests/not-there.yaml' does not exist; create it or fix the path")
    }
}
