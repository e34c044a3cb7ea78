import XCTest
@testable import KubeJSON

final class GoFormatTests: XCTestCase {
    func testPercentVMatchesGo() {
        XCTAssertEqual(GoFormat.percentV(3), "3")
        XCTAssertEqual(GoFormat.percentV(0.5), "0.5")
        XCTAssertEqual(GoFormat.percentV(1.5e6), "1.5e+06")
        XCTAssertEqual(GoFormat.percentV(1e21), "1e+21")
        XCTAssertEqual(GoFormat.percentV(123456), "123456")
        XCTAssertEqual(GoFormat.percentV(0.0001), "0.0001")
        XCTAssertEqual(GoFormat.percentV(0.00001), "1e-05")
        XCTAssertEqual(GoFormat.percentV(-2.25), "-2.25")
    }

    func testJSONFloatMatchesEncodingJSON() {
        XCTAssertEqual(GoFormat.jsonFloat(1.5e6), "1500000")
        XCTAssertEqual(GoFormat.jsonFloat(1e21), "1e+21")
        XCTAssertEqual(GoFormat.jsonFloat(1e-7), "1e-7")
        XCTAssertEqual(GoFormat.jsonFloat(0.5), "0.5")
    }
}
