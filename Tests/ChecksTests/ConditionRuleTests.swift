import Checks
import KubeJSON
import XCTest

final class ConditionRuleTests: XCTestCase {
    private func deployment(generation: Int = 2, observed: Int? = 2, conditions: String) -> JSONValue {
        let status = observed.map { #""observedGeneration":\#($0),"# } ?? ""
        return try! JSONParser.parse(#"{"metadata":{"name":"d","generation":\#(generation)},"status":{\#(status)"conditions":\#(conditions)}}"#)
    }

    private let available = #"[{"type":"Progressing","status":"True","reason":"NewReplicaSetAvailable"},{"type":"Available","status":"False","reason":"MinimumReplicasUnavailable","message":"Deployment does not have minimum availability."}]"#

    func testTypeAndStatusCompareIgnoringCase() {
        let object = deployment(conditions: available)
        XCTAssertNil(ConditionRule(type: "progressing").failure(on: object))
        XCTAssertNil(ConditionRule(type: "Available", status: "false").failure(on: object))
        XCTAssertEqual(ConditionRule(type: "Available").failure(on: object),
                       "expected condition Available=True, found Available=False (MinimumReplicasUnavailable: Deployment does not have minimum availability.)")
    }

    func testReasonIsComparedExactlyWhenGiven() {
        let object = deployment(conditions: available)
        XCTAssertNil(ConditionRule(type: "Progressing", reason: "NewReplicaSetAvailable").failure(on: object))
        XCTAssertEqual(ConditionRule(type: "Progressing", reason: "ReplicaSetUpdated").failure(on: object),
                       "expected condition Progressing=True (reason ReplicaSetUpdated), found Progressing=True with reason NewReplicaSetAvailable")
    }

    func testMissingConditionListsThoseThatArePresent() {
        XCTAssertEqual(ConditionRule(type: "Ready").failure(on: deployment(conditions: available)),
                       "expected condition Ready=True, found no Ready condition (conditions Progressing=True, Available=False)")
        XCTAssertEqual(ConditionRule(type: "Ready").failure(on: try! JSONParser.parse(#"{"metadata":{}}"#)),
                       "expected condition Ready=True, found no Ready condition (no conditions)")
    }

    func testConditionsObservedForAnOlderGenerationDoNotCount() {
        let stale = deployment(generation: 3, observed: 2, conditions: #"[{"type":"Available","status":"True"}]"#)
        XCTAssertEqual(ConditionRule(type: "Available").failure(on: stale),
                       "expected condition Available=True, found it observed for generation 2 while the object is at generation 3 (not yet updated)")
        // The condition's own observedGeneration wins over the status's.
        let own = deployment(generation: 3, observed: 2, conditions: #"[{"type":"Available","status":"True","observedGeneration":3}]"#)
        XCTAssertNil(ConditionRule(type: "Available").failure(on: own))
        // Without any observedGeneration, the condition counts (kubectl: not found, no comparison).
        let unknown = deployment(generation: 3, observed: nil, conditions: #"[{"type":"Available","status":"True"}]"#)
        XCTAssertNil(ConditionRule(type: "Available").failure(on: unknown))
    }

    func testTheFirstEntryOfTheTypeDecidesAndEntriesWithoutStatusAreSkipped() {
        let object = deployment(conditions: #"[{"type":"Ready"},{"type":"Ready","status":"False"},{"type":"ready","status":"True"}]"#)
        XCTAssertNotNil(ConditionRule(type: "Ready").failure(on: object))
        XCTAssertNil(ConditionRule(type: "Ready", status: "False").failure(on: object))
    }
}
