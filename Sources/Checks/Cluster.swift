import KubeCore
import KubeJSON
import LabSpec

/// A Kubernetes cluster as checks see it: a live one through kubectl, or a snapshot on disk.
///
/// Implementations return objects unfiltered (one call per kind and namespace); selectors
/// are applied by `ClusterReader`, the same way for every source, so a snapshot and a live
/// cluster answer a check identically.
public protocol Cluster: AnyObject {
    /// Every object of a kind. `namespace` nil means all namespaces (or a cluster-scoped kind).
    /// Each object carries `apiVersion` and `kind`.
    func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue]

    /// Every object of several kinds in one scope, by kind: what `objects(of:namespace:)` gives
    /// for each, read at once where the source can (one `kubectl get a,b,c`). Cluster-scoped
    /// kinds may be among them (the namespace does not apply to them). The default reads the
    /// kinds one by one.
    func objects(of kinds: [KindReference], namespace: String?) throws -> [KindReference: [JSONValue]]

    /// Runs a command in a container of a pod (`kubectl exec`).
    func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput

    /// Performs an HTTP GET (with the rules of `SafeHTTP` on a live cluster).
    func http(_ request: HTTPRequest) throws -> HTTPOutput

    /// Runs a local program such as `helm` or `aws`.
    func command(_ arguments: [String]) throws -> CommandOutput

    /// Runs a command in a pod of its own, made for it and deleted after it (a `probe` check).
    /// The default says the source cannot run probes.
    func probe(_ call: ProbeCall, timeout: Double) throws -> ProbeOutput

    /// What a `workspace` check read of a learner's workspace, when the source recorded it (a
    /// snapshot or evidence); nil when the source has no workspace (a live cluster). The
    /// default has none.
    func workspace(_ request: WorkspaceRequest) throws -> JSONValue?

    /// Whether a kind is cluster-scoped; nil when the source cannot tell (then it is read as
    /// namespaced). The default answers from `KubernetesKinds`.
    func isClusterScoped(_ kind: KindReference) -> Bool?

    /// Forgets anything the source cached, so the next read sees the cluster as it is now
    /// (before a `wait` poll). Sources that cache nothing do nothing.
    func refresh()
}

extension Cluster {
    public func objects(of kinds: [KindReference], namespace: String?) throws -> [KindReference: [JSONValue]] {
        var lists: [KindReference: [JSONValue]] = [:]
        for kind in kinds { lists[kind] = try objects(of: kind, namespace: isClusterScoped(kind) == true ? nil : namespace) }
        return lists
    }

    public func http(url: String, timeout: Double) throws -> HTTPOutput {
        try http(HTTPRequest(url: url, timeout: timeout))
    }

    public func isClusterScoped(_ kind: KindReference) -> Bool? {
        kind.info.map { !$0.namespaced }
    }

    public func refresh() {}

    public func probe(_ call: ProbeCall, timeout: Double) throws -> ProbeOutput {
        .notRun("this cluster source cannot run probe pods")
    }

    public func workspace(_ request: WorkspaceRequest) throws -> JSONValue? { nil }
}

/// A learner's workspace as `workspace` checks read it (the Workspace module reads the git
/// repository; `klab verify` gives it to the reader).
public protocol WorkspaceReading: AnyObject {
    /// `{commits, files: [{path, kinds}], history: [{path, commit}], plaintextSecrets:
    /// [{path, commit}], uncommittedSecrets: [path]}` under the request's path.
    func facts(_ request: WorkspaceRequest) throws -> JSONValue
}

/// What a command printed and how it ended.
public struct CommandOutput: Sendable, Equatable {
    public var exitCode: Int
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// What an HTTP request returned. A request that got no answer (refused, unresolvable host,
/// timed out) has status 0 and says why in `error`: a fact about the cluster, not a failure of klab.
public struct HTTPOutput: Sendable, Equatable {
    public var status: Int
    public var body: String
    public var error: String?

    public init(status: Int, body: String, error: String? = nil) {
        self.status = status
        self.body = body
        self.error = error
    }
}
