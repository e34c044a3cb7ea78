import KubeJSON
/// What klab knows about a built-in Kubernetes kind without asking a server: its group, the
/// version kubectl prints by default, its resource names and whether it lives in a namespace.
public struct KindInfo: Sendable, Equatable {
    public var kind: String
    /// "" for the core group.
    public var group: String
    public var version: String
    /// The resource name kubectl takes (`deployments`).
    public var plural: String
    /// kubectl's short names (`deploy`).
    public var shortNames: [String]
    public var namespaced: Bool

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
}

/// The built-in kinds a workshop meets, resolved the way kubectl resolves a resource name:
/// by kind, singular, plural or short name, case-insensitively. Kinds outside the table
/// (custom resources) are matched by kind name alone and assumed namespaced unless the
/// snapshot or the objects say otherwise.
public enum KubernetesKinds {
    public static let all: [KindInfo] = [
        core("Pod", "pods", ["po"]),
        core("Service", "services", ["svc"]),
        core("Endpoints", "endpoints", ["ep"]),
        core("ConfigMap", "configmaps", ["cm"]),
        core("Secret", "secrets", []),
        core("ServiceAccount", "serviceaccounts", ["sa"]),
        core("PersistentVolumeClaim", "persistentvolumeclaims", ["pvc"]),
        core("Event", "events", ["ev"]),
        core("ReplicationController", "replicationcontrollers", ["rc"]),
        core("LimitRange", "limitranges", ["limits"]),
        core("ResourceQuota", "resourcequotas", ["quota"]),
        core("PodTemplate", "podtemplates", []),
        core("Node", "nodes", ["no"], namespaced: false),
        core("Namespace", "namespaces", ["ns"], namespaced: false),
        core("PersistentVolume", "persistentvolumes", ["pv"], namespaced: false),
        core("ComponentStatus", "componentstatuses", ["cs"], namespaced: false),
        info("Deployment", "apps", "v1", "deployments", ["deploy"]),
        info("ReplicaSet", "apps", "v1", "replicasets", ["rs"]),
        info("StatefulSet", "apps", "v1", "statefulsets", ["sts"]),
        info("DaemonSet", "apps", "v1", "daemonsets", ["ds"]),
        info("ControllerRevision", "apps", "v1", "controllerrevisions", []),
        info("Job", "batch", "v1", "jobs", []),
        info("CronJob", "batch", "v1", "cronjobs", ["cj"]),
        info("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", ["hpa"]),
        info("Ingress", "networking.k8s.io", "v1", "ingresses", ["ing"]),
        info("IngressClass", "networking.k8s.io", "v1", "ingressclasses", [], namespaced: false),
        info("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", ["netpol"]),
        info("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", []),
        info("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", ["pdb"]),
        info("Role", "rbac.authorization.k8s.io", "v1", "roles", []),
        info("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", []),
        info("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", [], namespaced: false),
        info("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", [], namespaced: false),
        info("StorageClass", "storage.k8s.io", "v1", "storageclasses", ["sc"], namespaced: false),
        info("CSIDriver", "storage.k8s.io", "v1", "csidrivers", [], namespaced: false),
        info("CSINode", "storage.k8s.io", "v1", "csinodes", [], namespaced: false),
        info("VolumeAttachment", "storage.k8s.io", "v1", "volumeattachments", [], namespaced: false),
        info("PriorityClass", "scheduling.k8s.io", "v1", "priorityclasses", ["pc"], namespaced: false),
        info("RuntimeClass", "node.k8s.io", "v1", "runtimeclasses", [], namespaced: false),
        info("CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions", ["crd", "crds"], namespaced: false),
        info("APIService", "apiregistration.k8s.io", "v1", "apiservices", [], namespaced: false),
        info("MutatingWebhookConfiguration", "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", [], namespaced: false),
        info("ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", [], namespaced: false),
        info("CertificateSigningRequest", "certificates.k8s.io", "v1", "certificatesigningrequests", ["csr"], namespaced: false),
        info("Lease", "coordination.k8s.io", "v1", "leases", []),
        info("FlowSchema", "flowcontrol.apiserver.k8s.io", "v1", "flowschemas", [], namespaced: false),
        info("PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", [], namespaced: false),
    ]

    /// The kind a name stands for: `Deployment`, `deployment`, `deployments`, `deploy`.
    public static func info(named name: String) -> KindInfo? {
        byName[name.lowercased()].map { all[$0] }
    }

    /// The first entry of `all` that each lowercase kind, plural and short name names: what a
    /// scan of the table in order would find, without scanning it for every check.
    private static let byName: [String: Int] = {
        var index: [String: Int] = [:]
        for (position, info) in all.enumerated() {
            for name in [info.kind.lowercased(), info.plural] + info.shortNames where index[name] == nil {
                index[name] = position
            }
        }
        return index
    }()

    /// The table entry for a kind in a group ("" = core); nil for kinds outside the table.
    public static func info(kind: String, group: String?) -> KindInfo? {
        guard let found = info(named: kind) else { return nil }
        if let group, group != found.group { return nil }
        return found
    }

    /// Whether an object kind (as it appears in objects) is cluster-scoped, when klab knows.
    public static func isClusterScoped(kind: String, group: String?) -> Bool? {
        info(kind: kind, group: group).map { !$0.namespaced }
    }

    private static func core(_ kind: String, _ plural: String, _ short: [String], namespaced: Bool = true) -> KindInfo {
        KindInfo(kind: kind, group: "", version: "v1", plural: plural, shortNames: short, namespaced: namespaced)
    }

    private static func info(
        _ kind: String, _ group: String, _ version: String, _ plural: String, _ short: [String], namespaced: Bool = true
    ) -> KindInfo {
        KindInfo(kind: kind, group: group, version: version, plural: plural, shortNames: short, namespaced: namespaced)
    }
}
