import Foundation
import XCTest
@testable import Workspace

final class EvidenceSealTests: XCTestCase {
    func testDigestIsStableAndOrderIndependent() {
        let a = EvidenceSeal.digest(["b.json": Data("2".utf8), "a.json": Data("1".utf8)])
        let b = EvidenceSeal.digest(["a.json": Data("1".utf8), "b.json": Data("2".utf8)])
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.hasPrefix("sha256:"))
        XCTAssertEqual(a.count, "sha256:".count + 64)
    }

    func testDigestSeesEveryByteAndEveryBoundary() {
        let base = EvidenceSeal.digest(["a": Data("xy".utf8)])
        XCTAssertNotEqual(base, EvidenceSeal.digest(["a": Data("xz".utf8)]))
        XCTAssertNotEqual(base, EvidenceSeal.digest(["ax": Data("y".utf8)]))
        XCTAssertNotEqual(base, EvidenceSeal.digest(["b": Data("xy".utf8)]))
    }

    func testKnownSHA256() {
        // printf abc | sha256sum
        XCTAssertEqual(
            EvidenceSeal.sha256(Data("abc".utf8)),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testSignatureVerifiesOnlyWithTheSameKeyAndClaims() {
        let key = Data("class-key".utf8)
        let sig = EvidenceSeal.signature(key: key, lab: "l", step: "s", digest: "sha256:00", previous: "abc")
        XCTAssertTrue(EvidenceSeal.verify(signature: sig, key: key, lab: "l", step: "s", digest: "sha256:00", previous: "abc"))
        XCTAssertFalse(EvidenceSeal.verify(signature: sig, key: Data("other".utf8), lab: "l", step: "s", digest: "sha256:00", previous: "abc"))
        XCTAssertFalse(EvidenceSeal.verify(signature: sig, key: key, lab: "l", step: "t", digest: "sha256:00", previous: "abc"))
        XCTAssertFalse(EvidenceSeal.verify(signature: sig, key: key, lab: "l", step: "s", digest: "sha256:01", previous: "abc"))
    }
}
