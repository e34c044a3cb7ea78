import Foundation
import LabSpec
import TestSupport
import XCTest
@testable import Grading

/// The UIDs a `fixture-evidence` flag looks for: the namespaced objects of every lab's shipped
/// fixtures, kube-system's excepted, read once and only when a hand-in needs them.
final class FixtureIndexTests: XCTestCase {
    let labs = KlabBinary.repositoryRoot.appendingPathComponent("labs")

    func uid(_ file: String, kind: String, name: String) throws -> String {
        let data = try Data(contentsOf: labs.appendingPathComponent(file))
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let items = list["items"] as? [[String: Any]] ?? [list]
        let object = try XCTUnwrap(items.first {
            ($0["kind"] as? String ?? kind) == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name
        })
        return try XCTUnwrap((object["metadata"] as? [String: Any])?["uid"] as? String)
    }

    func testNamespacedObjectsOfEveryLabCountAndNodesDoNot() throws {
        let loader = LabLoader(labsDirectory: labs)
        let index = OfflineGrader.FixtureIndex(labs: [try loader.load("health-probes"), try loader.load("cluster-access")])
        XCTAssertFalse(index.isRead)
        let uids = index.uids
        XCTAssertTrue(index.isRead)
        XCTAssertTrue(uids.contains(try uid("health-probes/fixtures/liveness--pass/pods.json", kind: "Pod", name: "liveness-app")))
        XCTAssertFalse(uids.contains(try uid("health-probes/fixtures/liveness--pass/nodes.json", kind: "Node",
                                            name: try firstName("health-probes/fixtures/liveness--pass/nodes.json"))))
        XCTAssertEqual(index.uids, uids, "read once, the same every time")
    }

    func firstName(_ file: String) throws -> String {
        let data = try Data(contentsOf: labs.appendingPathComponent(file))
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let items = list["items"] as? [[String: Any]] ?? [list]
        return try XCTUnwrap((items.first?["metadata"] as? [String: Any])?["name"] as? String)
    }

    func testAClassWithoutEvidenceFromAClusterNeverReadsThem() throws {
        let loader = LabLoader(labsDirectory: labs)
        let grader = OfflineGrader(labs: [try loader.load("health-probes")], grading: ["health-probes"], options: .init())
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("klab-no-handin-\(UUID().uuidString.prefix(8))")
        let grade = grader.grade(RosterEntry(learner: "ada", workspace: missing.path))
        XCTAssertEqual(grade.flags.map(\.kind), [.unreadable])
        XCTAssertFalse(grader.fixtures.isRead)
    }
}
