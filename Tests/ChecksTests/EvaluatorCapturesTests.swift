import KubeJSON
import LabSpec
import XCTest
@testable import Checks

final class EvaluatorCapturesTests: XCTestCase {
    func testCapturedValuesFeedLaterChecks() throws {
        let results = try EvaluatorFixtures.evaluate([
            Check(name: "Remember the node count", source: get("Node"), captures: [Capture(name: "baseline", path: "{.count}")]),
            Check(name: "Remember the 2048 pod's node", source: get("Pod", "2048-deployment-6d8c9b7f4-tq7vd", namespace: .named("2048-game")),
                  captures: [Capture(name: "node", path: "{.items[0].spec.nodeName}")]),
            Check(name: "The cluster has more than ${baseline} nodes", source: get("Node"), expectation: Expectation(count: .comparison(.greater, "${baseline}"))),
            Check(name: "Node ${node} is an EC2 node", source: get("Node", "${node}"), expectation: Expectation(all: [
                value("{.metadata.labels.eks\\.amazonaws\\.com/nodegroup}", .equals(.string("ng-1"))),
            ])),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed, .failed, .passed])
        XCTAssertEqual(results[0].captures, ["baseline": "3"])
        XCTAssertEqual(results[2].name, "The cluster has more than 3 nodes")
        XCTAssertEqual(results[2].message, ["expected more than 3 Nodes, found 3"])
        XCTAssertEqual(results[3].name, "Node ip-192-168-12-34.us-west-2.compute.internal is an EC2 node")
    }

    func testACapturedStringEqualsTheNumberItSpells() throws {
        let results = try EvaluatorFixtures.evaluate([
            Check(name: "replicas", source: get("Deployment", "2048-deployment", namespace: .named("2048-game")),
                  captures: [Capture(name: "ready", path: "{.items[0].status.readyReplicas}")]),
            Check(name: "pods", source: get("Deployment", "2048-deployment", namespace: .named("2048-game")), expectation: Expectation(all: [
                value("{.status.availableReplicas}", .equals(.string("${ready}"))),
            ])),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed])
    }

    func testAMissingCaptureSaysWhichCheckShouldHaveMadeIt() throws {
        let results = try EvaluatorFixtures.evaluate([
            Check(name: "Remember the LB host", source: get("Service", "service-2048", namespace: .named("2048-game")),
                  captures: [Capture(name: "host", path: "{.items[0].status.loadBalancer.ingress[0].hostname}")]),
            Check(name: "The game answers", source: .http(HTTPRequest(url: "http://${host}/"))),
            Check(name: "Uses a later one", source: get("Node", "${later}")),
            Check(name: "Uses nothing", source: get("Node", "${nowhere}")),
            Check(name: "Makes it too late", source: get("Node"), captures: [Capture(name: "later", path: "{.items[0].metadata.name}")]),
        ])
        XCTAssertEqual(results.map(\.status), [.failed, .failed, .failed, .failed, .passed])
        XCTAssertEqual(results[0].message, ["capture host: .items[0].status.loadBalancer.ingress[0].hostname found nothing to capture"])
        XCTAssertEqual(results[1].message, [#"needs ${host}, which check "Remember the LB host" should have captured, but that check failed"#])
        XCTAssertEqual(results[2].message, [#"needs ${later}, but only a later check ("Makes it too late") captures it; move that check first"#])
        XCTAssertEqual(results[3].message, ["needs ${nowhere}, which no earlier check captures; add `capture: {nowhere: ...}` to one"])
    }

    func testCapturesFromEarlierStepsArePassedIn() throws {
        let evaluator = CheckEvaluator(reader: try EvaluatorFixtures.reader(), clock: FakeClock())
        let results = try evaluator.evaluate([Check(name: "n", source: get("Node", "${node}"))],
                                             captures: ["node": "fargate-ip-192-168-102-7.us-west-2.compute.internal"])
        XCTAssertEqual(results[0].status, .passed)
    }

    func testSubstitutionReachesEveryString() {
        var substitution = CaptureSubstitution(values: ["a": "x", "n": "3"])
        let check = Check(name: "${a}", source: .exec(ExecRequest(pod: "${a}", namespace: .named("${a}"), command: ["echo", "${a}"])),
                          expectation: Expectation(count: .comparison(.less, "${n}"), all: [
                            value("{.${a}}", .equals(json(#"{"k":["${a}"]}"#))),
                            .partial(json(#"{"${a}":"${n}"}"#), anyOrder: true),
                          ]))
        let resolved = substitution.check(check)
        XCTAssertEqual(resolved.name, "x")
        XCTAssertEqual(resolved.source, .exec(ExecRequest(pod: "x", namespace: .named("x"), command: ["echo", "x"])))
        XCTAssertEqual(resolved.expectation.count, .comparison(.less, "3"))
        XCTAssertEqual(resolved.expectation.all, [value("{.x}", .equals(json(#"{"k":["x"]}"#))), .partial(json(#"{"x":"3"}"#), anyOrder: true)])
        XCTAssertEqual(substitution.missing, [])
        var partial = CaptureSubstitution(values: [:])
        XCTAssertEqual(partial.string("a ${b} ${c} ${b} $ {x} ${"), "a ${b} ${c} ${b} $ {x} ${")
        XCTAssertEqual(partial.missing, ["b", "c"])
    }
}
