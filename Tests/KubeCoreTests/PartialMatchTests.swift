import KubeCore
import KubeJSON
import XCTest

final class PartialMatchTests: XCTestCase {
    private func json(_ text: String) -> JSONValue { try! JSONParser.parse(text) }

    private func mismatch(_ expected: String, _ actual: String, anyOrder: Bool = false) -> PartialMismatch? {
        PartialMatch.mismatch(expected: json(expected), actual: json(actual), anyOrder: anyOrder)
    }

    func testMapsAreSubsets() {
        XCTAssertNil(mismatch(#"{"spec":{"replicas":3}}"#, #"{"spec":{"replicas":3,"paused":false},"kind":"Deployment"}"#))
        let m = mismatch(#"{"spec":{"replicas":3}}"#, #"{"spec":{"replicas":2}}"#)
        XCTAssertEqual(m?.path, ".spec.replicas")
        XCTAssertEqual(m?.description, ".spec.replicas expected 3, found 2")
    }

    func testMissingKeyIsReportedWithItsPath() {
        let m = mismatch(#"{"metadata":{"labels":{"eks.amazonaws.com/compute-type":"fargate"}}}"#, #"{"metadata":{"labels":{}}}"#)
        XCTAssertEqual(m?.reason, .missing)
        XCTAssertEqual(m?.description, #".metadata.labels['eks.amazonaws.com/compute-type'] expected "fargate", found absent"#)
    }

    func testArraysAreOrderedAndOfTheSameLength() {
        let actual = #"{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"}]}"#
        XCTAssertNil(mismatch(#"{"containers":[{"name":"a"},{"name":"b"}]}"#, actual))
        XCTAssertEqual(mismatch(#"{"containers":[{"name":"b"},{"name":"a"}]}"#, actual)?.description,
                       #".containers[0].name expected "b", found "a""#)
        XCTAssertEqual(mismatch(#"{"containers":[{"name":"a"}]}"#, actual)?.description,
                       ".containers expected an array of 1 element, found 2")
    }

    func testAnyOrderMatchesEachExpectedElementToADistinctActualOne() {
        let actual = #"{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"},{"name":"c","image":"nginx"}]}"#
        XCTAssertNil(mismatch(#"{"containers":[{"name":"b"},{"name":"a"}]}"#, actual, anyOrder: true))
        // A greedy first choice would give {image: nginx} the first element and leave nothing for {name: a}.
        XCTAssertNil(mismatch(#"{"containers":[{"image":"nginx"},{"name":"a"}]}"#, actual, anyOrder: true))
        // Two expected elements cannot share the one actual element that fits both.
        let twice = mismatch(#"{"containers":[{"image":"redis"},{"name":"b"}]}"#, actual, anyOrder: true)
        XCTAssertEqual(twice?.path, ".containers")
        XCTAssertEqual(twice?.description,
                       #".containers: no element matches expected element [1] {"name":"b"} (the 1 that matches are taken by other expected elements)"#)
        let none = mismatch(#"{"containers":[{"name":"a","image":"alpine"}]}"#, actual, anyOrder: true)
        XCTAssertEqual(none?.description,
                       #".containers: no element matches expected element [0] {"name":"a","image":"alpine"}; closest: .containers[0].image expected "alpine", found "nginx""#)
    }

    func testNumbersCompareAsNumbersButOtherTypesMustAgree() {
        XCTAssertNil(mismatch(#"{"a":3}"#, #"{"a":3.0}"#))
        XCTAssertNil(mismatch(#"{"a":0.5}"#, #"{"a":0.5}"#))
        XCTAssertEqual(mismatch(#"{"a":"3"}"#, #"{"a":3}"#)?.reason, .type)
        XCTAssertEqual(mismatch(#"{"a":true}"#, #"{"a":"true"}"#)?.reason, .type)
        XCTAssertEqual(mismatch(#"{"a":null}"#, #"{}"#)?.reason, .missing)
        XCTAssertNil(mismatch(#"{"a":null}"#, #"{"a":null}"#))
        XCTAssertEqual(mismatch(#"{"a":{"b":1}}"#, #"{"a":[1]}"#)?.description, #".a expected {"b":1}, found [1]"#)
    }

    func testNestedAnyOrderReportsTheDeepestPath() {
        let actual = #"{"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":80}]}]}}}}"#
        let m = mismatch(#"{"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":8080}]}]}}}}"#, actual)
        XCTAssertEqual(m?.path, ".spec.template.spec.containers[0].ports[0].containerPort")
        XCTAssertEqual(m?.expected, .int(8080))
        XCTAssertEqual(m?.found, .int(80))
    }

    func testSameValueIgnoresKeyOrderAndNumberRepresentation() {
        XCTAssertTrue(JSONValue.sameValue(json(#"{"a":1,"b":[2.0]}"#), json(#"{"b":[2],"a":1.0}"#)))
        XCTAssertFalse(JSONValue.sameValue(json("1"), json("1.5")))
        XCTAssertFalse(JSONValue.sameValue(json("9007199254740993"), json("9007199254740992.0")))
    }
}
