import Foundation
import KubeCore
import KubeJSON

/// Carries out `klab reset --cluster`: plans from the objects the lab's manifests render to
/// (their kinds; objects found by klab's labels, see `CleanupPlan`), then deletes each planned
/// object by name through kubectl, stopping at the first failure. The command only shows the
/// plan and asks.
public struct ClusterCleaner {
    public typealias Runner = @Sendable (_ program: String, _ arguments: [String], _ timeout: TimeInterval?) throws -> ProcessResult

    public var options: KubectlCluster.Options
    /// Reads the cluster for the plan; a live kubectl cluster unless a test gives another.
    public var cluster: any Cluster
    /// Runs kubectl delete; ProcessRunner unless a test gives another.
    public var run: Runner

    public init(options: KubectlCluster.Options, cluster: (any Cluster)? = nil, run: Runner? = nil) {
        self.options = options
        self.cluster = cluster ?? KubectlCluster(options: options)
        self.run = run ?? { try ProcessRunner.run($0, $1, timeout: $2) }
    }

    /// The kinds, in manifest order, of rendered objects (`kind` and `apiVersion` as written).
    public static func kinds(of objects: [JSONValue]) -> [KindReference] {
        objects.compactMap { object in
            guard let kind = object["kind"]?.stringValue else { return nil }
            return KindReference(kind: kind, apiVersion: object["apiVersion"]?.stringValue)
        }
    }

    /// What would be deleted for this lab and learner, among the kinds of `objects`.
    public func plan(objects: [JSONValue], namespace: String, lab: String, learner: String) throws -> CleanupPlan {
        let reader = ClusterReader(cluster: cluster, labNamespace: namespace)
        return try CleanupPlan.make(reader: reader, kinds: Self.kinds(of: objects), namespace: namespace, lab: lab, learner: learner)
    }

    /// Deletes the planned objects in order, telling `deleted` after each one.
    public func delete(_ plan: CleanupPlan, deleted: (CleanupPlan.Item) -> Void = { _ in }) throws {
        for item in plan.items {
            let result = try run(options.kubectl, CleanupPlan.deleteArguments(item, connection: options.connection), options.processTimeout)
            guard result.status == 0, !result.timedOut else {
                let detail = result.timedOut
                    ? "no answer within \(GoFormat.percentV(options.processTimeout))s"
                    : result.stderrText.split(separator: "\n").first.map(String.init) ?? "exit \(result.status)"
                throw ClusterError.deleteFailed(object: item.description, detail: detail)
            }
            deleted(item)
        }
    }
}
