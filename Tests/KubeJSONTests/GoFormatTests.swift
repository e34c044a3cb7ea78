import XCTest
@testable import KubeJSON

/// Every expected string is what kubectl v1.32 printed for the number on the left:
/// `-o jsonpath='{.v}'` for `percentV` (Go's %v) and `{.list}` (encoding/json) for `jsonFloat`.
final class GoFormatTests: XCTestCase {
    private let cases: [(value: Double, percentV: String, json: String)] = [
        (3.0, "3", "3"),
        (0.5, "0.5", "0.5"),
        (1.5e6, "1.5e+06", "1500000"),
        (1e21, "1e+21", "1e+21"),
        (1e-05, "1e-05", "0.00001"),
        (0.0001, "0.0001", "0.0001"),
        (123456.0, "123456", "123456"),
        (1234567.0, "1.234567e+06", "1234567"),
        (100000.0, "100000", "100000"),
        (999999.0, "999999", "999999"),
        (1000000.0, "1e+06", "1000000"),
        (0.1, "0.1", "0.1"),
        (0.2, "0.2", "0.2"),
        (0.30000000000000004, "0.30000000000000004", "0.30000000000000004"),
        (1e+100, "1e+100", "1e+100"),
        (1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157e+308"),
        (.leastNonzeroMagnitude, "5e-324", "5e-324"),
        (-2.25, "-2.25", "-2.25"),
        (2.5e-5, "2.5e-05", "0.000025"),
        (123456789.123, "1.23456789123e+08", "123456789.123"),
        (0.000123, "0.000123", "0.000123"),
        (12345.678, "12345.678", "12345.678"),
        (1e20, "1e+20", "100000000000000000000"),
        (33.333333333333336, "33.333333333333336", "33.333333333333336"),
        (-0.0, "-0", "-0"),
        (9.999999e5, "999999.9", "999999.9"),
        (6.02e23, "6.02e+23", "6.02e+23"),
        (0.00001234, "1.234e-05", "0.00001234"),
        (1e-7, "1e-07", "1e-7"),
        (9.223372036854776e18, "9.223372036854776e+18", "9223372036854776000"),
    ]

    func testPercentVMatchesKubectl() {
        for c in cases {
            XCTAssertEqual(GoFormat.percentV(c.value), c.percentV, "\(c.value)")
        }
    }

    func testJSONFloatMatchesKubectl() {
        for c in cases {
            XCTAssertEqual(GoFormat.jsonFloat(c.value), c.json, "\(c.value)")
        }
    }

    func testNonFiniteValuesPrintAsGo() {
        XCTAssertEqual(GoFormat.percentV(.infinity), "+Inf")
        XCTAssertEqual(GoFormat.percentV(-.infinity), "-Inf")
        XCTAssertEqual(GoFormat.percentV(.nan), "NaN")
    }

    func testFloat32FormattingOfYAMLKeys() {
        // kubectl turned these YAML keys into "1e+06", "0.1", "3.1415927", "1.5".
        XCTAssertEqual(GoFormat.formatFloat32(1e6), "1e+06")
        XCTAssertEqual(GoFormat.formatFloat32(0.1), "0.1")
        XCTAssertEqual(GoFormat.formatFloat32(Float(3.14159265358979)), "3.1415927")
        XCTAssertEqual(GoFormat.formatFloat32(1.5), "1.5")
    }
}
