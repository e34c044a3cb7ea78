import Foundation
import KubeJSON
@testable import Checks

/// The kubectl stand-in of `Tests/Fixtures/kubectl-standin`, first on PATH, with a fresh log.
struct KubectlStandIn {
    let log: String
    var environment: [String: String]

    init(snapshots: [String], fail: String? = nil, sleep: Double? = nil) {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("klab-standin-\(UUID().uuidString).log").path
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = ClusterFixtures.path("kubectl-standin") + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["KLAB_STANDIN_SNAPSHOTS"] = snapshots.joined(separator: ":")
        env["KLAB_STANDIN_LOG"] = log
        if let fail { env["KLAB_STANDIN_FAIL"] = fail }
        if let sleep { env["KLAB_STANDIN_SLEEP"] = String(sleep) }
        environment = env
    }

    func options(context: String? = nil, processTimeout: Double? = nil, clusterWide: Bool = false) -> KubectlCluster.Options {
        KubectlCluster.Options(context: context, requestTimeout: 5, processTimeout: processTimeout, environment: environment,
                               clusterWide: clusterWide)
    }

    func cluster(context: String? = nil, processTimeout: Double? = nil, clusterWide: Bool = false) -> KubectlCluster {
        KubectlCluster(options: options(context: context, processTimeout: processTimeout, clusterWide: clusterWide))
    }

    /// Every invocation so far, as argv lists.
    var calls: [[String]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONParser.parse(String(line)))?.arrayValue?.compactMap(\.stringValue)
        }
    }
}
