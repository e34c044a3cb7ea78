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
}
