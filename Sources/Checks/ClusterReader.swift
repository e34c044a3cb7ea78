import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// The objects a selector picked, and what they were picked from.
public struct Selection: Sendable, Equatable {
    /// The objects that match the selector (name, labels, fields), in the source's order.
    public var objects: [JSONValue]
    /// Every object of the kind in the scope before name/label/field filtering, for "closest
    /// candidate" messages.
    public var candidates: [JSONValue]
    /// The namespace read; nil = all namespaces or a cluster-scoped kind.
    public var namespace: String?
    /// The kind as resolved (`deploy` → `Deployment`), with the selector's apiVersion.
    public var kind: KindReference

    public init(objects: [JSONValue], candidates: [JSONValue], namespace: String?, kind: KindReference) {
        self.objects = objects
        self.candidates = candidates
        self.namespace = namespace
        self.kind = kind
    }
}

/// Reads the cluster for one evaluation: selectors applied the same way for every source (as
/// the API server applies them), one `Cluster.objects(of:namespace:)` call per kind and scope,
/// shared by every check, and everything read kept as `evidence`.
///
/// Objects are trimmed as they are read (`metadata.managedFields` and the
/// `kubectl.kubernetes.io/last-applied-configuration` annotation), so checks see exactly what
/// the evidence holds and a re-grade from evidence reaches the same verdict.
public final class ClusterReader {
    public let cluster: Cluster
    public let labNamespace: String

    private struct ListKey: Hashable {
        var kind: KindReference
        var namespace: String?
    }

    private var lists: [ListKey: [JSONValue]] = [:]
    private var evidenceLists: [String: [JSONValue]] = [:]
    private var evidenceOutputs: [String: RecordedOutput] = [:]
    private var labelSelectors: [String: LabelSelector] = [:]

    public init(cluster: Cluster, labNamespace: String) {
        self.cluster = cluster
        self.labNamespace = labNamespace
    }

    /// The objects a selector picks. Throws `ClusterError` for selectors that do not parse and
    /// for sources that cannot be read.
    public func select(_ selector: ObjectSelector) throws -> Selection {
        let kind = Self.listKind(KindReference(kind: selector.kind, apiVersion: selector.apiVersion))
        let clusterScoped = cluster.isClusterScoped(kind) ?? false
        let namespace: String?
        if clusterScoped {
            namespace = nil
        } else {
            switch selector.namespace {
            case .lab: namespace = labNamespace
            case .named(let name): namespace = name
            case .all: namespace = nil
            }
        }
        let labels: LabelSelector
        let fields: FieldSelector?
        do {
            labels = try selector.labels.map(labelSelector) ?? .everything
            fields = try selector.fields.map { try FieldSelector(parsing: $0, kind: kind.kind) }
        } catch let error as SelectorError {
            throw ClusterError(error)
        }
        let candidates = try list(kind, namespace: namespace, clusterScoped: clusterScoped)
        let objects = candidates.filter { object in
            if let name = selector.name, object["metadata"]?["name"]?.stringValue != name { return false }
            if !labels.requirements.isEmpty, !labels.matches(object: object) { return false }
            if let fields, !fields.matches(object: object) { return false }
            return true
        }
        return Selection(objects: objects, candidates: candidates, namespace: namespace, kind: kind)
    }

    /// Reads, at once, the lists these selectors will need that are not read yet, as
    /// `ReadPlan` batches them: one `Cluster.objects(of:namespace:)` call per namespace for all
    /// its kinds (one `kubectl get pods,deployments.apps,services -n NS -o json` on a live
    /// cluster), with the cluster-scoped kinds riding along. A batch the cluster refuses (a kind
    /// it does not serve) is dropped: each check then reads its own kind and reports its own error.
    public func prefetch(_ selectors: [ObjectSelector]) {
        for batch in plan(selectors).readAhead {
            guard let read = try? cluster.objects(of: batch.kinds, namespace: batch.namespace) else { continue }
            for (kind, objects) in read {
                let clusterScoped = cluster.isClusterScoped(kind) ?? false
                let namespace = clusterScoped ? nil : batch.namespace
                let trimmed = objects.map(Self.trimmed)
                lists[ListKey(kind: kind, namespace: namespace)] = trimmed
                evidenceLists[Evidence.listPath(kind: kind, namespace: namespace, clusterScoped: clusterScoped)] = trimmed
            }
        }
    }

    /// How the lists these selectors need, and are not read yet, would be read together.
    public func plan(_ selectors: [ObjectSelector]) -> ReadPlan {
        ReadPlan(selectors, labNamespace: labNamespace, isClusterScoped: { self.cluster.isClusterScoped($0) ?? false },
                 isRead: { kind, namespace in
                     // A list of every namespace answers each namespace (see `list`).
                     self.lists[ListKey(kind: kind, namespace: namespace)] != nil
                         || (namespace != nil && self.lists[ListKey(kind: kind, namespace: nil)] != nil)
                 })
    }

    /// Whether the objects a selector reads are cluster-scoped (they have no namespace).
    public func isClusterScoped(_ selector: ObjectSelector) -> Bool {
        cluster.isClusterScoped(Self.listKind(KindReference(kind: selector.kind, apiVersion: selector.apiVersion))) ?? false
    }

    /// Runs a command in a pod. `recordedAs` is the command as evidence keeps it, when it
    /// differs from the one run: a secret capture's value in it replaced by its digest (see
    /// `CheckEvaluator`), so the grader, which holds only the digest, makes the same call and
    /// finds the recording. The same goes for the other calls' `recordedAs`, `recordedURL` and
    /// `recordedCommand`.
    public func exec(
        namespace: String, pod: String, container: String?, command: [String], recordedAs: [String]? = nil
    ) throws -> CommandOutput {
        let result = try cluster.exec(namespace: namespace, pod: pod, container: container, command: command)
        record(.exec(namespace: namespace, pod: pod, container: container, command: recordedAs ?? command, result: result))
        return result
    }

    public func http(url: String, timeout: Double) throws -> HTTPOutput {
        try http(HTTPRequest(url: url, timeout: timeout))
    }

    public func http(_ request: HTTPRequest, recordedURL: String? = nil) throws -> HTTPOutput {
        let result = try cluster.http(request)
        record(.http(url: recordedURL ?? request.url, result: result))
        return result
    }

    public func probe(_ call: ProbeCall, timeout: Double, recordedCommand: [String]? = nil) throws -> ProbeOutput {
        let result = try cluster.probe(call, timeout: timeout)
        var recorded = call
        if let recordedCommand { recorded.command = recordedCommand }
        record(.probe(recorded, result: result))
        return result
    }

    /// The learner's workspace, when the reader has one (`klab verify`); without it, the
    /// cluster source answers workspace checks (a snapshot from what it recorded).
    public var workspace: WorkspaceReading?

    /// What a workspace check reads; nil when there is no workspace to read (live grading).
    public func workspace(_ request: WorkspaceRequest) throws -> JSONValue? {
        let facts = try workspace.map { try $0.facts(request) } ?? cluster.workspace(request)
        if let facts { record(.workspace(path: request.path, result: facts)) }
        return facts
    }

    public func command(_ arguments: [String], recordedAs: [String]? = nil) throws -> CommandOutput {
        let result = try cluster.command(arguments)
        record(.command(arguments: recordedAs ?? arguments, result: result))
        return result
    }

    /// Forgets cached objects (before a `wait` poll re-reads the cluster). Evidence keeps the
    /// latest reading of each list.
    public func refresh() {
        lists.removeAll()
        cluster.refresh()
    }

    /// Everything read so far, as a snapshot folder's files; see `Evidence`. An output a
    /// `redact: true` check read is stored redacted wherever it appears: the same call recorded
    /// by another check, before or after, and any other call that printed the same stdout.
    public var evidence: Evidence {
        var files: [String: Data] = [:]
        for (path, objects) in evidenceLists { files[path] = Evidence.listFile(objects) }
        for (path, output) in evidenceOutputs {
            files[path] = Evidence.outputFile(isRedacted(path) ? output.redacted : output)
        }
        return Evidence(files: files)
    }

    /// Whether the output recorded at an evidence path is stored redacted (see `evidence`).
    public func isRedacted(_ path: String) -> Bool {
        if redactedPaths.contains(path) { return true }
        guard let stdout = evidenceOutputs[path]?.stdout, !stdout.isEmpty else { return false }
        return redactedStdouts.contains(stdout)
    }

    /// The evidence path of the last exec, http, command, probe or workspace call recorded.
    public internal(set) var lastOutputPath: String?

    // MARK: -

    private func list(_ kind: KindReference, namespace: String?, clusterScoped: Bool) throws -> [JSONValue] {
        let key = ListKey(kind: kind, namespace: namespace)
        if let cached = lists[key] { return cached }
        // A list of every namespace already read answers any one namespace.
        if let namespace, let everywhere = lists[ListKey(kind: kind, namespace: nil)] {
            let objects = everywhere.filter { $0["metadata"]?["namespace"]?.stringValue == namespace }
            lists[key] = objects
            return objects
        }
        let objects = try cluster.objects(of: kind, namespace: namespace).map(Self.trimmed)
        lists[key] = objects
        evidenceLists[Evidence.listPath(kind: kind, namespace: namespace, clusterScoped: clusterScoped)] = objects
        return objects
    }

    /// While set, exec, command and probe outputs are stored with stdout replaced by its digest
    /// (a check with `redact: true` is being evaluated); checks still read the real output.
    public var redactingOutputs = false
    /// Calls a redacting check made, and the stdout they printed (kept in memory only).
    private var redactedPaths: Set<String> = []
    private var redactedStdouts: Set<String> = []

    private func record(_ output: RecordedOutput) {
        let path = Evidence.outputPath(output)
        evidenceOutputs[path] = output
        lastOutputPath = path
        if redactingOutputs {
            redactedPaths.insert(path)
            if let stdout = output.stdout, !stdout.isEmpty { redactedStdouts.insert(stdout) }
        }
    }

    private func labelSelector(_ text: String) throws -> LabelSelector {
        if let parsed = labelSelectors[text] { return parsed }
        let parsed = try LabelSelector(parsing: text)
        labelSelectors[text] = parsed
        return parsed
    }

    /// The kind as lists are keyed: canonical name, and no apiVersion when the check named the
    /// one klab would read anyway, so `Deployment` and `apps/v1 Deployment` share one read.
    static func listKind(_ reference: KindReference) -> KindReference {
        let canonical = reference.canonical
        if let info = canonical.info, canonical.apiVersion == info.apiVersion {
            return KindReference(kind: info.kind, apiVersion: nil)
        }
        return canonical
    }

    /// The object without the fields that are noise for checks and bulk for evidence.
    static func trimmed(_ object: JSONValue) -> JSONValue {
        guard case .object(var top) = object, case .object(var metadata)? = top["metadata"] else { return object }
        var changed = false
        if metadata["managedFields"] != nil {
            metadata["managedFields"] = nil
            changed = true
        }
        if case .object(var annotations)? = metadata["annotations"],
           annotations["kubectl.kubernetes.io/last-applied-configuration"] != nil {
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            metadata["annotations"] = .object(annotations)
            changed = true
        }
        guard changed else { return object }
        top["metadata"] = .object(metadata)
        return .object(top)
    }
}
