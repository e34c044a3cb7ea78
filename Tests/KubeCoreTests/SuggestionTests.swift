import KubeCore
import XCTest

final class SuggestionTests: XCTestCase {
    func testASwapOfNeighboursIsOneEdit() {
        XCTAssertEqual(Suggestion.editDistance("stauts", "status"), 1)
        XCTAssertEqual(Suggestion.editDistance("stauts", "start"), 2)
        XCTAssertEqual(Suggestion.editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestion.editDistance("", "abc"), 3)
    }

    func testTheClosestWordWinsAndFarWordsAreNotSuggested() {
        XCTAssertEqual(Suggestion.closest(to: "stauts", in: ["start", "status", "verify"]), "status")
        XCTAssertEqual(Suggestion.closest(to: "tset", in: ["list", "show", "lint", "render", "test"]), "test")
        XCTAssertNil(Suggestion.closest(to: "frobnicate", in: ["start", "status", "verify"]))
    }
}
