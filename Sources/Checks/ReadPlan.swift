import KubeCore
import LabSpec

/// Which object lists a step's checks will read, and which of them one read can bring
/// together: a pure plan, so tests can pin which checks share a kubectl process.
///
/// A list is a kind in a scope (a namespace, every namespace, or the cluster for a
/// cluster-scoped kind). The lists of one namespace are one batch (`kubectl get a,b,c -n NS`),
/// and the cluster-scoped lists ride with the first batch (kubectl ignores the namespace for
/// them); a kind read in every namespace is not read again in single ones. A batch of one list
/// is read when its check first asks for it, by the same call, so only batches of two lists or
/// more are read ahead (`ClusterReader.prefetch`), and a batch of every namespace that spares
/// reads of single ones.
///
/// The checks' own selectors are in the plan, and the lists their joins will read: the pods of a
/// Service or workload, a pod's Node, a claim's PersistentVolume. A join reads beside the object
/// it starts from, so its list is known ahead only when that object's namespace is: a join from
/// a selection of every namespace, or one whose kind or namespace is read from the object, is
/// left to be read when it is evaluated.
public struct ReadPlan: Sendable, Equatable {
    /// The lists one read brings: `kinds` in `namespace` (nil: every namespace), any
    /// cluster-scoped kind among them at the cluster scope.
    public struct Batch: Sendable, Equatable {
        public var namespace: String?
        public var kinds: [KindReference]
        /// A batch of every namespace whose lists also answer the same kinds in single
        /// namespaces, which are then not read on their own.
        public var servesNamespaces: Bool

        public init(namespace: String?, kinds: [KindReference], servesNamespaces: Bool = false) {
            self.namespace = namespace
            self.kinds = kinds
            self.servesNamespaces = servesNamespaces
        }
    }

    public var batches: [Batch]

    /// The batches read ahead: those of more than one list, and one of every namespace that
    /// answers single namespaces too (read first, it spares their reads).
    public var readAhead: [Batch] { batches.filter { $0.kinds.count > 1 || $0.servesNamespaces } }

    /// Plans the reads of `selectors`. `isClusterScoped` answers for a kind as lists are keyed
    /// (`ClusterReader.listKind`); `isRead` says whether a list is read already (it is then left
    /// out).
    public init(
        _ selectors: [ObjectSelector], labNamespace: String, isClusterScoped: (KindReference) -> Bool,
        isRead: (KindReference, String?) -> Bool = { _, _ in false }
    ) {
        var namespaces: [String?] = []
        var byNamespace: [String?: [KindReference]] = [:]
        var clusterKinds: [KindReference] = []
        for selector in selectors {
            let kind = ClusterReader.listKind(KindReference(kind: selector.kind, apiVersion: selector.apiVersion))
            if isClusterScoped(kind) {
                if !isRead(kind, nil), !clusterKinds.contains(kind) { clusterKinds.append(kind) }
                continue
            }
            let namespace = Self.namespace(selector.namespace, labNamespace: labNamespace)
            if isRead(kind, namespace) { continue }
            if byNamespace[namespace] == nil { namespaces.append(namespace) }
            if !(byNamespace[namespace] ?? []).contains(kind) { byNamespace[namespace, default: []].append(kind) }
        }
        // A kind read in every namespace answers it in each namespace (`ClusterReader` filters
        // that list), so it is not read again namespace by namespace.
        var servesNamespaces = false
        if let everywhere = byNamespace[nil] {
            for namespace in namespaces where namespace != nil {
                let before = byNamespace[namespace]!.count
                byNamespace[namespace]!.removeAll { everywhere.contains($0) }
                if byNamespace[namespace]!.count < before { servesNamespaces = true }
            }
            namespaces.removeAll { $0 != nil && byNamespace[$0]!.isEmpty }
        }
        var batches = namespaces.sorted { ($0 ?? "") < ($1 ?? "") }.map {
            Batch(namespace: $0, kinds: byNamespace[$0]!, servesNamespaces: $0 == nil && servesNamespaces)
        }
        if !clusterKinds.isEmpty {
            if batches.isEmpty { batches.append(Batch(namespace: labNamespace, kinds: [])) }
            batches[0].kinds += clusterKinds
        }
        self.batches = batches
    }

    /// The namespace a selection reads (nil: every namespace).
    static func namespace(_ selection: NamespaceSelection, labNamespace: String) -> String? {
        switch selection {
        case .lab: return labNamespace
        case .named(let name): return name
        case .all: return nil
        }
    }

    /// The lists `expectation`'s joins will read from objects selected in `namespace` (nil: every
    /// namespace, or objects without one), as selectors whose namespace is where each reads;
    /// joins inside joins too. `isClusterScoped` tells which kinds' objects have no namespace
    /// (their joins read beside the lab's namespace, as `ExpectationEvaluator` does).
    public static func joinSelectors(
        _ expectation: Expectation, from kind: ObjectSelector, isClusterScoped: (ObjectSelector) -> Bool
    ) -> [ObjectSelector] {
        // Where the objects the joins start from live: the selection's namespace, or none.
        let origin: NamespaceSelection?
        if isClusterScoped(kind) {
            origin = nil
        } else if kind.namespace == .all {
            return []
        } else {
            origin = kind.namespace
        }
        var found: [ObjectSelector] = []
        for assertion in expectation.all + expectation.any + expectation.none {
            guard case .join(let join) = assertion, let target = joinTarget(join.relation, origin: origin) else { continue }
            found.append(target)
            found += joinSelectors(join.expectation, from: target, isClusterScoped: isClusterScoped)
        }
        return found
    }

    /// The list a join reads from objects in `origin` (nil: objects without a namespace), when
    /// it is known before the objects are.
    private static func joinTarget(_ relation: Relation, origin: NamespaceSelection?) -> ObjectSelector? {
        // Related objects live beside the current one; beside one without a namespace is the lab's.
        let beside = origin ?? .lab
        switch relation {
        case .node:
            return ObjectSelector(kind: "Node", namespace: .all)
        case .pods:
            return ObjectSelector(kind: "Pod", namespace: beside)
        case .endpoints:
            return ObjectSelector(kind: "Endpoints", namespace: beside)
        case .selector(let template):
            guard !template.kind.contains("{"), !(template.apiVersion ?? "").contains("{") else { return nil }
            let namespace: NamespaceSelection
            switch template.namespace {
            case .lab: namespace = beside
            case .all: namespace = .all
            case .named(let name):
                guard !name.contains("{") else { return nil }
                namespace = .named(name)
            }
            return ObjectSelector(apiVersion: template.apiVersion, kind: template.kind, namespace: namespace)
        }
    }
}
