import Foundation
import KubeJSON
import LabSpec
@testable import Checks

/// The evaluator's snapshot fixtures (`Tests/Fixtures/snapshots/<name>/`) and shorthands for
/// writing checks in tests.
enum EvaluatorFixtures {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/snapshots")

    static func snapshot(_ name: String) -> String { snapshots.appendingPathComponent(name).path }

    /// A reader of the `game` snapshot with `default` as the lab namespace.
    static func reader(_ name: String = "game", namespace: String = "default") throws -> ClusterReader {
        ClusterReader(cluster: try SnapshotCluster(directory: snapshot(name)), labNamespace: namespace)
    }

    static func evaluate(_ checks: [Check], snapshot name: String = "game", namespace: String = "default",
                         options: CheckEvaluator.Options = .init()) throws -> [CheckResult] {
        try CheckEvaluator(reader: try reader(name, namespace: namespace), options: options, clock: FakeClock()).evaluate(checks)
    }

    static func evaluate(_ check: Check, snapshot name: String = "game", namespace: String = "default") throws -> CheckResult {
        try evaluate([check], snapshot: name, namespace: namespace)[0]
    }
}

/// A clock that only moves when the evaluator sleeps.
final class FakeClock: CheckClock {
    private(set) var time: Double = 1000
    private(set) var sleeps: [Double] = []

    func now() -> Double { time }

    func sleep(seconds: Double) {
        sleeps.append(seconds)
        time += seconds
    }
}

func get(_ kind: String, _ name: String? = nil, namespace: NamespaceSelection = .lab, labels: String? = nil, fields: String? = nil) -> CheckSource {
    .get(ObjectSelector(kind: kind, name: name, namespace: namespace, labels: labels, fields: fields))
}

func value(_ path: String, _ predicate: ValuePredicate) -> Assertion { .value(path: path, predicate: predicate) }

func json(_ text: String) -> JSONValue { try! JSONParser.parse(text) }
