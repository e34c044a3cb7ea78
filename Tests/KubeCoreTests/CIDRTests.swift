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
