import KubeCore
import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// The second round of the check language on one object: comparing with another field,
/// `some`/`count` over a path's values, trimmed values, RFC 3339 times and `decode`.
final class CheckLanguageValueTests: XCTestCase {
    private let daemonSet = json(#"""
    {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"calico-node","namespace":"kube-system",
      "creationTimestamp":"2026-11-29T02:00:00Z"},
     "spec":{"template":{"spec":{"containers":[{"resources":{"requests":{"memory":"128Mi"},"limits":{"memory":"256Mi"}}}]}}},
     "status":{"desiredNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,
               "conditions":[{"lastTransitionTime":"2026-11-29T02:05:00.5+01:00"}]}}
    """#)

    private func failures(_ assertions: [Assertion], on object: JSONValue) throws -> [String] {
        try ExpectationEvaluator(reader: try EvaluatorFixtures.reader()).failures(of: assertions, on: object, label: "")
    }

    func testCompareWithAnotherFieldOfTheSameObject() throws {
        XCTAssertEqual(try failures([value("{.status.updatedNumberScheduled}", .compare(.equal, .field("{.status.desiredNumberScheduled}")))], on: daemonSet), [])
        XCTAssertEqual(try failures([value("{.status.numberReady}", .compare(.equal, .field("{.status.desiredNumberScheduled}")))], on: daemonSet),
                       [".status.numberReady expected == 3, found 2 (3 is .status.desiredNumberScheduled)"])
        XCTAssertEqual(try failures([value("{.status.numberReady}", .compare(.equal, .field("{.status.missing}")))], on: daemonSet),
                       [".status.numberReady expected == {.status.missing}, but .status.missing is absent"])
        let memory = "{.spec.template.spec.containers[0].resources"
        XCTAssertEqual(try failures([value(memory + ".requests.memory}", .quantity(.less, .field(memory + ".limits.memory}")))], on: daemonSet), [])
        XCTAssertEqual(try failures([value(memory + ".limits.memory}", .quantity(.lessOrEqual, .field(memory + ".requests.memory}")))], on: daemonSet).count, 1)
    }

    func testAFieldOperandIsDecidedOnWhatTheAuthorWroteNotOnACapturedValue() throws {
        // A capture that spells a path stays text: "{.status.desiredNumberScheduled}" is not a number.
        var substitution = CaptureSubstitution(values: ["want": "{.status.desiredNumberScheduled}"])
        let check = substitution.check(Check(name: "c", source: get("DaemonSet"), expectation: Expectation(all: [
            value("{.status.numberReady}", .compare(.equal, "${want}")),
        ])))
        XCTAssertEqual(try failures(check.expectation.all, on: daemonSet),
                       [#".status.numberReady expected == {.status.desiredNumberScheduled}, found 2 (the check compares with "{.status.desiredNumberScheduled}", which is not a number)"#])
    }

    func testSomeAndCountOverAPathsValues() throws {
        let endpoints = json(#"{"subsets":[{"addresses":[{"ip":"192.168.1.4"},{"ip":"100.64.0.9"}]}],"groups":["system:nodes","dev-group"]}"#)
        XCTAssertEqual(try failures([value("{.subsets[*].addresses[*].ip}", .count(.exactly(2)))], on: endpoints), [])
        XCTAssertEqual(try failures([value("{.subsets[*].addresses[*].ip}", .count(.exactly(3)))], on: endpoints),
                       [#".subsets[*].addresses[*].ip expected 3 values, found 2: "192.168.1.4", "100.64.0.9""#])
        XCTAssertEqual(try failures([value("{.subsets[*].notReadyAddresses[*].ip}", .count(.exactly(0)))], on: endpoints), [])
        XCTAssertEqual(try failures([value("{.subsets[*].addresses[*].ip}", .count(.comparison(.greater, "1")))], on: endpoints), [])
        XCTAssertEqual(try failures([value("{.subsets[*].addresses[*].ip}", .some(.cidr("100.64.0.0/10")))], on: endpoints), [])
        XCTAssertEqual(try failures([value("{.groups[*]}", .some(.equals(.string("dev-group"))))], on: endpoints), [])
        XCTAssertEqual(try failures([value("{.groups[*]}", .some(.equals(.string("admin"))))], on: endpoints),
                       [#".groups[*] expected some value "admin", found "system:nodes", "dev-group""#])
        // Without `some`, every value must satisfy the predicate.
        XCTAssertEqual(try failures([value("{.subsets[*].addresses[*].ip}", .cidr("100.64.0.0/10"))], on: endpoints).count, 1)
    }

    func testValuesAreTrimmedForCIDRCompareAndQuantity() throws {
        let output = json(#"{"stdout":"10.0.0.1\n","count":" 2\n","size":"512Mi\n"}"#)
        XCTAssertEqual(try failures([value("{.stdout}", .cidr("10.0.0.0/16"))], on: output), [])
        XCTAssertEqual(try failures([value("{.count}", .compare(.equal, "2"))], on: output), [])
        XCTAssertEqual(try failures([value("{.size}", .quantity(.less, "1Gi"))], on: output), [])
        // equals compares exactly: the newline is part of the value.
        XCTAssertEqual(try failures([value("{.stdout}", .equals(.string("10.0.0.1")))], on: output).count, 1)
    }

    func testTimesCompareAsRFC3339WithOffsetsAndFractions() throws {
        let transition = "{.status.conditions[0].lastTransitionTime}"
        // 02:05:00.5+01:00 is 01:05:00.5Z, before the creation at 02:00Z.
        XCTAssertEqual(try failures([value(transition, .time(.less, .field("{.metadata.creationTimestamp}")))], on: daemonSet), [])
        XCTAssertEqual(try failures([value(transition, .time(.greater, "2026-11-29T01:05:00Z"))], on: daemonSet), [])
        XCTAssertEqual(try failures([value(transition, .time(.greater, "2026-11-29T01:05:00.6Z"))], on: daemonSet).count, 1)
        XCTAssertEqual(try failures([value("{.metadata.name}", .time(.greater, "2026-11-29T01:05:00Z"))], on: daemonSet),
                       [#".metadata.name expected a time > 2026-11-29T01:05:00Z, found "calico-node" (not an RFC 3339 time)"#])
    }

    func testTimestampParsing() {
        XCTAssertEqual(Timestamp("1970-01-01T00:00:00Z"), Timestamp(seconds: 0))
        XCTAssertEqual(Timestamp("2026-11-29T02:42:02Z")?.description, "2026-11-29T02:42:02Z")
        XCTAssertEqual(Timestamp("2024-02-29t23:59:59.123456789z")?.description, "2024-02-29T23:59:59.123456789Z")
        XCTAssertEqual(Timestamp("2026-11-29T04:42:02+02:00"), Timestamp("2026-11-29T02:42:02Z"))
        XCTAssertEqual(Timestamp(" 2026-11-29T02:42:02Z\n"), Timestamp("2026-11-29T02:42:02Z"))
        for bad in ["2026-11-29", "2026-11-29T02:42:02", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-29T02:42:02.Z", "yesterday"] {
            XCTAssertNil(Timestamp(bad), bad)
        }
    }

    func testDecodeReadsYAMLInAStringThenPathsInsideIt() throws {
        let awsAuth = json(#"""
        {"kind":"ConfigMap","data":{"mapRoles":"- rolearn: arn:aws:iam::111122223333:role/k8sDev\n  username: dev-user\n  groups:\n    - dev-group\n- rolearn: arn:aws:iam::111122223333:role/k8sAdmin\n  username: admin-user\n  groups: [system:masters]\n",
         "json":"{\"a\": [1, 2]}","broken":"- a: [\n"}}
        """#)
        let devGroups = value(#"{[?(@.username=="dev-user")].groups[*]}"#, .some(.equals(.string("dev-group"))))
        XCTAssertEqual(try failures([.decoded(path: "{.data.mapRoles}", format: .yaml, assertions: [devGroups])], on: awsAuth), [])
        XCTAssertEqual(try failures([.decoded(path: "{.data.mapRoles}", format: .yaml, assertions: [
            value(#"{[?(@.username=="admin-user")].groups[*]}"#, .some(.equals(.string("dev-group")))),
        ])], on: awsAuth), [#".data.mapRoles decoded as yaml: [?(@.username=="admin-user")].groups[*] expected some value "dev-group", found "system:masters""#])
        XCTAssertEqual(try failures([.decoded(path: "{.data.json}", format: .json, assertions: [value("{.a[*]}", .count(.exactly(2)))])], on: awsAuth), [])
        let broken = try failures([.decoded(path: "{.data.broken}", format: .yaml, assertions: [devGroups])], on: awsAuth)
        XCTAssertEqual(broken.count, 1)
        XCTAssertTrue(broken[0].hasPrefix(".data.broken decoded as yaml: not YAML"), broken[0])
        XCTAssertEqual(try failures([.decoded(path: "{.data.none}", format: .yaml, assertions: [devGroups])], on: awsAuth),
                       [".data.none expected yaml to decode, found absent"])
    }
}
