@testable import Grading
import XCTest

/// What a flag says agrees with its numbers.
final class FlagWordingTests: XCTestCase {
    func testFixtureEvidenceAgreesInNumber() {
        XCTAssertEqual(OfflineGrader.fixtureEvidenceDetail(1),
                       "1 object in the evidence carries the UIDs of the labs' shipped fixtures: a replay, not a cluster")
        XCTAssertEqual(OfflineGrader.fixtureEvidenceDetail(4),
                       "4 objects in the evidence carry the UIDs of the labs' shipped fixtures: a replay, not a cluster")
    }
}
