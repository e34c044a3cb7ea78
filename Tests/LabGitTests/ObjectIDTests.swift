import CLibGit2
import XCTest
@testable import LabGit

/// An object id held as its 20 bytes reads, prints, orders and converts exactly as its 40 hex
/// digits do, and as libgit2 spells it.
final class ObjectIDTests: XCTestCase {
    /// Ids whose digits exercise every nibble and the edges of each of the three words.
    let samples = [
        String(repeating: "0", count: 40),
        String(repeating: "f", count: 40),
        "0123456789abcdef0123456789abcdef01234567",
        "fedcba9876543210fedcba9876543210fedcba98",
        "000000000000000f000000000000000f0000000f",
        "8000000000000000800000000000000080000000",
        "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    ]

    func testHexRoundTripsAndUppercaseReadsAsLowercase() throws {
        for hex in samples {
            XCTAssertEqual(ObjectID(hex: hex)?.hex, hex)
            XCTAssertEqual(ObjectID(hex: hex.uppercased())?.hex, hex)
            XCTAssertEqual(ObjectID(hex: hex)?.description, hex)
            XCTAssertEqual(ObjectID(hex: hex)?.short, String(hex.prefix(7)))
        }
    }

    func testLibgit2FormIsTheSameBytes() throws {
        for hex in samples {
            let id = try XCTUnwrap(ObjectID(hex: hex))
            var parsed = git_oid()
            XCTAssertEqual(git_oid_fromstrn(&parsed, hex, 40), 0)
            var raw = id.raw
            XCTAssertEqual(git_oid_cmp(&raw, &parsed), 0, hex)
            XCTAssertEqual(ObjectID(parsed), id)
            var spelled = [CChar](repeating: 0, count: 41)
            git_oid_tostr(&spelled, 41, &raw)
            XCTAssertEqual(String(cString: spelled), hex)
        }
    }

    func testOrderIsTheOrderOfTheDigits() throws {
        let ids = try samples.map { try XCTUnwrap(ObjectID(hex: $0)) }
        XCTAssertEqual(ids.sorted().map(\.hex), samples.sorted())
        for a in ids {
            for b in ids {
                XCTAssertEqual(a < b, a.hex < b.hex, "\(a) < \(b)")
                XCTAssertEqual(a == b, a.hex == b.hex)
            }
        }
    }

    func testAnythingButFortyHexDigitsIsRefused() {
        let valid = samples[2]
        for text in ["", "xyz", String(valid.dropLast()), valid + "0", String(valid.dropLast()) + "g",
                     String(valid.dropLast()) + " ", " " + String(valid.dropFirst()), String(valid.dropLast()) + "é",
                     String(repeating: "g", count: 40)] {
            XCTAssertNil(ObjectID(hex: text), text)
        }
    }

    func testEqualIdsHashAlike() throws {
        let a = try XCTUnwrap(ObjectID(hex: samples[6]))
        let b = try XCTUnwrap(ObjectID(hex: samples[6].uppercased()))
        XCTAssertEqual(Set([a, b]).count, 1)
        XCTAssertEqual(Set(try samples.map { try XCTUnwrap(ObjectID(hex: $0)) }).count, samples.count)
    }
}
