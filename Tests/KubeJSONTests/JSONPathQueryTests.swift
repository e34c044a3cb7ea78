import KubeJSON
import XCTest

/// Check mode (DESIGN.md "Checks"): the same grammar, but absent instead of "" or an error,
/// numbers compared as numbers, filter type mismatches false with a note, `['a.b']` a key.
final class JSONPathQueryTests: XCTestCase {
    private func query(_ template: String, _ json: String = JSONPathPrinterTests.pod) throws -> JSONPathQueryResult {
        try JSONPath(template).query(JSONParser.parse(json))
    }

    func testMatchesCarryConcretePaths() throws {
        let result = try query("{.spec.containers[*].image}")
        XCTAssertEqual(result.matches, [
            JSONPathMatch(path: ".spec.containers[0].image", value: .string("nginx:1.27")),
            JSONPathMatch(path: ".spec.containers[1].image", value: .string("envoy:1.30")),
        ])
        XCTAssertEqual(result.notes, [])
        XCTAssertFalse(result.isAbsent)
        XCTAssertEqual(try query("{}").matches.map(\.path), ["$"])
    }

    func testBracketKeyWithDotsIsOneKey() throws {
        let result = try query("{.metadata.labels['app.kubernetes.io/name']}")
        XCTAssertEqual(result.matches, [JSONPathMatch(path: ".metadata.labels['app.kubernetes.io/name']", value: .string("web"))])
        let escaped = try query(#"{.metadata.labels.app\.kubernetes\.io/name}"#)
        XCTAssertEqual(escaped.matches.map(\.path), [".metadata.labels['app.kubernetes.io/name']"])
    }

    func testAbsentInsteadOfErrors() throws {
        XCTAssertTrue(try query("{.spec.missing}").isAbsent)
        XCTAssertTrue(try query("{.spec.containers[5].name}").isAbsent)
        XCTAssertTrue(try query("{.spec.tolerations[0]}").isAbsent)
        XCTAssertTrue(try query("{.metadata[0]}").isAbsent)
        XCTAssertTrue(try query("{.status.gone[?(@.x)]}").isAbsent)
        // An empty array no longer hides the items after it.
        XCTAssertEqual(
            try query("{.a[*].p[*]}", #"{"a":[{"p":[1]},{"p":[]},{"p":[2]}]}"#).matches.map(\.value),
            [.int(1), .int(2)])
        // A present null is a value, not an absence.
        XCTAssertEqual(try query("{.status.gone}").matches, [JSONPathMatch(path: ".status.gone", value: .null)])
    }

    func testNumbersCompareAsNumbers() throws {
        let json = #"{"a":[{"v":3},{"v":3.0},{"v":2.5},{"v":"3"}]}"#
        let result = try query("{.a[?(@.v==3)].v}", json)
        XCTAssertEqual(result.matches.map(\.path), [".a[0].v", ".a[1].v"])
        XCTAssertEqual(result.notes, ["filter compared a string with a number: treated as false"])
        XCTAssertEqual(try query("{.a[?(@.v>2.6)]}", json).matches.map(\.path), [".a[0]", ".a[1]"])
    }

    func testFilterTypeMismatchIsFalseWithANote() throws {
        let result = try query(#"{.a[?(@.v=="x")].v}"#, #"{"a":[{"v":1},{"v":"x"},{"v":null}]}"#)
        XCTAssertEqual(result.matches.map(\.value), [.string("x")])
        XCTAssertEqual(result.notes, [
            "filter compared a number with a string: treated as false",
            "filter compared a null with a string: treated as false",
        ])
    }

    func testTemplateMistakesBecomeNotes() throws {
        let unknown = try query("{.status.conditions[?(@.type=1)]}")
        XCTAssertTrue(unknown.isAbsent)
        XCTAssertEqual(unknown.notes, ["unrecognized filter operator =: treated as false"])
        XCTAssertEqual(try query("{end}").notes, ["not in range, nothing to end"])
        XCTAssertEqual(try query("{.a[::0]}", #"{"a":[1]}"#).notes, ["step must be > 0"])
    }

    func testTextLiteralsAreNotMatches() throws {
        let result = try query(#"{range .spec.containers[*]}{.name}{"\n"}{end}"#)
        XCTAssertEqual(result.matches, [
            JSONPathMatch(path: ".spec.containers[0].name", value: .string("app")),
            JSONPathMatch(path: ".spec.containers[1].name", value: .string("sidecar")),
        ])
    }

    func testFilterPathsAndRecursiveDescent() throws {
        let ready = try query(#"{.status.conditions[?(@.type=="Ready")].status}"#)
        XCTAssertEqual(ready.matches, [JSONPathMatch(path: ".status.conditions[0].status", value: .string("True"))])
        let ports = try query("{..containerPort}")
        XCTAssertEqual(ports.matches, [JSONPathMatch(path: ".spec.containers[0].ports[0].containerPort", value: .int(80))])
    }
}
