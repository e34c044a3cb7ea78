import Foundation
import KubeCore
import KubeJSON
import XCTest

/// Expected values come from kubectl 1.32 (`kubectl set resources --local --limits=cpu=Q`),
/// which parses with apimachinery's `ParseQuantity`.
final class QuantityTests: XCTestCase {
    private func q(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Quantity {
        do { return try Quantity(text) } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
            return try! Quantity("0")
        }
    }

    func testSuffixesScaleExactly() {
        XCTAssertEqual(q("1Ki"), q("1024"))
        XCTAssertEqual(q("128Mi"), q("134217728"))
        XCTAssertEqual(q("2Gi"), q("2147483648"))
        XCTAssertEqual(q("0.5"), q("500m"))
        XCTAssertEqual(q("1.5"), q("1500m"))
        XCTAssertEqual(q("1e3"), q("1k"))
        XCTAssertEqual(q("1E3"), q("1000"))
        XCTAssertEqual(q("1e+3"), q("1k"))
        XCTAssertEqual(q("1e-3"), q("1m"))
        XCTAssertEqual(q("100k"), q("0.1M"))
        XCTAssertEqual(q("1E"), q("1000000000000000000"))
        XCTAssertEqual(q("1u"), q("1000n"))
        XCTAssertEqual(q("0.1Ki"), q("102400m"))
        XCTAssertEqual(q("1.5Ki"), q("1536"))
        XCTAssertEqual(q("00012m"), q("12m"))
        XCTAssertEqual(q("1.G"), q("1G"))
    }

    func testOrdering() {
        XCTAssertLessThan(q("500m"), q("1"))
        XCTAssertLessThan(q("2G"), q("2Gi"))
        XCTAssertLessThan(q("-1"), q("0"))
        XCTAssertLessThan(q("-2"), q("-1500m"))
        XCTAssertGreaterThan(q("1.0000000001"), q("1"))
        XCTAssertLessThan(q("999Mi"), q("1Gi"))
        XCTAssertGreaterThan(q("1e4294967299"), q("999")) // exponent keeps its low 32 bits: 1e3
        XCTAssertEqual(q("1e4294967299"), q("1k"))
        XCTAssertTrue(ComparisonOperator_ge(q("512Mi"), q("500M")))
    }

    private func ComparisonOperator_ge(_ a: Quantity, _ b: Quantity) -> Bool { a >= b }

    func testTinyValuesRoundUpToTheNextNanoAwayFromZero() {
        XCTAssertEqual(q("0.00000000015"), q("1n"))
        XCTAssertEqual(q("-0.00000000015"), q("-1n"))
        XCTAssertEqual(q("2.5e-9"), q("3n"))
        XCTAssertEqual(q("1.0000000001"), q("1000000001n"))
        XCTAssertEqual(q("0.0000000000001Ki"), q("1n"))
        XCTAssertEqual(q("1e-10"), q("1n"))
    }

    func testBinaryValuesAreCappedAtMaxInt64ButDecimalOnesAreNot() {
        XCTAssertEqual(q("8Ei"), q("9223372036854775807"))
        XCTAssertEqual(q("9Ei"), q("8Ei"))
        XCTAssertEqual(q("8192Pi"), q("9223372036854775807"))
        XCTAssertEqual(q("7Ei"), q("8070450532247928832"))
        XCTAssertGreaterThan(q("12345678901234567890"), q("9223372036854775807"))
        XCTAssertEqual(q("100000000000000000000"), q("100E"))
        XCTAssertEqual(q("10E"), q("1e19"))
    }

    func testOddTextKubernetesReadsAsZero() {
        for text in ["0", ".", "-", "+", "-0", "000", "e3", "m"] {
            XCTAssertTrue(q(text).isZero, text)
            XCTAssertEqual(q(text), q("0"), text)
        }
    }

    func testTextKubernetesRejects() {
        let rejected = ["", "1e", "1ee3", "1e3m", "1 ", " 1", "1.2.3", "--1", "abc", "1Kb", "1KiB", "1e-12k", "0x10", "1_000"]
        for text in rejected {
            XCTAssertThrowsError(try Quantity(text), text) { error in
                XCTAssertTrue("\(error)".contains("is not a Kubernetes quantity"), "\(error)")
            }
        }
        XCTAssertThrowsError(try Quantity("1e")) { XCTAssertTrue("\($0)".contains("suffix \"e\""), "\($0)") }
    }

    func testJSONValues() throws {
        XCTAssertEqual(try Quantity(json: .int(3)), q("3"))
        XCTAssertEqual(try Quantity(json: .double(0.5)), q("500m"))
        XCTAssertEqual(try Quantity(json: .string("64Mi")), q("67108864"))
        XCTAssertThrowsError(try Quantity(json: .bool(true)))
        XCTAssertThrowsError(try Quantity(json: .null))
    }

    func testKeepsTheTextItWasWrittenAs() {
        XCTAssertEqual(q("1.5Gi").description, "1.5Gi")
        XCTAssertEqual(Set([q("1Ki"), q("1024"), q("1.024k")]).count, 1)
    }

    /// Differential: every quantity kubectl accepts has the value of the canonical form kubectl
    /// prints for it, and every one it rejects is rejected here (Scripts/gen-quantity-fixtures).
    /// Scripts/difffuzz adds the quantities it generated (KLAB_QUANTITY_CASES, same format).
    func testAgreesWithKubectl() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/quantities/kubectl.tsv")
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertGreaterThan(lines.count, 80)
        if let generated = ProcessInfo.processInfo.environment["KLAB_QUANTITY_CASES"] {
            lines += try String(contentsOfFile: generated, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        }
        for line in lines {
            let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let (input, kubectl) = (fields[0], fields[1])
            if kubectl == "error" {
                XCTAssertThrowsError(try Quantity(input), "kubectl rejects \"\(input)\"")
            } else {
                XCTAssertEqual(q(input), q(kubectl), "kubectl reads \"\(input)\" as \(kubectl)")
            }
        }
    }
}
