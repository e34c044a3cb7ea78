import Foundation
import KubeCore
import KubeJSON
import TestSupport
import XCTest
@testable import Checks

/// `klab reset --cluster`'s engine, on a snapshot cluster and a kubectl stand-in that records
/// what it was asked to delete.
final class ClusterCleanerTests: XCTestCase {
    var snapshot: URL!

    override func setUpWithError() throws {
        snapshot = FileManager.default.temporaryDirectory.appendingPathComponent("klab-cleaner-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        func object(_ kind: String, _ apiVersion: String, _ name: String, labels: [String: String]) -> String {
            let labelText = labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
            return #"{"apiVersion": "\#(apiVersion)", "kind": "\#(kind)", "metadata": {"name": "\#(name)", "namespace": "shop", "labels": {\#(labelText)}}}"#
        }
        let mine = ["klab.dev/lab": "health-probes", "klab.dev/learner": "ada"]
        let items = [
            object("Deployment", "apps/v1", "web", labels: mine),
            object("Deployment", "apps/v1", "bob-web", labels: ["klab.dev/lab": "health-probes", "klab.dev/learner": "bob"]),
            object("Deployment", "apps/v1", "hand-made", labels: [:]),
            object("Service", "v1", "web", labels: mine),
            object("ConfigMap", "v1", "settings", labels: mine),
        ]
        try Data(#"{"apiVersion": "v1", "kind": "List", "items": [\#(items.joined(separator: ","))]}"#.utf8)
            .write(to: snapshot.appendingPathComponent("objects.json"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: snapshot)
    }

    private let manifests: [JSONValue] = [
        try! JSONParser.parse(#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}"#),
        try! JSONParser.parse(#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}}"#),
    ]

    func testPlansOnlyTheLearnersObjectsOfTheManifestsKinds() throws {
        let cleaner = ClusterCleaner(options: .init(), cluster: try SnapshotCluster(directory: snapshot.path), run: { _, _, _ in
            XCTFail("planning deletes nothing")
            return ProcessResult(executable: "kubectl", arguments: [], status: 0, stdout: Data(), stderr: Data(), timedOut: false)
        })
        let plan = try cleaner.plan(objects: manifests, namespace: "shop", lab: "health-probes", learner: "ada")
        XCTAssertEqual(plan.items.map(\.description), ["Deployment shop/web", "Service shop/web"], "not bob's, not hand-made, not a kind the lab does not create")
        XCTAssertEqual(plan.labelSelector, "klab.dev/lab=health-probes,klab.dev/learner=ada")
    }

    func testDeletesEachPlannedObjectByNameAndStopsAtTheFirstFailure() throws {
        let calls = Gathered<[String]>()
        let cleaner = ClusterCleaner(
            options: .init(context: "ctx", kubectl: "kubectl-standin"), cluster: try SnapshotCluster(directory: snapshot.path),
            run: { program, arguments, _ in
                calls.append([program] + arguments)
                let refused = arguments.contains("Service") || arguments.contains(where: { $0.hasPrefix("services") })
                return ProcessResult(executable: program, arguments: arguments, status: refused ? 1 : 0, stdout: Data(),
                                     stderr: Data((refused ? "Error from server (Forbidden): services \"web\" is forbidden\nmore\n" : "").utf8),
                                     timedOut: false)
            })
        let plan = try cleaner.plan(objects: manifests, namespace: "shop", lab: "health-probes", learner: "ada")
        var deleted: [String] = []
        XCTAssertThrowsError(try cleaner.delete(plan) { deleted.append($0.description) }) { error in
            XCTAssertEqual(error as? ClusterError, .deleteFailed(object: "Service shop/web", detail: "Error from server (Forbidden): services \"web\" is forbidden"))
            XCTAssertEqual((error as? ClusterError)?.exitCode, 3)
        }
        XCTAssertEqual(deleted, ["Deployment shop/web"])
        XCTAssertEqual(calls.values.count, 2)
        XCTAssertEqual(calls.values.first.map { Array($0.prefix(6)) },
                       ["kubectl-standin", "delete", KubectlArguments.resource(for: KindReference(kind: "Deployment", apiVersion: "apps/v1")), "web", "--namespace", "shop"])
        XCTAssertTrue(calls.values.first?.contains("--context=ctx") == true || calls.values.first?.contains("ctx") == true)
    }
}
