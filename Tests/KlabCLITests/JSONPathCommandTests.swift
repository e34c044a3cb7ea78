import Foundation
import TestSupport
import XCTest

/// `klab jsonpath` through the built binary. Expected output is kubectl's (see
/// JSONPathPrinterTests for the commands that produced it).
final class JSONPathCommandTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("klab-jsonpath-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0"},"spec":{"containers":[{"name":"app"},{"name":"side"}]}}"#

    func testPrintsWithoutATrailingNewline() throws {
        let file = try write("pod.json", pod)
        let result = try KlabBinary.run(["jsonpath", "{.spec.containers[*].name}", file])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "app side")
        XCTAssertEqual(result.stderr, "")
    }

    func testReadsStdin() throws {
        let result = try KlabBinary.run(["jsonpath", #"{.metadata.name}{"\n"}"#, "-"], stdin: pod)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "web-0\n")
        let implicit = try KlabBinary.run(["jsonpath", "{.kind}"], stdin: pod)
        XCTAssertEqual(implicit.stdout, "Pod")
    }

    func testAListIsOneListObjectAsKubectlGetPrintsIt() throws {
        let list = #"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"42"},"items":[\#(pod),{"kind":"Pod","metadata":{"name":"web-1"}}]}"#
        let file = try write("pods.json", list)
        let result = try KlabBinary.run(["jsonpath", #"{.kind} {.metadata.resourceVersion}:{range .items[*]} {.metadata.name}{end}"#, file])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "List 42: web-0 web-1")
    }

    func testExecutionErrorIsOneLineAndExit2() throws {
        let file = try write("pod.json", pod)
        let result = try KlabBinary.run(["jsonpath", "{.spec.containers[5]}", file])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "klab: error executing jsonpath \"{.spec.containers[5]}\": array index out of bounds: index 5, length 2\n")
    }

    func testParseErrorIsOneLineAndExit2() throws {
        let result = try KlabBinary.run(["jsonpath", "{.a[", "-"], stdin: pod)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "klab: error parsing jsonpath {.a[, unterminated array\n")
    }

    func testEmptyTemplateIsRefusedLikeKubectl() throws {
        let result = try KlabBinary.run(["jsonpath", "", "-"], stdin: pod)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "klab: template format specified but no template given\n")
    }

    func testBadInputNamesTheFileAndPosition() throws {
        let file = try write("broken.json", "{\"a\":\n  [1,,2]}")
        let result = try KlabBinary.run(["jsonpath", "{.a}", file])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.hasPrefix("klab: invalid JSON in \(file) at line 2"), result.stderr)
        XCTAssertTrue(result.stderr.contains("line 2"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)

        let missing = try KlabBinary.run(["jsonpath", "{.a}", dir.appendingPathComponent("nope.json").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("nope.json"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
    }

    func testReadsYAMLAndSeveralDocumentsAsOneList() throws {
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: first
            data:
              enabled: "yes"
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: second
            """
        let file = try write("cms.yaml", yaml)
        let result = try KlabBinary.run(["jsonpath", "{.kind}:{.items[*].metadata.name} {.items[0].data.enabled}", file])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "List:first second yes")
        let single = try KlabBinary.run(["jsonpath", "{.metadata.name}", "-"], stdin: "kind: Pod\nmetadata:\n  name: solo\n")
        XCTAssertEqual(single.stdout, "solo")
    }

    func testJSONOutputShowsCheckModeMatches() throws {
        let result = try KlabBinary.run(["jsonpath", "{.spec.containers[*].name}", "-", "--output", "json"], stdin: pod)
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let matches = json?["matches"] as? [[String: Any]]
        XCTAssertEqual(matches?.map { $0["path"] as? String }, [".spec.containers[0].name", ".spec.containers[1].name"])
        XCTAssertEqual(matches?.map { $0["value"] as? String }, ["app", "side"])
    }
}
