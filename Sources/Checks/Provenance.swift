import Foundation
import KubeJSON

/// Where a step's evidence was read from, stored with it (inside what is digested and signed),
/// so a grader can tell practice against a snapshot from work on a cluster, and one cluster
/// from another.
public struct Provenance: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// A live cluster through kubectl.
        case cluster
        /// A snapshot folder (`klab verify --snapshot`): practice, never marks.
        case snapshot
        /// A source that cannot say (a test's cluster in memory).
        case unknown
    }

    public var source: Source
    /// The API server URL, from the kubeconfig kubectl used.
    public var server: String?
    /// The kubeconfig context.
    public var context: String?
    /// The cluster's identity: the UID of its `kube-system` Namespace (it lives as long as the
    /// cluster does, and no two clusters share one).
    public var clusterID: String?
    public var kubectlClient: String?
    public var kubectlServer: String?
    /// The snapshot folder, as given.
    public var snapshotPath: String?
    /// `sha256:` over the snapshot's files.
    public var snapshotDigest: String?
    /// What could not be read, with why (a learner may not be allowed to read kube-system).
    public var unread: [String]
    /// Filled in by the verifier: who, with which klab, when (UTC, RFC 3339).
    public var learner: String?
    public var klabVersion: String?
    public var time: String?

    public init(
        source: Source, server: String? = nil, context: String? = nil, clusterID: String? = nil,
        kubectlClient: String? = nil, kubectlServer: String? = nil, snapshotPath: String? = nil,
        snapshotDigest: String? = nil, unread: [String] = [], learner: String? = nil, klabVersion: String? = nil,
        time: String? = nil
    ) {
        self.source = source
        self.server = server
        self.context = context
        self.clusterID = clusterID
        self.kubectlClient = kubectlClient
        self.kubectlServer = kubectlServer
        self.snapshotPath = snapshotPath
        self.snapshotDigest = snapshotDigest
        self.unread = unread
        self.learner = learner
        self.klabVersion = klabVersion
        self.time = time
    }

    /// Whether this is practice (a snapshot), which earns no marks.
    public var isPractice: Bool { source != .cluster }

    /// A short account for people: `cluster https://… (context eks-class)`, `practice (snapshot)`.
    public var summary: String {
        switch source {
        case .cluster:
            return "cluster \(server ?? "?")" + (context.map { " (context \($0))" } ?? "")
        case .snapshot:
            return "practice (snapshot)"
        case .unknown:
            return "an unknown source"
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["source"] = .string(source.rawValue)
        func put(_ key: String, _ value: String?) { if let value { object[key] = .string(value) } }
        put("server", server)
        put("context", context)
        put("clusterID", clusterID)
        put("kubectlClient", kubectlClient)
        put("kubectlServer", kubectlServer)
        put("snapshotPath", snapshotPath)
        put("snapshotDigest", snapshotDigest)
        if !unread.isEmpty { object["unread"] = .array(unread.map(JSONValue.string)) }
        put("learner", learner)
        put("klabVersion", klabVersion)
        put("time", time)
        return .object(object)
    }

    /// The file's bytes: sorted keys, so equal provenance gives equal bytes.
    public var fileData: Data {
        Data((JSONWriter.write(json, options: Evidence.stableOptions) + "\n").utf8)
    }

    /// Reads `provenance.json`; nil when it is not one.
    public init?(json: JSONValue) {
        guard let raw = json["source"]?.stringValue, let source = Source(rawValue: raw) else { return nil }
        func text(_ key: String) -> String? { json[key]?.stringValue }
        self.init(
            source: source, server: text("server"), context: text("context"), clusterID: text("clusterID"),
            kubectlClient: text("kubectlClient"), kubectlServer: text("kubectlServer"), snapshotPath: text("snapshotPath"),
            snapshotDigest: text("snapshotDigest"), unread: json["unread"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            learner: text("learner"), klabVersion: text("klabVersion"), time: text("time"))
    }

    public init?(data: Data?) {
        guard let data, let json = try? JSONParser.parse(bytes: data) else { return nil }
        self.init(json: json)
    }

    /// The name of the file in a step's evidence.
    public static let fileName = "provenance.json"
}

/// A cluster that can say where it is.
public protocol ProvenanceReporting {
    func provenance() -> Provenance
}

extension SnapshotCluster: ProvenanceReporting {
    public func provenance() -> Provenance {
        Provenance(source: .snapshot, snapshotPath: directory, snapshotDigest: contentDigest)
    }
}

extension KubectlCluster: ProvenanceReporting {
    /// Three kubectl calls with the same connection flags as the checks' own reads, run at
    /// once (each mostly waits on the API server or on kubectl's start): `version`,
    /// `config view --minify` and `get namespace kube-system`. What cannot be read is named in
    /// `unread`, in that order, never fatal: the step passed; this only describes where.
    public func provenance() -> Provenance {
        var provenance = Provenance(source: .cluster, context: options.connection.context)
        let reads = Self.provenanceReads
        let options = options
        let answers = Self.atOnce(reads.count) { Self.provenanceAnswer(reads[$0], options: options) }
        for (read, answer) in zip(reads, answers) {
            switch answer {
            case .unread(let reason):
                provenance.unread.append("\(read.what): \(reason)")
            case .value(let value):
                switch read.reads {
                case .versions:
                    provenance.kubectlClient = value["clientVersion"]?["gitVersion"]?.stringValue
                    provenance.kubectlServer = value["serverVersion"]?["gitVersion"]?.stringValue
                case .connection:
                    provenance.context = value["contexts"]?[0]?["name"]?.stringValue ?? value["current-context"]?.stringValue ?? provenance.context
                    provenance.server = value["clusters"]?[0]?["cluster"]?["server"]?.stringValue
                case .clusterID:
                    provenance.clusterID = value["metadata"]?["uid"]?.stringValue
                }
            }
        }
        return provenance
    }

    /// One of the provenance's reads: kubectl's arguments (before the connection flags), what
    /// it reads as `unread` names it, which fields of the provenance its answer fills, and
    /// whether a failed call's output still counts.
    struct ProvenanceRead: Sendable {
        enum Fields: Sendable { case versions, connection, clusterID }
        var arguments: [String]
        var what: String
        var reads: Fields
        var acceptFailure = false
    }

    static let provenanceReads = [
        // `kubectl version` exits 1 when the server is unreachable but still prints the client.
        ProvenanceRead(arguments: ["version", "-o", "json"], what: "kubectl version", reads: .versions, acceptFailure: true),
        ProvenanceRead(arguments: ["config", "view", "--minify", "-o", "json"], what: "kubeconfig", reads: .connection),
        ProvenanceRead(arguments: ["get", "namespace", "kube-system", "-o", "json"], what: "kube-system namespace", reads: .clusterID),
    ]

    enum ProvenanceAnswer: Sendable {
        case value(JSONValue)
        case unread(String)
    }

    static func provenanceAnswer(_ read: ProvenanceRead, options: Options) -> ProvenanceAnswer {
        if let refused = options.irregularKubeconfig() { return .unread(refused.description) }
        guard let result = try? ProcessRunner.run(options.kubectl, read.arguments + options.connection.flags,
                                                  environment: options.environment, timeout: options.processTimeout)
        else { return .unread("kubectl could not be run") }
        guard result.status == 0 || read.acceptFailure, !result.timedOut, let value = try? JSONParser.parse(bytes: result.stdout) else {
            return .unread(result.timedOut ? "timed out" : meaningfulLine(result.stderrText) ?? "exit status \(result.status)")
        }
        return .value(value)
    }

    /// `body(0)`, `body(1)`... each on a thread of its own, all at once (they wait on processes,
    /// not on the CPU), the results in order.
    static func atOnce<R: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> R) -> [R] {
        let results = Answers<R>(count: count)
        let done = DispatchGroup()
        for index in 1..<max(count, 1) {
            done.enter()
            Thread.detachNewThread {
                results.set(index, body(index))
                done.leave()
            }
        }
        if count > 0 { results.set(0, body(0)) }
        done.wait()
        return results.values
    }
}

/// The results of `KubectlCluster.atOnce` as they arrive.
// @unchecked: `slots` is read and written only while holding `lock`.
private final class Answers<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [R?]

    init(count: Int) { slots = [R?](repeating: nil, count: count) }

    func set(_ index: Int, _ value: R) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [R] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
