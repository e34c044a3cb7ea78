import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// What a check reads of a Secret or of a redacted output never reaches the evidence in plain
/// text: not the output itself, wherever it was recorded, nor what checks captured of it.
final class RedactedEvidenceTests: XCTestCase {
    static let password = "aHVudGVyMg=="
    static let token = "s3cr3t-token-1234"
    static let command = ["cat", "/var/run/secrets/token"]

    /// A cluster with one Secret, and a pod where a command prints a token.
    static func reader() throws -> ClusterReader {
        let secret = #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default","uid":"u-1"},"data":{"password":"\#(password)"}}]}"#
        let output = RecordedOutput.exec(namespace: "default", pod: "app-0", container: nil, command: command,
                                         result: CommandOutput(exitCode: 0, stdout: token + "\n", stderr: ""))
        let files = ["default/Secret.json": Data(secret.utf8), "outputs/token.json": Evidence.outputFile(output)]
        return ClusterReader(cluster: try SnapshotCluster(evidence: Evidence(files: files)), labNamespace: "default")
    }

    static func read(_ checks: [Check]) throws -> (results: [CheckResult], evidence: String) {
        let reader = try reader()
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate(checks)
        let text = reader.evidence.paths.map { String(decoding: reader.evidence.files[$0]!, as: UTF8.self) }.joined(separator: "\n")
        return (results, text)
    }

    static func printsToken(redact: Bool, capture: String? = nil) -> Check {
        var check = Check(name: redact ? "redacted" : "plain", source: .exec(ExecRequest(pod: "app-0", command: command)),
                          captures: capture.map { [Capture(name: $0, path: "{.stdout}")] } ?? [])
        check.redact = redact
        return check
    }

    func testACaptureFromASecretsDataIsMarkedAndLaterChecksGetTheValue() throws {
        let (results, _) = try Self.read([
            Check(name: "read", source: .get(ObjectSelector(kind: "Secret", name: "db")), captures: [
                Capture(name: "password", path: "{.items[0].data.password}"),
                Capture(name: "everything", path: "{.items[0]}"),
                Capture(name: "name", path: "{.items[0].metadata.name}"),
            ]),
            Check(name: "use", source: .get(ObjectSelector(kind: "Secret", name: "db")),
                  expectation: Expectation(all: [value("{.data.password}", .equals(.string("${password}")))])),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed], "\(results)")
        XCTAssertEqual(results[0].captures["password"], Self.password, "checks get the value itself")
        XCTAssertEqual(results[0].redactedCaptures, ["password", "everything"], "a name is not secret, the data is")
    }

    func testAnOutputRecordedPlainByAnEarlierCheckIsRedactedWhenALaterOneRedactsIt() throws {
        for order in [[false, true], [true, false]] {
            let (results, evidence) = try Self.read(order.map { Self.printsToken(redact: $0, capture: $0 ? "redactedToken" : "plainToken") })
            XCTAssertEqual(results.map(\.status), [.passed, .passed])
            XCTAssertFalse(evidence.contains(Self.token), "order \(order): the token is in the evidence:\n\(evidence)")
            XCTAssertTrue(evidence.contains(ValueDigest.of(text: Self.token + "\n")), evidence)
            // Both captures come from a redacted output, whichever check redacted it.
            let redacted = results.map(\.redactedCaptures).reduce(Set()) { $0.union($1) }
            XCTAssertEqual(redacted, ["plainToken", "redactedToken"], "order \(order)")
            XCTAssertEqual(results.compactMap { $0.captures.values.first }, [Self.token + "\n", Self.token + "\n"], "checks read the real output")
        }
    }

    func testTheSameStdoutFromAnotherCallIsRedactedToo() throws {
        let other = ["sh", "-c", "echo token"]
        let printed = CommandOutput(exitCode: 0, stdout: Self.token + "\n", stderr: "")
        let files = [
            "outputs/other.json": Evidence.outputFile(.command(arguments: other, result: printed)),
            "outputs/token.json": Evidence.outputFile(.exec(namespace: "default", pod: "app-0", container: nil, command: Self.command, result: printed)),
        ]
        let reader = ClusterReader(cluster: try SnapshotCluster(evidence: Evidence(files: files)), labNamespace: "default")
        _ = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate([
            Check(name: "plain", source: .command(other)), Self.printsToken(redact: true),
        ])
        let text = reader.evidence.files.values.map { String(decoding: $0, as: UTF8.self) }.joined()
        XCTAssertEqual(reader.evidence.files.count, 2)
        XCTAssertFalse(text.contains(Self.token), text)
    }

    func testAPlainOutputStaysPlain() throws {
        let (results, evidence) = try Self.read([Self.printsToken(redact: false, capture: "t")])
        XCTAssertTrue(evidence.contains(Self.token))
        XCTAssertEqual(results[0].redactedCaptures, [])
    }

    func testOverlapIsByWholePathSteps() {
        XCTAssertTrue(CheckEvaluator.overlaps(".items[0].data.password", ".items[0].data"))
        XCTAssertTrue(CheckEvaluator.overlaps(".items[0].data['tls.crt']", ".items[0].data"))
        XCTAssertTrue(CheckEvaluator.overlaps(".items[0]", ".items[0].data"))
        XCTAssertTrue(CheckEvaluator.overlaps("$", ".items[0].data"))
        XCTAssertFalse(CheckEvaluator.overlaps(".items[10].data", ".items[1].data"))
        XCTAssertFalse(CheckEvaluator.overlaps(".items[0].dataSize", ".items[0].data"))
        XCTAssertFalse(CheckEvaluator.overlaps(".items[0].metadata.name", ".items[0].data"))
    }

    func testDigestingTwiceChangesNothing() {
        let once = ValueDigest.keeping("secret")
        XCTAssertEqual(once, ValueDigest.of(text: "secret"))
        XCTAssertEqual(ValueDigest.keeping(once), once)
        XCTAssertEqual(ValueDigest.keeping(once.uppercased().replacingOccurrences(of: "SHA256:", with: "sha256:")), once)
        let output = RecordedOutput.command(arguments: ["x"], result: CommandOutput(exitCode: 0, stdout: "secret", stderr: ""))
        XCTAssertEqual(output.redacted.redacted, output.redacted)
    }

    // MARK: - A secret capture in a later call's arguments

    static let login = ["sh", "-c", "mysql -uadmin -p${password} -e 'select 1'"]
    static let curl = ["curl", "-u", "admin:${password}", "http://${owner}.default"]
    static let url = "http://db.default/login?key=${password}"

    /// What the cluster answers: the Secret, and each call as it is really made, the password in it.
    static func clusterWithCalls() throws -> SnapshotCluster {
        let secret = #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default","uid":"u-1"},"data":{"password":"\#(password)"}}]}"#
        let ok = CommandOutput(exitCode: 0, stdout: "1\n", stderr: "")
        let calls: [RecordedOutput] = [
            .exec(namespace: "default", pod: "db-0", container: nil, command: ["sh", "-c", "mysql -uadmin -p\(password) -e 'select 1'"], result: ok),
            .command(arguments: ["curl", "-u", "admin:\(password)", "http://db.default"], result: ok),
            .http(url: "http://db.default/login?key=aHVudGVyMg%3D%3D", result: HTTPOutput(status: 200, body: "welcome", error: nil)),
        ]
        var files = ["default/Secret.json": Data(secret.utf8)]
        for (index, call) in calls.enumerated() { files["outputs/call-\(index).json"] = Evidence.outputFile(call) }
        return try SnapshotCluster(evidence: Evidence(files: files))
    }

    static let checksUsingThePassword = [
        Check(name: "read", source: .get(ObjectSelector(kind: "Secret", name: "db")), captures: [
            Capture(name: "password", path: "{.items[0].data.password}"), Capture(name: "owner", path: "{.items[0].metadata.name}"),
        ]),
        Check(name: "log in", source: .exec(ExecRequest(pod: "db-0", command: login))),
        Check(name: "curl", source: .command(curl)),
        Check(name: "page", source: .http(HTTPRequest(url: url))),
    ]

    func testASecretCaptureInALaterCallsArgumentsIsRecordedAsItsDigestAndTheGraderMakesTheSameCall() throws {
        let reader = ClusterReader(cluster: try Self.clusterWithCalls(), labNamespace: "default")
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate(Self.checksUsingThePassword)
        XCTAssertEqual(results.map(\.status), [.passed, .passed, .passed, .passed], "\(results)")
        // What StepVerifier commits.
        let evidence = reader.evidence.redactingSecrets()
        let text = evidence.paths.map { $0 + "\n" + String(decoding: evidence.files[$0]!, as: UTF8.self) }.joined(separator: "\n")
        for plain in [Self.password, "aHVudGVyMg%3D%3D"] {
            XCTAssertFalse(text.contains(plain), "\(plain) is in the evidence:\n\(text)")
        }
        // Each call is recorded as the template with the digest in the password's place, and
        // only there; a capture that is not secret stays as it is.
        let digest = ValueDigest.of(text: Self.password)
        let recorded = try SnapshotCluster(evidence: evidence).recordedOutputs
        XCTAssertTrue(recorded.contains { $0.call == RecordedOutput.execCall(
            namespace: "default", pod: "db-0", container: nil, command: ["sh", "-c", "mysql -uadmin -p\(digest) -e 'select 1'"]) }, "\(recorded)")
        XCTAssertTrue(recorded.contains { $0.call == RecordedOutput.commandCall(["curl", "-u", "admin:\(digest)", "http://db.default"]) })
        XCTAssertTrue(recorded.contains { $0.call == RecordedOutput.httpCall(url: "http://db.default/login?key=sha256%3A\(digest.dropFirst(7))") })

        // The grader, from the evidence alone, captures the digest, makes the same calls, finds
        // each recording, and records evidence with the same names and bytes.
        let grader = ClusterReader(cluster: try SnapshotCluster(evidence: evidence), labNamespace: "default")
        let regraded = try CheckEvaluator(reader: grader, clock: FakeClock()).evaluate(Self.checksUsingThePassword)
        XCTAssertEqual(regraded.map(\.status), [.passed, .passed, .passed, .passed], "\(regraded)")
        XCTAssertEqual(regraded[0].captures["password"], digest)
        XCTAssertEqual(grader.evidence.redactingSecrets(), evidence)
    }

    func testWithoutASecretTheCallIsRecordedAsMade() throws {
        let command = CommandOutput(exitCode: 0, stdout: "db\n", stderr: "")
        let files = ["outputs/echo.json": Evidence.outputFile(.command(arguments: ["echo", "db"], result: command)),
                     "default/ConfigMap.json": Data(#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"db","namespace":"default"},"data":{"host":"db"}}]}"#.utf8)]
        let reader = ClusterReader(cluster: try SnapshotCluster(evidence: Evidence(files: files)), labNamespace: "default")
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate([
            Check(name: "host", source: .get(ObjectSelector(kind: "ConfigMap", name: "db")), captures: [Capture(name: "host", path: "{.items[0].data.host}")]),
            Check(name: "echo", source: .command(["echo", "${host}"])),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed])
        XCTAssertEqual(try SnapshotCluster(evidence: reader.evidence).recordedOutputs.map(\.call), [RecordedOutput.commandCall(["echo", "db"])])
    }
}
