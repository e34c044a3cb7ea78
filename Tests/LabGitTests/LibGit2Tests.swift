import XCTest
@testable import LabGit

final class LibGit2Tests: XCTestCase {
    func testReportsLinkedVersion() {
        let parts = LibGit2.version.split(separator: ".")
        XCTAssertEqual(parts.count, 3)
        XCTAssertGreaterThanOrEqual(Int(parts[0]) ?? 0, 1)
    }
}
