import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// What `klab reset --cluster` deletes: only objects carrying both of klab's bookkeeping
/// labels for this lab and learner, in the lab's namespace (and cluster-scoped ones with the
/// same labels), among the kinds the lab's manifests create.
public struct CleanupPlan: Sendable, Equatable {
    public struct Item: Sendable, Equatable, CustomStringConvertible {
        public var kind: KindReference
        public var namespace: String?
        public var name: String

        public var description: String {
            "\(kind.kind) \(namespace.map { "\($0)/" } ?? "")\(name)"
        }
    }

    public var items: [Item]
    public var labelSelector: String

    /// The label selector that finds a learner's objects of a lab.
    public static func selector(lab: String, learner: String) -> String {
        "klab.dev/lab=\(lab),klab.dev/learner=\(learner)"
    }

    /// Lists what would be deleted. `kinds` are the kinds of the lab's rendered manifests.
    public static func make(
        reader: ClusterReader, kinds: [KindReference], namespace: String, lab: String, learner: String
    ) throws -> CleanupPlan {
        let selector = Self.selector(lab: lab, learner: learner)
        var items: [Item] = []
        var seen = Set<KindReference>()
        for kind in kinds where seen.insert(kind).inserted {
            let selection = try reader.select(ObjectSelector(
                apiVersion: kind.apiVersion, kind: kind.kind, namespace: .named(namespace), labels: selector))
            for object in selection.objects {
                guard let name = object["metadata"]?["name"]?.stringValue else { continue }
                items.append(Item(kind: kind, namespace: object["metadata"]?["namespace"]?.stringValue, name: name))
            }
        }
        return CleanupPlan(items: items, labelSelector: selector)
    }

    /// `kubectl delete` for one planned object, by name (never by selector, so nothing
    /// created after the plan was shown is deleted).
    public static func deleteArguments(_ item: Item, connection: KubectlArguments.Connection) -> [String] {
        var arguments = ["delete", KubectlArguments.resource(for: item.kind), item.name]
        if let namespace = item.namespace { arguments += ["--namespace", namespace] }
        arguments += ["--ignore-not-found", "--wait=false"]
        // The same connection flags as every other kubectl call (a half-second timeout
        // must not become "0s", which kubectl reads as no timeout at all).
        return arguments + connection.flags
    }
}
