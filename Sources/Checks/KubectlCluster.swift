import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// A live cluster read through kubectl (`kubectl get ... -o json`), honouring `--kubeconfig`,
/// `--context` and an inherited `KUBECONFIG`. Every failure of kubectl is told apart and
/// thrown as one `ClusterError` (exit 3): not installed, no such resource type, forbidden,
/// unreachable, timed out, a kubeconfig problem, output that is not JSON.
///
/// In *cluster-wide* mode (live grading) a kind is listed once across all namespaces and each
/// namespace is served from that list, so a class of learners costs one `kubectl get` per kind;
/// the lists are shared by every reader and thread using this cluster.
// @unchecked: the one mutable property, `wideLists`, is read and written only under `lock`;
// `options` is a constant.
public final class KubectlCluster: Cluster, @unchecked Sendable {
    public struct Options: Sendable {
        public var connection: KubectlArguments.Connection
        /// Seconds before klab stops waiting for the kubectl process itself (kubectl retries
        /// discovery several times, so this is longer than the request timeout).
        public var processTimeout: Double
        /// Seconds a `command` check's program may run.
        public var commandTimeout: Double
        /// The kubectl to run: a name looked up on PATH, or a path.
        public var kubectl: String
        /// The environment of every subprocess; nil inherits klab's (and so `KUBECONFIG`).
        public var environment: [String: String]?
        /// List each kind once across all namespaces and serve namespaces from it.
        public var clusterWide: Bool
        /// Labels a probe pod carries besides its own and `klab.dev/probe` (klab's lab and
        /// learner labels, when known), so `klab reset --cluster` and people can tell whose it is.
        public var probeOwner: [ProbeLabel] = []
        /// Seconds between reads of a probe pod while it has not finished.
        public var probePollInterval: Double = 1

        public init(
            context: String? = nil, kubeconfig: String? = nil, requestTimeout: Double = 15, processTimeout: Double? = nil,
            commandTimeout: Double = 60, kubectl: String = "kubectl", environment: [String: String]? = nil,
            clusterWide: Bool = false
        ) {
            connection = KubectlArguments.Connection(context: context, kubeconfig: kubeconfig, requestTimeout: requestTimeout)
            self.processTimeout = processTimeout ?? requestTimeout * 2 + 10
            self.commandTimeout = commandTimeout
            self.kubectl = kubectl
            self.environment = environment
            self.clusterWide = clusterWide
        }

        /// A kubeconfig kubectl would read that exists and is not a regular file, as the error
        /// that refuses it before kubectl runs: kubectl would wait on a FIFO until
        /// `processTimeout` and read a device without end. `/dev/null` (no kubeconfig) passes.
        public func irregularKubeconfig() -> ClusterError? {
            for path in connection.kubeconfigFiles(environment: environment ?? ProcessInfo.processInfo.environment)
            where path != "/dev/null" {
                var info = stat()
                guard stat(path, &info) == 0, let kind = InputFile.irregularKind(info.st_mode) else { continue }
                return .kubeconfig(detail: "\(path) is \(kind), not a regular file")
            }
            return nil
        }
    }

    public let options: Options
    private let lock = NSLock()
    private var wideLists: [KindReference: (objects: [JSONValue], readAt: Date)] = [:]

    /// In cluster-wide mode, lists younger than this survive `refresh()`, so learners polling
    /// at the same moment share one read.
    public var sharedListLifetime: TimeInterval = 1

    /// The clock a probe waits on; tests give one that does not sleep.
    public var probeClock: CheckClock = SystemClock()
    /// Where probes register their pods for deletion on an interrupt.
    public var probeCleanup = ProbeCleanup.shared
    /// Names new probe pods; tests give a fixed one.
    public var probeName: @Sendable () -> String = ProbePod.newName

    public init(options: Options = Options()) {
        self.options = options
    }

    public func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue] {
        let clusterScoped = isClusterScoped(kind) ?? false
        guard options.clusterWide else {
            let scope: KubectlArguments.Scope = clusterScoped ? .cluster : namespace.map { .namespace($0) } ?? .allNamespaces
            return try list(kind, scope: scope)
        }
        lock.lock()
        defer { lock.unlock() }
        let everything: [JSONValue]
        if let cached = wideLists[kind] {
            everything = cached.objects
        } else {
            // Holding the lock while kubectl runs keeps concurrent graders from listing twice.
            everything = try list(kind, scope: clusterScoped ? .cluster : .allNamespaces)
            wideLists[kind] = (everything, Date())
        }
        guard let namespace, !clusterScoped else { return everything }
        return everything.filter { $0["metadata"]?["namespace"]?.stringValue == namespace }
    }

    /// Built-in kinds answer from the table; any other kind (a custom resource such as
    /// ENIConfig) from `kubectl api-resources`, run once per cluster and kept.
    public func isClusterScoped(_ kind: KindReference) -> Bool? {
        if let info = kind.info { return !info.namespaced }
        return apiResources().first { $0.matches(kind) }.map { !$0.namespaced }
    }

    private let discoveryLock = NSLock()
    private var discovered: [APIResource]?

    /// The resource types the API server serves, read once. A discovery that fails in part
    /// (an aggregated API down) still lists the rest; one that fails altogether lists nothing,
    /// and kinds are then read as namespaced, as before.
    func apiResources() -> [APIResource] {
        discoveryLock.lock()
        defer { discoveryLock.unlock() }
        if let discovered { return discovered }
        let result = try? runKubectl(KubectlArguments.apiResources(connection: options.connection))
        let found = result.map { APIResource.parse($0.stdoutText) } ?? []
        discovered = found
        return found
    }

    /// Several kinds in one `kubectl get a,b,c` (cluster-scoped kinds too: kubectl ignores the
    /// namespace for them), split by kind. In cluster-wide mode the kinds not listed yet are
    /// listed across all namespaces in one call and kept, as single kinds are.
    public func objects(of kinds: [KindReference], namespace: String?) throws -> [KindReference: [JSONValue]] {
        guard kinds.count > 1 else {
            var lists: [KindReference: [JSONValue]] = [:]
            for kind in kinds { lists[kind] = try objects(of: kind, namespace: isClusterScoped(kind) == true ? nil : namespace) }
            return lists
        }
        let scoped = Dictionary(uniqueKeysWithValues: kinds.map { ($0, isClusterScoped($0) ?? false) })
        guard options.clusterWide else {
            let everyScopeIsCluster = scoped.values.allSatisfy { $0 }
            let scope: KubectlArguments.Scope = everyScopeIsCluster ? .cluster : namespace.map { .namespace($0) } ?? .allNamespaces
            return try list(kinds, scope: scope)
        }
        lock.lock()
        defer { lock.unlock() }
        let missing = kinds.filter { wideLists[$0] == nil }
        if !missing.isEmpty {
            let read = missing.count == 1 ? [missing[0]: try list(missing[0], scope: scoped[missing[0]]! ? .cluster : .allNamespaces)]
                : try list(missing, scope: .allNamespaces)
            for (kind, objects) in read { wideLists[kind] = (objects, Date()) }
        }
        var lists: [KindReference: [JSONValue]] = [:]
        for kind in kinds {
            let everything = wideLists[kind]?.objects ?? []
            lists[kind] = namespace == nil || scoped[kind]! ? everything
                : everything.filter { $0["metadata"]?["namespace"]?.stringValue == namespace }
        }
        return lists
    }

    public func refresh() {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        wideLists = wideLists.filter { now.timeIntervalSince($0.value.readAt) < sharedListLifetime }
    }

    public func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput {
        let arguments = KubectlArguments.exec(
            namespace: namespace, pod: pod, container: container, command: command, connection: options.connection)
        let result = try runKubectl(arguments, outputLimit: InputLimits.execOutputBytes)
        if result.timedOut { throw ClusterError.timedOut(command: result.commandLine, seconds: options.processTimeout) }
        if result.status != 0 {
            // A command that ran and failed is the check's business; a cluster kubectl could not
            // talk to is ours.
            let error = Self.classify(result, resource: "pods/exec", context: options.connection.context,
                                      requestTimeout: options.connection.requestTimeout)
            switch error {
            case .timedOut, .unreachable, .forbidden, .kubeconfig: throw error
            default: break
            }
        }
        return Self.output(of: result)
    }

    /// What an exec or command check sees: its output, cut at `InputLimits.execOutputBytes`
    /// with a line on stderr saying so.
    static func output(of result: ProcessResult) -> CommandOutput {
        var stderr = result.stderrText
        if result.stdoutCut || result.stderrCut {
            if !stderr.isEmpty && !stderr.hasSuffix("\n") { stderr += "\n" }
            stderr += "klab: the output was cut at \(InputFile.size(InputLimits.execOutputBytes)) and the program ended"
        }
        return CommandOutput(exitCode: Int(result.status), stdout: result.stdoutText, stderr: stderr)
    }

    public func http(_ request: HTTPRequest) throws -> HTTPOutput {
        try SafeHTTP(environment: options.environment).get(request)
    }

    public func command(_ arguments: [String]) throws -> CommandOutput {
        guard var program = arguments.first else { return CommandOutput(exitCode: 0, stdout: "", stderr: "") }
        if program == "kubectl" { program = options.kubectl }
        if arguments[0] == "kubectl" || arguments[0] == "helm", let refused = options.irregularKubeconfig() { throw refused }
        let result: ProcessResult
        do {
            result = try ProcessRunner.run(program, KubectlArguments.command(arguments, connection: options.connection),
                                           environment: options.environment, timeout: options.commandTimeout,
                                           outputLimit: InputLimits.execOutputBytes)
        } catch ProcessRunnerError.notFound {
            throw ClusterError.programNotInstalled(name: program)
        }
        if result.timedOut { throw ClusterError.timedOut(command: result.commandLine, seconds: options.commandTimeout) }
        return Self.output(of: result)
    }

    // MARK: - Probe pods

    /// Creates the probe pod, waits until its command has ended (or cannot run, or `timeout`
    /// passes), reads its log and exit code, and deletes it, whatever happened: after a
    /// failure, a timeout, a thrown error, or an interrupt (through `ProbeCleanup`).
    ///
    /// What could not run is an answer (`ProbeOutput.couldNotRun`): the pod was refused
    /// (forbidden, invalid), its image could not be pulled, it was not scheduled in time. A
    /// cluster kubectl cannot reach is klab's problem and thrown, as for every other read.
    public func probe(_ call: ProbeCall, timeout: Double) throws -> ProbeOutput {
        let name = probeName()
        let connection = options.connection
        let manifest = ProbePod.manifest(
            name: name, namespace: call.namespace,
            request: ProbeRequest(labels: call.labels, image: call.image, command: call.command, timeout: timeout),
            owner: options.probeOwner)
        let token = probeCleanup.register { [self] in
            _ = try? runKubectl(KubectlArguments.deletePod(name, namespace: call.namespace, connection: connection))
        }
        defer { probeCleanup.finish(token) }

        let created = try runKubectl(
            KubectlArguments.createFromStdin(namespace: call.namespace, connection: connection),
            stdin: Data((JSONWriter.compact(manifest) + "\n").utf8))
        if created.timedOut { throw ClusterError.timedOut(command: created.commandLine, seconds: options.processTimeout) }
        if created.status != 0 {
            let error = Self.classify(created, resource: "pods", context: connection.context, requestTimeout: connection.requestTimeout)
            switch error {
            case .timedOut, .unreachable, .kubeconfig: throw error
            default: return .notRun("the probe pod was not created: \(Self.meaningfulLine(created.stderrText) ?? "exit status \(created.status)")")
            }
        }

        let clock = probeClock
        let deadline = clock.now() + timeout
        var exitCode: Int?
        func interrupted() -> Bool {
            guard probeCleanup.wasInterrupted else { return false }
            probeCleanup.parkIfEnding()
            return true
        }
        while exitCode == nil {
            if interrupted() { return .notRun("klab was interrupted; the probe pod was deleted") }
            let read = try runKubectl(KubectlArguments.getPod(name, namespace: call.namespace, connection: connection))
            if interrupted() { return .notRun("klab was interrupted; the probe pod was deleted") }
            if read.timedOut { throw ClusterError.timedOut(command: read.commandLine, seconds: options.processTimeout) }
            guard read.status == 0 else {
                let error = Self.classify(read, resource: "pods", context: connection.context, requestTimeout: connection.requestTimeout)
                switch error {
                case .timedOut, .unreachable, .kubeconfig: throw error
                default: return .notRun("the probe pod could not be read: \(Self.meaningfulLine(read.stderrText) ?? "exit status \(read.status)")")
                }
            }
            guard let pod = try? JSONParser.parse(bytes: read.stdout) else {
                throw ClusterError.unparseableOutput(command: read.commandLine, reason: "expected the probe pod as JSON")
            }
            switch ProbePod.state(of: pod) {
            case .finished(let code):
                exitCode = code
            case .couldNotRun(let reason):
                return .notRun(reason)
            case .waiting(let what):
                let now = clock.now()
                guard now < deadline else {
                    let advice = what == "running" ? "; give the command a timeout of its own (nc -w 2, wget -T 2)" : ""
                    return .notRun("the probe pod had not finished after \(CheckEvaluator.duration(timeout)) (\(what))\(advice)")
                }
                clock.sleep(seconds: min(options.probePollInterval, deadline - now))
            }
        }
        let logs = try runKubectl(KubectlArguments.logs(pod: name, namespace: call.namespace, connection: connection))
        if logs.timedOut { throw ClusterError.timedOut(command: logs.commandLine, seconds: options.processTimeout) }
        return ProbeOutput(exitCode: exitCode ?? -1, stdout: logs.status == 0 ? logs.stdoutText : "", stderr: "")
    }

    // MARK: - kubectl get

    private func list(_ kind: KindReference, scope: KubectlArguments.Scope) throws -> [JSONValue] {
        let arguments = KubectlArguments.get(kind: kind, scope: scope, connection: options.connection)
        let result = try runKubectl(arguments)
        if result.timedOut { throw ClusterError.timedOut(command: result.commandLine, seconds: options.processTimeout) }
        guard result.status == 0 else {
            throw Self.classify(result, resource: KubectlArguments.resource(for: kind), context: options.connection.context,
                                requestTimeout: options.connection.requestTimeout)
        }
        return try Self.items(of: result, kind: kind)
    }

    /// One `kubectl get a,b,c`, its items given to the kind each is of.
    private func list(_ kinds: [KindReference], scope: KubectlArguments.Scope) throws -> [KindReference: [JSONValue]] {
        let arguments = KubectlArguments.get(kinds: kinds, scope: scope, connection: options.connection)
        let result = try runKubectl(arguments)
        if result.timedOut { throw ClusterError.timedOut(command: result.commandLine, seconds: options.processTimeout) }
        guard result.status == 0 else {
            throw Self.classify(result, resource: kinds.map(KubectlArguments.resource(for:)).joined(separator: ","),
                                context: options.connection.context, requestTimeout: options.connection.requestTimeout)
        }
        var lists = Dictionary(uniqueKeysWithValues: kinds.map { ($0, [JSONValue]()) })
        for item in try Self.items(of: result, kind: kinds[0]) {
            guard let apiVersion = item["apiVersion"]?.stringValue, let kind = item["kind"]?.stringValue,
                  let owner = kinds.first(where: { $0.matches(apiVersion: apiVersion, kind: kind) && (KindReference(kind: kind, apiVersion: apiVersion).group == ($0.group ?? $0.info?.group ?? KindReference(kind: kind, apiVersion: apiVersion).group)) })
            else { continue }
            lists[owner, default: []].append(item)
        }
        return lists
    }

    /// Runs kubectl; a `get` whose output passes `InputLimits.programOutputBytes` fails here,
    /// whatever kubectl's status after it was ended.
    private func runKubectl(_ arguments: [String], stdin: Data? = nil, outputLimit: Int = InputLimits.programOutputBytes) throws -> ProcessResult {
        if let refused = options.irregularKubeconfig() { throw refused }
        let result: ProcessResult
        do {
            result = try ProcessRunner.run(options.kubectl, arguments, stdin: stdin, environment: options.environment,
                                           timeout: options.processTimeout, outputLimit: outputLimit)
        } catch ProcessRunnerError.notFound {
            throw ClusterError.kubectlNotInstalled
        }
        if result.stdoutCut && outputLimit == InputLimits.programOutputBytes {
            throw ClusterError.unparseableOutput(
                command: result.commandLine,
                reason: "it printed more than \(InputFile.size(outputLimit)), the most klab reads at once; read fewer objects (a label selector, one namespace)")
        }
        return result
    }

    /// The objects of a `kubectl get -o json` answer, each with `apiVersion` and `kind`.
    static func items(of result: ProcessResult, kind: KindReference) throws -> [JSONValue] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: result.stdout)
        } catch let error as JSONParseError {
            throw ClusterError.unparseableOutput(command: result.commandLine, reason: error.description)
        }
        guard let items = value["items"]?.arrayValue else {
            throw ClusterError.unparseableOutput(command: result.commandLine, reason: "expected a List with \"items\", found a \(value.typeName)")
        }
        let listKind = value["kind"]?.stringValue ?? "List"
        let defaultKind = listKind != "List" && listKind.hasSuffix("List") ? String(listKind.dropLast(4)) : (kind.info?.kind ?? kind.kind)
        let defaultVersion = value["apiVersion"]?.stringValue.flatMap { listKind == "List" ? nil : $0 }
            ?? kind.apiVersion ?? kind.info?.apiVersion ?? "v1"
        return items.map { item in
            guard case .object(var object) = item else { return item }
            if object["kind"] == nil { object["kind"] = .string(defaultKind) }
            if object["apiVersion"] == nil { object["apiVersion"] = .string(defaultVersion) }
            return .object(object)
        }
    }

    // MARK: - Failures

    /// Tells kubectl's failures apart from its exit status and stderr.
    static func classify(_ result: ProcessResult, resource: String, context: String?, requestTimeout: Double?) -> ClusterError {
        let stderr = result.stderrText
        let detail = meaningfulLine(stderr) ?? "no message"
        func has(_ needles: String...) -> Bool { needles.contains { stderr.contains($0) } }
        if has("context deadline exceeded", "Client.Timeout", "i/o timeout", "TLS handshake timeout",
               "the server was unable to return a response in the time allotted", "(Timeout)") {
            return .timedOut(command: result.commandLine, seconds: requestTimeout)
        }
        if has("the server doesn't have a resource type") {
            return .resourceTypeNotFound(resource: resource, context: context)
        }
        if has("(Forbidden)", "is forbidden", "cannot list resource", "cannot get resource", "cannot create resource",
               "(Unauthorized)", "You must be logged in to the server") {
            return .forbidden(resource: resource, context: context, detail: detail)
        }
        if let line = meaningfulLines(stderr).first(where: { $0.contains("getting credentials") }) {
            // An exec credential plugin (aws eks get-token) that is missing or failing.
            return .kubeconfig(detail: line)
        }
        if has("Unable to connect to the server", "connection refused", "was refused", "no such host", "dial tcp",
               "no route to host", "network is unreachable", "connection reset by peer") {
            return .unreachable(context: context, detail: detail)
        }
        if has("Error in configuration", "context was not found", "no context exists", "invalid configuration",
               "error loading config file", "couldn't get version/kind; json parse error")
            || (stderr.contains("context \"") && stderr.contains("\" does not exist"))
            || (stderr.hasPrefix("error: stat ") && stderr.contains("no such file or directory")) {
            return .kubeconfig(detail: detail)
        }
        return .kubectlFailed(command: result.commandLine, status: result.status, detail: meaningfulLines(stderr).first ?? detail)
    }

    /// The line of kubectl's stderr worth showing: the last one that is not klog noise
    /// (`E1125 21:02:35.79 ... memcache.go:265] ...`), trimmed to a readable length.
    static func meaningfulLine(_ stderr: String) -> String? {
        meaningfulLines(stderr).last
            ?? stderr.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }).map { shortened(String($0)) }
    }

    static func meaningfulLines(_ stderr: String) -> [String] {
        stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !isKlogLine($0) && !$0.hasPrefix("See 'kubectl") }
            .map(shortened)
    }

    private static func shortened(_ line: String) -> String {
        line.count > 300 ? String(line.prefix(297)) + "..." : line
    }

    private static func isKlogLine(_ line: String) -> Bool {
        let chars = Array(line.prefix(6))
        guard chars.count == 6, "EWIF".contains(chars[0]) else { return false }
        return chars[1...4].allSatisfy(\.isNumber) && chars[5] == " "
    }
}

/// One `KubectlCluster` per context, each in cluster-wide mode, for grading a class: learners
/// on the same context share every list.
// @unchecked: `clusters` is read and written only under `lock`.
public final class KubectlClusterPool: @unchecked Sendable {
    public let options: KubectlCluster.Options
    private let lock = NSLock()
    private var clusters: [String: KubectlCluster] = [:]

    /// `options.connection.context` is the default for learners without a context.
    public init(options: KubectlCluster.Options) {
        var options = options
        options.clusterWide = true
        self.options = options
    }

    public func cluster(context: String?) -> KubectlCluster {
        let key = context ?? options.connection.context ?? ""
        lock.lock()
        defer { lock.unlock() }
        if let cluster = clusters[key] { return cluster }
        var options = options
        if let context { options.connection.context = context }
        let cluster = KubectlCluster(options: options)
        clusters[key] = cluster
        return cluster
    }
}

/// One row of `kubectl api-resources`: `NAME SHORTNAMES APIVERSION NAMESPACED KIND`.
struct APIResource: Equatable {
    var name: String
    var shortNames: [String]
    var apiVersion: String
    var namespaced: Bool
    var kind: String

    var group: String {
        let parts = apiVersion.split(separator: "/", maxSplits: 1)
        return parts.count == 2 ? String(parts[0]) : ""
    }

    /// Whether a check's kind names this resource: by kind, plural or short name, ignoring case,
    /// in the check's group when it names one.
    func matches(_ reference: KindReference) -> Bool {
        if let group = reference.group, group != self.group { return false }
        let wanted = reference.kind.lowercased()
        return wanted == kind.lowercased() || wanted == name || shortNames.contains(wanted)
    }

    /// The rows of kubectl's table (without its header); lines that are not rows are skipped.
    static func parse(_ text: String) -> [APIResource] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count == 4 || fields.count == 5, fields[0] != "NAME" else { return nil }
            let namespaced = fields[fields.count - 2]
            guard namespaced == "true" || namespaced == "false" else { return nil }
            return APIResource(
                name: fields[0], shortNames: fields.count == 5 ? fields[1].split(separator: ",").map(String.init) : [],
                apiVersion: fields[fields.count - 3], namespaced: namespaced == "true", kind: fields[fields.count - 1])
        }
    }
}
