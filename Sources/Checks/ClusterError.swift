import KubeCore
import KubeJSON

/// Why klab could not read the cluster (live or snapshot). A failing check is not an error;
/// these mean the tool could not do its job. Each description is one line: what happened,
/// where, and what to do.
public enum ClusterError: Error, CustomStringConvertible, Equatable {
    /// A label selector that does not parse (exit 2).
    case invalidLabelSelector(selector: String, reason: String)
    /// A field selector that does not parse or names a field the API server does not
    /// support for the kind (exit 2).
    case invalidFieldSelector(selector: String, kind: String, reason: String)
    /// The snapshot directory does not exist or is not a directory (exit 2).
    case snapshotNotFound(directory: String)
    /// A snapshot file that cannot be read as Kubernetes objects (exit 2).
    case invalidSnapshotFile(path: String, line: Int?, column: Int?, reason: String)
    /// A snapshot was asked for the output of an exec/http/command call it did not record (exit 2).
    case outputNotRecorded(call: String, directory: String)
    /// kubectl is not on PATH (exit 3).
    case kubectlNotInstalled
    /// A program a `command` check runs is not on PATH (exit 3).
    case programNotInstalled(name: String)
    /// The server does not know the resource type, e.g. a CRD that is not installed (exit 3).
    case resourceTypeNotFound(resource: String, context: String?)
    /// The credentials in use may not read what the check needs (exit 3).
    case forbidden(resource: String, context: String?, detail: String)
    /// The API server could not be reached (exit 3).
    case unreachable(context: String?, detail: String)
    /// kubectl or the API server did not answer in time (exit 3).
    case timedOut(command: String, seconds: Double?)
    /// The kubeconfig or context is missing or broken (exit 3).
    case kubeconfig(detail: String)
    /// kubectl printed something that is not the JSON it was asked for (exit 3).
    case unparseableOutput(command: String, reason: String)
    /// Evidence could not be written to disk (exit 3).
    case cannotWriteEvidence(path: String, reason: String)
    /// kubectl failed in a way klab does not recognise (exit 3).
    case kubectlFailed(command: String, status: Int32, detail: String)
    /// `klab reset --cluster` could not delete a planned object (exit 3).
    case deleteFailed(object: String, detail: String)
    /// `klab lab record` was asked to write into a folder that holds files, or into a file (exit 2).
    case recordingFolderNotEmpty(directory: String, isFile: Bool)

    /// A selector KubeCore refused, as the bad input of a check.
    public init(_ error: SelectorError) {
        switch error.syntax {
        case .label: self = .invalidLabelSelector(selector: error.selector, reason: error.reason)
        case .field(let kind): self = .invalidFieldSelector(selector: error.selector, kind: kind, reason: error.reason)
        }
    }

    /// The exit status (README "Exit codes"): 2 for bad input (selectors, snapshots), 3 for the
    /// environment (kubectl, the cluster, permissions, time).
    public var exitCode: Int32 {
        switch self {
        case .invalidLabelSelector, .invalidFieldSelector, .snapshotNotFound, .invalidSnapshotFile, .outputNotRecorded,
             .recordingFolderNotEmpty:
            return 2
        default:
            return 3
        }
    }

    public var description: String {
        switch self {
        case .invalidLabelSelector(let selector, let reason):
            return "invalid label selector \"\(selector)\": \(reason); fix the check's labels"
        case .invalidFieldSelector(let selector, let kind, let reason):
            return "invalid field selector \"\(selector)\" for \(kind): \(reason); fix the check's fields"
        case .snapshotNotFound(let directory):
            return "snapshot directory \(directory) does not exist; pass a folder of kubectl JSON/YAML files"
        case .invalidSnapshotFile(let path, let line, let column, let reason):
            let at = line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? ""
            return "\(path)\(at): \(reason); fix or remove the file (it must hold what kubectl get -o json|yaml prints)"
        case .outputNotRecorded(let call, let directory):
            return "\(call) was not recorded in \(directory)/outputs; record its output there or evaluate with --kube-only"
        case .kubectlNotInstalled:
            return "kubectl is not installed or not on PATH; install kubectl and retry"
        case .programNotInstalled(let name):
            return "\(name) is not installed or not on PATH; install it and retry"
        case .resourceTypeNotFound(let resource, let context):
            return "the cluster\(contextText(context)) has no resource type \"\(resource)\"; install what provides it (a CRD or add-on) or check the kind's spelling"
        case .forbidden(let resource, let context, let detail):
            return "not allowed to read \(resource) in the cluster\(contextText(context)): \(detail); use credentials that may list it"
        case .unreachable(let context, let detail):
            return "cannot reach the cluster\(contextText(context)): \(detail); check the kubeconfig, context and network"
        case .timedOut(let command, let seconds):
            let after = seconds.map { " after \(GoFormat.percentV($0))s" } ?? ""
            return "the cluster did not answer in time\(after) (\(command)); check the network or retry"
        case .kubeconfig(let detail):
            return "kubeconfig problem: \(detail); check --kubeconfig, --context and KUBECONFIG"
        case .unparseableOutput(let command, let reason):
            return "kubectl printed output klab cannot read (\(command)): \(reason); check that kubectl works"
        case .cannotWriteEvidence(let path, let reason):
            return "cannot write evidence to \(path): \(reason); check the disk and permissions"
        case .deleteFailed(let object, let detail):
            return "kubectl could not delete \(object): \(detail); what came before it in the list is deleted, the rest is not"
        case .recordingFolderNotEmpty(let directory, let isFile):
            if isFile { return "\(directory) is a file, not a folder; name a new or empty folder for the snapshot" }
            return "\(directory) is not empty; name a new or empty folder, or pass --force to replace what it holds"
        case .kubectlFailed(let command, let status, let detail):
            return "kubectl failed with exit status \(status) (\(command)): \(detail)"
        }
    }

    private func contextText(_ context: String?) -> String {
        context.map { " (context \($0))" } ?? ""
    }
}
