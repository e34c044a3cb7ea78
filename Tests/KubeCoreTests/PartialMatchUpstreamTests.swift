import KubeJSON
import XCTest
@testable import KubeCore

/// The cases of kuttl's subset test, ported as data (not code): `internal/utils/subset_test.go`
/// (`TestIsSubset`) at kudobuilder/kuttl commit d691781e39c6a427878bbc2e0657307524fe833e.
/// kuttl's `IsSubset(expected, actual)` returns nil when `actual` contains `expected`.
final class PartialMatchUpstreamTests: XCTestCase {
    func testIsSubset() throws {
        let cases: [(expected: String, actual: String, subset: Bool)] = [
            (#"{"hello":"world"}"#, #"{"hello":"world","bye":"moon"}"#, true),
            (#"{"hello":"moon"}"#, #"{"hello":"world","bye":"moon"}"#, false),
            (#"{"hello":{"hello":"world"}}"#, #"{"hello":{"hello":"world","bye":"moon"}}"#, true),
            (#"{"hello":{"hello":"moon"}}"#, #"{"hello":{"hello":"world","bye":"moon"}}"#, false),
            (#"{"hello":{"hello":"moon"}}"#, #"{"hello":"world"}"#, false),
            (#"{"hello":"world"}"#, #"{}"#, false),
            (#"{"hello":[1,2,3]}"#, #"{"hello":[1,2,3]}"#, true),
            (#"{"hello":{"hello":[{"image":"hello"}]}}"#, #"{"hello":{"hello":[{"image":"hello","bye":"moon"}]}}"#, true),
            (#"{"hello":{"hello":[{"image":"hello"}]}}"#, #"{"hello":{"hello":[{"image":"hello","bye":"moon"},{"bye":"moon"}]}}"#, false),
            (#"{"hello":{"hello":[{"image":"hello"}]}}"#, #"{"hello":{"hello":[{"image":"world"}]}}"#, false),
        ]
        for (expected, actual, subset) in cases {
            let matches = PartialMatch.matches(expected: try JSONParser.parse(expected), actual: try JSONParser.parse(actual))
            XCTAssertEqual(matches, subset, "\(expected) in \(actual)")
        }
    }
}
