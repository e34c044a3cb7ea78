import Foundation
import KubeCore
/// The argument lists klab gives kubectl, built by pure functions so tests can pin them (and
/// run them against real kubectl). Connection flags come last and only when set, so kubectl's
/// own defaults (`KUBECONFIG`, the current context) apply otherwise.
public enum KubectlArguments {
    /// Where a `get` looks.
    public enum Scope: Sendable, Equatable {
        case namespace(String)
        case allNamespaces
        /// A cluster-scoped kind: no namespace flag at all.
        case cluster
    }

    /// The connection flags every call carries.
    public struct Connection: Sendable, Equatable {
        public var context: String?
        public var kubeconfig: String?
        /// Seconds kubectl waits for the API server per request (`--request-timeout`).
        public var requestTimeout: Double?

        public init(context: String? = nil, kubeconfig: String? = nil, requestTimeout: Double? = nil) {
            self.context = context
            self.kubeconfig = kubeconfig
            self.requestTimeout = requestTimeout
        }

        var flags: [String] {
            var flags: [String] = []
            if let requestTimeout { flags.append("--request-timeout=\(KubectlArguments.duration(requestTimeout))") }
            if let context { flags.append("--context=\(context)") }
            if let kubeconfig { flags.append("--kubeconfig=\(kubeconfig)") }
            return flags
        }

        /// The kubeconfig files kubectl reads with these flags: `--kubeconfig`, else every file
        /// `KUBECONFIG` names, else `~/.kube/config` (files that do not exist included).
        public func kubeconfigFiles(environment: [String: String]) -> [String] {
            if let kubeconfig { return [kubeconfig] }
            if let variable = environment["KUBECONFIG"], !variable.isEmpty {
                return variable.split(separator: ":").map(String.init)
            }
            return [(environment["HOME"] ?? NSHomeDirectory()) + "/.kube/config"]
        }
    }

    /// `kubectl get RESOURCE (-n NS | --all-namespaces) -o json ...`
    public static func get(kind: KindReference, scope: Scope, connection: Connection = Connection()) -> [String] {
        var arguments = ["get", resource(for: kind)]
        switch scope {
        case .namespace(let namespace): arguments += ["-n", namespace]
        case .allNamespaces: arguments.append("--all-namespaces")
        case .cluster: break
        }
        return arguments + ["-o", "json"] + connection.flags
    }

    /// `kubectl get R1,R2,... (-n NS | --all-namespaces) -o json`: several kinds in one call.
    public static func get(kinds: [KindReference], scope: Scope, connection: Connection = Connection()) -> [String] {
        var arguments = ["get", kinds.map(resource(for:)).joined(separator: ",")]
        switch scope {
        case .namespace(let namespace): arguments += ["-n", namespace]
        case .allNamespaces: arguments.append("--all-namespaces")
        case .cluster: break
        }
        return arguments + ["-o", "json"] + connection.flags
    }

    /// `kubectl get RESOURCE (-n NS | --all-namespaces) -o json --watch --output-watch-events`:
    /// the current objects as ADDED events, then every change, until the stream ends. kubectl
    /// watches one resource type at a time, and `--request-timeout` would end the watch after
    /// that long, so it is left out.
    public static func watch(kind: KindReference, scope: Scope, connection: Connection = Connection()) -> [String] {
        var connection = connection
        connection.requestTimeout = nil
        var arguments = ["get", resource(for: kind)]
        switch scope {
        case .namespace(let namespace): arguments += ["-n", namespace]
        case .allNamespaces: arguments.append("--all-namespaces")
        case .cluster: break
        }
        return arguments + ["-o", "json", "--watch", "--output-watch-events"] + connection.flags
    }

    /// `kubectl exec -n NS POD [-c CONTAINER] ... -- COMMAND...`; the command follows `--`, so
    /// nothing in it is read as a kubectl flag.
    public static func exec(
        namespace: String, pod: String, container: String?, command: [String], connection: Connection = Connection()
    ) -> [String] {
        var arguments = ["exec", "-n", namespace, pod]
        if let container { arguments += ["-c", container] }
        return arguments + connection.flags + ["--"] + command
    }

    /// `kubectl create -f - -o json`: a probe pod, its manifest on stdin.
    public static func createFromStdin(namespace: String, connection: Connection = Connection()) -> [String] {
        ["create", "-n", namespace, "-f", "-", "-o", "json"] + connection.flags
    }

    /// `kubectl get pod NAME -n NS -o json`: one pod (a probe's).
    public static func getPod(_ name: String, namespace: String, connection: Connection = Connection()) -> [String] {
        ["get", "pod", name, "-n", namespace, "-o", "json"] + connection.flags
    }

    /// `kubectl logs NAME -n NS`: what a probe's command wrote.
    public static func logs(pod: String, namespace: String, connection: Connection = Connection()) -> [String] {
        ["logs", pod, "-n", namespace] + connection.flags
    }

    /// `kubectl delete pod NAME -n NS --ignore-not-found --wait=false`: a probe pod, by name.
    public static func deletePod(_ name: String, namespace: String, connection: Connection = Connection()) -> [String] {
        ["delete", "pod", name, "-n", namespace, "--ignore-not-found", "--wait=false"] + connection.flags
    }

    /// `kubectl api-resources`: the table of resource types, to learn whether a custom kind is
    /// namespaced.
    public static func apiResources(connection: Connection = Connection()) -> [String] {
        ["api-resources"] + connection.flags
    }

    /// The arguments of a `command` check's program (without the program): `kubectl` and
    /// `helm` get the context and kubeconfig klab was given, right after the program, unless the
    /// check names its own; other programs run as written.
    public static func command(_ arguments: [String], connection: Connection) -> [String] {
        guard let program = arguments.first else { return [] }
        var rest = Array(arguments.dropFirst())
        let own = { (flag: String) in rest.prefix { $0 != "--" }.contains { $0 == flag || $0.hasPrefix(flag + "=") } }
        var flags: [String] = []
        switch (program as NSString).lastPathComponent {
        case "kubectl":
            if let context = connection.context, !own("--context") { flags.append("--context=\(context)") }
            if let kubeconfig = connection.kubeconfig, !own("--kubeconfig") { flags.append("--kubeconfig=\(kubeconfig)") }
        case "helm":
            if let context = connection.context, !own("--kube-context") { flags.append("--kube-context=\(context)") }
            if let kubeconfig = connection.kubeconfig, !own("--kubeconfig") { flags.append("--kubeconfig=\(kubeconfig)") }
        default:
            break
        }
        rest.insert(contentsOf: flags, at: 0)
        return rest
    }

    /// The resource argument for a kind, fully qualified so a custom resource of the same name
    /// in another group is never picked: `pods`, `deployments.apps`, `deployments.v1.apps` (an
    /// apiVersion was named), `widgets.v1.example.com`... Kinds outside the table go by their
    /// lower-case singular name, which kubectl resolves through discovery.
    public static func resource(for kind: KindReference) -> String {
        let info = kind.info
        let name = info?.plural ?? kind.kind.lowercased()
        let group = kind.group ?? info?.group ?? ""
        if group.isEmpty { return name }
        if let apiVersion = kind.apiVersion, let version = apiVersion.split(separator: "/").last {
            return "\(name).\(version).\(group)"
        }
        return "\(name).\(group)"
    }

    /// A Go duration kubectl accepts: `10s`, `1500ms`.
    static func duration(_ seconds: Double) -> String {
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return "\(Int((seconds * 1000).rounded()))ms"
    }
}
