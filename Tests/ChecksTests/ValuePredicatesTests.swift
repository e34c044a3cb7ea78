import KubeCore
import KubeJSON
import LabSpec
import XCTest
@testable import Checks

final class ValuePredicatesTests: XCTestCase {
    private let pod = json(#"""
    {"metadata":{"name":"p","labels":{"replicas":"3","on":"true"},"deletionTimestamp":null},
     "spec":{"containers":[{"name":"a","image":"nginx:1.27","resources":{"requests":{"cpu":"250m","memory":"128Mi"}}},
                           {"name":"b","image":"nginx:latest","resources":{"requests":{"cpu":0.5,"memory":"1Gi"}}}],
             "replicas":3,"ratio":1.5,"empty":""},
     "status":{"podIP":"100.64.3.7","podIPs":[{"ip":"100.64.3.7"},{"ip":"fd00::7"}]}}
    """#)

    private func failure(_ path: String, _ predicate: ValuePredicate) -> String? {
        ValuePredicates.outcome(predicate, template: path, result: try! JSONPath(path).query(pod)).failure?.description
    }

    func testEqualsComparesNumbersAsNumbersAndStringsThatSpellThem() {
        XCTAssertNil(failure("{.spec.replicas}", .equals(.int(3))))
        XCTAssertNil(failure("{.spec.replicas}", .equals(.double(3.0))))
        XCTAssertNil(failure("{.spec.replicas}", .equals(.string("3"))))
        XCTAssertNil(failure("{.metadata.labels.replicas}", .equals(.int(3))))
        XCTAssertNil(failure("{.metadata.labels.on}", .equals(.bool(true))))
        XCTAssertNil(failure("{.spec.ratio}", .equals(.string("1.50"))))
        XCTAssertEqual(failure("{.spec.replicas}", .equals(.string("three"))), #".spec.replicas expected "three", found 3"#)
        XCTAssertEqual(failure("{.spec.replicas}", .equals(.string(""))), #".spec.replicas expected "", found 3"#)
        XCTAssertNil(failure("{.spec.containers[0]}", .equals(json(#"{"image":"nginx:1.27","name":"a","resources":{"requests":{"memory":"128Mi","cpu":"250m"}}}"#))))
    }

    func testAbsentIsNotEmptyAndNullIsAbsent() {
        XCTAssertNil(failure("{.spec.empty}", .equals(.string(""))))
        XCTAssertNil(failure("{.spec.empty}", .exists))
        XCTAssertEqual(failure("{.spec.missing}", .equals(.string(""))), #".spec.missing expected "", found absent"#)
        XCTAssertEqual(failure("{.spec.missing}", .notEquals(.string("x"))), #".spec.missing expected not "x", found absent"#)
        XCTAssertNil(failure("{.metadata.deletionTimestamp}", .absent))
        XCTAssertEqual(failure("{.metadata.deletionTimestamp}", .exists), ".metadata.deletionTimestamp expected to exist, found absent")
        XCTAssertEqual(failure("{.spec.empty}", .absent), #".spec.empty expected absent, found """#)
        XCTAssertEqual(failure("{.spec.containers[5].image}", .exists), ".spec.containers[5].image expected to exist, found absent")
    }

    func testEveryMatchMustSatisfyAndTheFirstThatFailsIsNamed() {
        XCTAssertEqual(failure("{.spec.containers[*].image}", .notEquals(.string("nginx:latest"))),
                       #".spec.containers[1].image expected not "nginx:latest", found "nginx:latest""#)
        XCTAssertNil(failure("{.spec.containers[*].image}", .matches("^nginx:")))
        XCTAssertEqual(failure("{.spec.containers[*].name}", .oneOf([.string("a"), .string("c")])),
                       #".spec.containers[1].name expected one of "a", "c", found "b""#)
        XCTAssertEqual(failure(#"{.spec.containers[?(@.name=="z")].image}"#, .equals(.string("x"))),
                       #".spec.containers[?(@.name=="z")].image expected "x", found absent"#)
    }

    func testMatchesSearchesThePrintedValue() {
        XCTAssertNil(failure("{.metadata.name}", .matches("p")))
        XCTAssertNil(failure("{.spec.replicas}", .matches("^3$")))
        XCTAssertEqual(failure("{.metadata.name}", .matches("^q")), #".metadata.name expected to match /^q/, found "p""#)
        XCTAssertEqual(failure("{.metadata.name}", .matches("(")),
                       #".metadata.name expected to match /(/, found "p" (the check's pattern /(/ is not a valid regular expression)"#)
    }

    func testCompareIsNumeric() {
        XCTAssertNil(failure("{.spec.replicas}", .compare(.greaterOrEqual, "3")))
        XCTAssertNil(failure("{.spec.ratio}", .compare(.less, "2")))
        XCTAssertNil(failure("{.metadata.labels.replicas}", .compare(.equal, "3.0")))
        XCTAssertEqual(failure("{.spec.replicas}", .compare(.greater, "3")), ".spec.replicas expected > 3, found 3")
        XCTAssertEqual(failure("{.metadata.name}", .compare(.greater, "3")), #".metadata.name expected > 3, found "p" (not a number)"#)
        XCTAssertEqual(failure("{.spec.replicas}", .compare(.greater, "many")),
                       #".spec.replicas expected > many, found 3 (the check compares with "many", which is not a number)"#)
        XCTAssertTrue(ValuePredicates.holds(.less, .int(9_007_199_254_740_992), .int(9_007_199_254_740_993)))
    }

    func testQuantityComparesKubernetesQuantitiesExactly() {
        XCTAssertNil(failure("{.spec.containers[*].resources.requests.cpu}", .quantity(.lessOrEqual, "500m")))
        XCTAssertNil(failure("{.spec.containers[*].resources.requests.memory}", .quantity(.lessOrEqual, "1Gi")))
        XCTAssertEqual(failure("{.spec.containers[*].resources.requests.memory}", .quantity(.less, "1Gi")),
                       #".spec.containers[1].resources.requests.memory expected < 1Gi, found "1Gi""#)
        XCTAssertEqual(failure("{.spec.containers[0].resources.requests.cpu}", .quantity(.greaterOrEqual, "0.5")),
                       #".spec.containers[0].resources.requests.cpu expected >= 0.5, found "250m""#)
        XCTAssertEqual(failure("{.metadata.name}", .quantity(.greater, "1")), #".metadata.name expected > 1, found "p" (not a Kubernetes quantity)"#)
        XCTAssertEqual(failure("{.spec.replicas}", .quantity(.greater, "1KB")),
                       #".spec.replicas expected > 1KB, found 3 (the check compares with "1KB", which is not a Kubernetes quantity)"#)
    }

    func testCIDRAcceptsBothFamilies() {
        XCTAssertNil(failure("{.status.podIP}", .cidr("100.64.0.0/10")))
        XCTAssertEqual(failure("{.status.podIPs[*].ip}", .cidr("100.64.0.0/10")), #".status.podIPs[1].ip expected an IP in 100.64.0.0/10, found "fd00::7""#)
        XCTAssertNil(failure("{.status.podIPs[1].ip}", .cidr("fd00::/8")))
        XCTAssertEqual(failure("{.metadata.name}", .cidr("10.0.0.0/8")), #".metadata.name expected an IP in 10.0.0.0/8, found "p" (not an IP address)"#)
        XCTAssertEqual(failure("{.status.podIP}", .cidr("10.0.0/8")),
                       #".status.podIP expected an IP in 10.0.0/8, found "100.64.3.7" (the check's block "10.0.0/8" is not a CIDR such as 10.0.0.0/16)"#)
    }

    func testSubnetOfWantsABlockWithinTheBlock() {
        let vpc = json(#"{"Subnets":[{"CidrBlock":"100.64.0.0/19"},{"CidrBlock":"100.64.32.0/19"},{"CidrBlock":"100.64.0.0/16"}],"#
            + #""Wide":"100.64.0.0/15","Other":"100.200.0.0/24","V6":"2600:1f14:abc:de42::/64","Address":"100.64.3.7","Bad":"100.64.0.0/33","Padded":"100.64.32.0/19\n"}"#)
        func failure(_ path: String, _ predicate: ValuePredicate) -> String? {
            ValuePredicates.outcome(predicate, template: path, result: try! JSONPath(path).query(vpc)).failure?.description
        }
        XCTAssertNil(failure("{.Subnets[*].CidrBlock}", .subnetOf("100.64.0.0/16")), "two /19s and the block itself")
        XCTAssertNil(failure("{.Padded}", .subnetOf("100.64.0.0/16")), "an exec's trailing newline is trimmed")
        XCTAssertEqual(failure("{.Wide}", .subnetOf("100.64.0.0/16")), #".Wide expected a block within 100.64.0.0/16, found "100.64.0.0/15""#)
        XCTAssertEqual(failure("{.Other}", .subnetOf("100.64.0.0/16")), #".Other expected a block within 100.64.0.0/16, found "100.200.0.0/24""#)
        XCTAssertNil(failure("{.V6}", .subnetOf("2600:1f14:abc:de00::/56")))
        XCTAssertEqual(failure("{.V6}", .subnetOf("100.64.0.0/10")), #".V6 expected a block within 100.64.0.0/10, found "2600:1f14:abc:de42::/64""#)
        XCTAssertEqual(failure("{.Address}", .subnetOf("100.64.0.0/16")),
                       #".Address expected a block within 100.64.0.0/16, found "100.64.3.7" (not a CIDR block such as 10.0.0.0/16)"#)
        XCTAssertEqual(failure("{.Bad}", .subnetOf("100.64.0.0/16")),
                       #".Bad expected a block within 100.64.0.0/16, found "100.64.0.0/33" (not a CIDR block such as 10.0.0.0/16)"#)
        XCTAssertEqual(failure("{.Other}", .subnetOf("100.64.0/16")),
                       #".Other expected a block within 100.64.0/16, found "100.200.0.0/24" (the check's block "100.64.0/16" is not a CIDR such as 10.0.0.0/16)"#)
        XCTAssertEqual(failure("{.Missing}", .subnetOf("100.64.0.0/16")), ".Missing expected a block within 100.64.0.0/16, found absent")
        XCTAssertEqual(ValuePredicates.verdict(.subnetOf("10.0.0.0/8"), .int(10)), .cannotCompare(.notACIDR))
    }

    func testDigestComparesTheValuesSHA256AndShowsOnlyDigests() {
        XCTAssertNil(failure("{.spec.containers[0].image}", .digest("sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614")))
        XCTAssertNil(failure("{.spec.containers[0].image}", .digest("sha256:CD4495BB73DE9B01BF009710B80ECF4BE2D298DB47492F4E9E7D0B04981C4614")), "hex in either case")
        XCTAssertNil(failure("{.spec.replicas}", .digest("sha256:4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce")), "a number digests as it prints")
        XCTAssertEqual(failure("{.metadata.name}", .digest("sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614")),
                       ".metadata.name expected digest sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614, found sha256:148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940")
        XCTAssertEqual(failure("{.metadata.name}", .digest("sha256:12")),
                       ".metadata.name expected digest sha256:12, found sha256:148de9c5a7a44d19e56cd9ae1a554bf67847afb0c58f6e12fa29ac7ddfca9940 (the check's digest \"sha256:12\" is not sha256: and 64 hex digits)")
        XCTAssertEqual(failure("{.metadata.missing}", .digest("sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614")), ".metadata.missing expected digest sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614, found absent")
        // A value klab already replaced by its digest (redacted evidence) compares as itself.
        let redacted = json(#"{"data":{"password":"sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614"}}"#)
        XCTAssertEqual(ValuePredicates.outcome(.digest("sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614"), template: "{.data.password}",
                                               result: try! JSONPath("{.data.password}").query(redacted)), .holds)
        XCTAssertEqual(ValueDigest.of(.string("nginx:1.27")), "sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614")
        XCTAssertTrue(ValueDigest.isDigest("sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614"))
        XCTAssertFalse(ValueDigest.isDigest("sha256:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c46140"))
        XCTAssertFalse(ValueDigest.isDigest("md5:cd4495bb73de9b01bf009710b80ecf4be2d298db47492f4e9e7d0b04981c4614"))
    }

    func testVerdictsSayWhetherAValueDiffersOrCannotBeCompared() {
        XCTAssertEqual(ValuePredicates.verdict(.compare(.greater, "3"), .int(4)), .holds)
        XCTAssertEqual(ValuePredicates.verdict(.compare(.greater, "3"), .int(3)), .differs)
        XCTAssertEqual(ValuePredicates.verdict(.compare(.greater, "3"), .string("p")), .cannotCompare(.notANumber))
        XCTAssertEqual(ValuePredicates.verdict(.compare(.greater, "many"), .int(3)), .cannotCompare(.badNumber("many")))
        XCTAssertEqual(ValuePredicates.verdict(.matches("("), .string("p")), .cannotCompare(.badPattern("(")))
        XCTAssertEqual(ValuePredicates.verdict(.time(.less, "yesterday"), .string("2026-01-01T00:00:00Z")), .cannotCompare(.badTime("yesterday")))
        XCTAssertEqual(ValuePredicates.verdict(.time(.less, "2026-01-02T00:00:00Z"), .string("soon")), .cannotCompare(.notATime))
        XCTAssertEqual(ValuePredicates.verdict(.cidr("10.0.0.0/8"), .string("10.1.2.3")), .holds)
        // The failure is data; its words are built in one place.
        let failure = ValuePredicates.outcome(.compare(.greater, "3"), template: "{.metadata.name}",
                                              result: try! JSONPath("{.metadata.name}").query(pod)).failure
        XCTAssertEqual(failure?.path, ".metadata.name")
        XCTAssertEqual(failure?.found, .value(.string("p")))
        XCTAssertEqual(failure?.problem, .notANumber)
        XCTAssertEqual(failure?.description, #".metadata.name expected > 3, found "p" (not a number)"#)
    }

    func testDisplayPathWritesDottedKeysAsBrackets() {
        XCTAssertEqual(ValuePredicates.displayPath("{.status.phase}"), ".status.phase")
        XCTAssertEqual(ValuePredicates.displayPath("{$.status.phase}"), ".status.phase")
        XCTAssertEqual(ValuePredicates.displayPath("{.metadata.labels.eks\\.amazonaws\\.com/compute-type}"), ".metadata.labels['eks.amazonaws.com/compute-type']")
        XCTAssertEqual(ValuePredicates.displayPath("{.metadata.labels.app\\.kubernetes\\.io/name}"), ".metadata.labels['app.kubernetes.io/name']")
        XCTAssertEqual(ValuePredicates.displayPath("pod {.metadata.name} on {.spec.nodeName}"), "pod {.metadata.name} on {.spec.nodeName}")
    }

    /// A string of plain digits is read as the JSON parser reads it; anything else is left to
    /// the parser: the same numbers come out either way.
    func testPlainIntegersAreReadAsTheParserReadsThem() throws {
        let plain = ["0", "1", "9", "10", "42", "-1", "-42", "123456789012345678", "-123456789012345678"]
        for text in plain {
            let n = try XCTUnwrap(ValuePredicates.plainInteger(text), text)
            XCTAssertEqual(try JSONParser.parse(text), .int(n), text)
        }
        let others = ["", "-", "-0", "00", "01", "+1", "1.0", "1e3", " 1", "1 ", "0x1", "1234567890123456789", "９", "1_000", "--1", "true"]
        for text in others {
            XCTAssertNil(ValuePredicates.plainInteger(text), text)
        }
        for text in plain + others {
            let parsed: ValuePredicates.Number? = {
                guard !text.isEmpty, let value = try? JSONParser.parse(text) else { return nil }
                switch value {
                case .int(let n): return .int(n)
                case .double(let d): return .double(d)
                default: return nil
                }
            }()
            XCTAssertEqual(ValuePredicates.number(.string(text)), parsed, text)
        }
    }

    /// A predicate that holds is decided without making its failure's text.
    func testAHoldingPredicateAndAFailingOneOnTheSamePath() throws {
        let pod: JSONValue = try JSONParser.parse(#"{"spec": {"replicas": 3}}"#)
        let path = "{.spec.replicas}"
        let result = try JSONPath(path).query(pod)
        XCTAssertNil(ValuePredicates.outcome(.equals(.int(3)), template: path, result: result).failure)
        XCTAssertNotNil(ValuePredicates.outcome(.equals(.int(4)), template: path, result: result).failure)
        let missing = try JSONPath("{.spec.absent}").query(pod)
        XCTAssertEqual(ValuePredicates.outcome(.equals(.int(3)), template: "{.spec.absent}", result: missing).failure?.path, ".spec.absent")
    }
}
