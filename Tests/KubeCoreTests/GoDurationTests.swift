import KubeCore
import XCTest

final class GoDurationTests: XCTestCase {
    func testGoUnitsAndPlainSeconds() {
        let cases: [(String, Double)] = [
            ("30s", 30), ("2m", 120), ("1h30m", 5400), ("500ms", 0.5), ("1.5s", 1.5), ("1m30s", 90),
            ("250us", 0.00025), ("10ns", 1e-8), ("90", 90), ("1.5", 1.5), ("0", 0), (" 2m ", 120),
        ]
        for (text, seconds) in cases {
            guard let parsed = GoDuration.seconds(text) else {
                XCTFail("\(text) should be a duration")
                continue
            }
            XCTAssertEqual(parsed, seconds, accuracy: 1e-12, text)
        }
    }

    func testAnythingElseIsRefused() {
        for text in ["", "2mx", "5d", "ms", "s", "1..5s", "-1s", "1 m", "½s", "m5", "1e3s", "nan", "inf"] {
            XCTAssertNil(GoDuration.seconds(text), text)
        }
    }
}
