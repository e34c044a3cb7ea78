import KubeCore
import XCTest

final class CIDRTests: XCTestCase {
    func testIPv4Blocks() throws {
        let secondary = try XCTUnwrap(CIDR("100.64.0.0/10"))
        XCTAssertTrue(secondary.contains("100.64.0.1"))
        XCTAssertTrue(secondary.contains("100.127.255.254"))
        XCTAssertFalse(secondary.contains("100.128.0.1"))
        XCTAssertFalse(secondary.contains("192.168.10.4"))
        let vpc = try XCTUnwrap(CIDR("10.0.0.0/16"))
        XCTAssertTrue(vpc.contains("10.0.37.200"))
        XCTAssertFalse(vpc.contains("10.1.0.1"))
        XCTAssertTrue(try XCTUnwrap(CIDR("0.0.0.0/0")).contains("8.8.8.8"))
        XCTAssertTrue(try XCTUnwrap(CIDR("10.0.0.7")).contains("10.0.0.7"))
        XCTAssertFalse(try XCTUnwrap(CIDR("10.0.0.7/32")).contains("10.0.0.8"))
    }

    func testIPv6Blocks() throws {
        let ula = try XCTUnwrap(CIDR("fd00::/8"))
        XCTAssertTrue(ula.contains("fd12:3456:789a::1"))
        XCTAssertFalse(ula.contains("fe80::1"))
        let eks = try XCTUnwrap(CIDR("2600:1f14:abc:de00::/56"))
        XCTAssertTrue(eks.contains("2600:1f14:abc:de42:8c3a::7"))
        XCTAssertFalse(eks.contains("2600:1f14:abc:df00::1"))
        XCTAssertTrue(try XCTUnwrap(CIDR("::ffff:0:0/96")).contains("::ffff:10.0.0.1"))
        XCTAssertTrue(try XCTUnwrap(CIDR("1:2:3:4:5:6:7::/128")).contains("1:2:3:4:5:6:7:0"))
    }

    func testFamiliesNeverMix() throws {
        XCTAssertFalse(try XCTUnwrap(CIDR("0.0.0.0/0")).contains("::1"))
        XCTAssertFalse(try XCTUnwrap(CIDR("::/0")).contains("10.0.0.1"))
    }

    func testTextThatIsNotABlockOrAnAddress() throws {
        for text in ["10.0.0.0/33", "10.0.0/8", "10.0.0.256/8", "010.0.0.0/8", "10.0.0.0/", "10.0.0.0/-1", "fd00::/129",
                     "1::2::3", "12345::/8", "web", "", "10.0.0.0/8/8"] {
            XCTAssertNil(CIDR(text), text)
        }
        let block = try XCTUnwrap(CIDR("10.0.0.0/8"))
        for ip in ["", "10.0.0", "10.0.0.1.2", "10.0.0.1 ", "localhost", "<none>"] {
            XCTAssertFalse(block.contains(ip), ip)
        }
    }
}

extension CIDRTests {
    /// `subnetOf`: a block inside a block, at the edges.
    func testABlockInsideABlock() throws {
        func block(_ text: String) throws -> CIDR { try XCTUnwrap(CIDR(text), text) }
        let vpc = try block("100.64.0.0/16")
        XCTAssertTrue(vpc.contains(try block("100.64.32.0/19")), "a /19 subnet of the /16")
        XCTAssertTrue(vpc.contains(try block("100.64.224.0/19")), "the last /19 of it")
        XCTAssertTrue(vpc.contains(try block("100.64.255.255/32")), "its last address, as a block")
        XCTAssertTrue(vpc.contains(vpc), "the same block")
        XCTAssertTrue(vpc.contains(try block("100.64.0.0/16")), "an equal block written again")
        XCTAssertFalse(vpc.contains(try block("100.64.0.0/15")), "a larger block with the same start")
        XCTAssertFalse(vpc.contains(try block("100.0.0.0/10")), "the larger block around it")
        XCTAssertFalse(vpc.contains(try block("100.65.0.0/19")), "next door")
        XCTAssertFalse(vpc.contains(try block("100.200.0.0/24")))
        XCTAssertTrue(try block("0.0.0.0/0").contains(vpc))
        XCTAssertTrue(try block("100.64.0.0/10").contains(try block("100.127.0.0/16")))
        XCTAssertFalse(try block("100.64.0.0/10").contains(try block("100.128.0.0/16")))
        // host bits set in either block name the network they belong to
        XCTAssertTrue(try block("100.64.7.9/16").contains(try block("100.64.32.1/19")))
        // IPv6: handled the same way; the families never mix
        let v6 = try block("2600:1f14:abc:de00::/56")
        XCTAssertTrue(v6.contains(try block("2600:1f14:abc:de42::/64")))
        XCTAssertTrue(v6.contains(v6))
        XCTAssertFalse(v6.contains(try block("2600:1f14:abc:de00::/55")))
        XCTAssertFalse(v6.contains(try block("2600:1f14:abc:df00::/64")))
        XCTAssertFalse(try block("::/0").contains(vpc))
        XCTAssertFalse(try block("0.0.0.0/0").contains(v6))
        XCTAssertFalse(try block("::ffff:0:0/96").contains(try block("10.0.0.0/8")), "an IPv4-mapped range is IPv6 here")
    }

    func testWhatIsABlockAndWhatIsNot() {
        for valid in ["10.0.0.0/16", "100.64.0.0/10", "0.0.0.0/0", "fd00::/8", "2001:db8::/32", "10.0.0.7", "::1"] {
            XCTAssertNotNil(CIDR(valid), valid)
        }
        for invalid in ["10.0.0.0/33", "10.0.0/16", "10.0.0.256/8", "fd00::/129", "x/8", "10.0.0.0/-1", "½.0.0.0/8",
                        "010.0.0.0/8", "10.0.0.0/", "10.0.0.0/٣", "١٠.0.0.0/8"] {
            XCTAssertNil(CIDR(invalid), invalid)
        }
    }
}
