import Foundation
import KubeJSON

/// A cluster's provenance remembered between verifies, so that a verify runs one kubectl
/// process (its `get`) instead of four. The three provenance reads describe the connection,
/// not the step, so they are reused while the connection is the same: the same kubectl
/// binary, context and kubeconfig flags, `KUBECONFIG`, and kubeconfig files unchanged (path,
/// size, modification time), for at most `lifetime` seconds. A provenance with anything
/// unread is not remembered, so the next verify tries again.
///
/// The file lives in the workspace's git directory: it is never committed, and it is only a
/// shortcut; the provenance it holds is recorded, digested and signed with each pass as before.
public struct ProvenanceCache: Sendable {
    public let file: URL
    public let lifetime: TimeInterval

    /// Seconds a provenance is reused for.
    public static let defaultLifetime: TimeInterval = 600

    public init(file: URL, lifetime: TimeInterval = ProvenanceCache.defaultLifetime) {
        self.file = file
        self.lifetime = lifetime
    }

    /// The provenance of `cluster`: remembered when still valid, else read and remembered.
    /// A watched cluster is its kubectl's; clusters other than kubectl's (a snapshot) are
    /// asked directly.
    public func provenance(of cluster: Cluster, now: Date = Date()) -> Provenance {
        guard let kubectl = Self.kubectl(of: cluster) else {
            return (cluster as? ProvenanceReporting)?.provenance() ?? Provenance(source: .unknown)
        }
        return provenance(of: kubectl, now: now)
    }

    /// The kubectl a cluster reads through, if any: a watched cluster is its kubectl's.
    public static func kubectl(of cluster: Cluster) -> KubectlCluster? {
        (cluster as? KubectlCluster) ?? (cluster as? WatchingCluster)?.kubectl
    }

    /// The provenance of what `kubectl` reaches: remembered when still valid, else read and remembered.
    public func provenance(of kubectl: KubectlCluster, now: Date = Date()) -> Provenance {
        let key = Self.connectionKey(kubectl.options)
        if let remembered = read(key: key, now: now) { return remembered }
        let provenance = kubectl.provenance()
        if provenance.unread.isEmpty { write(provenance, key: key, now: now) }
        return provenance
    }

    /// What identifies a connection without running kubectl: the kubectl binary, the flags
    /// and the kubeconfig files kubectl would read, each with its size and modification time.
    static func connectionKey(_ options: KubectlCluster.Options) -> String {
        let environment = options.environment ?? ProcessInfo.processInfo.environment
        var parts: [String] = []
        let kubectl = ProcessRunner.which(options.kubectl, path: environment["PATH"]) ?? options.kubectl
        parts.append("kubectl=" + stamp(kubectl))
        parts.append("flags=" + options.connection.flags.filter { !$0.hasPrefix("--request-timeout=") }.joined(separator: " "))
        let files = options.connection.kubeconfigFiles(environment: environment)
        parts.append(contentsOf: files.map { "kubeconfig=" + stamp($0) })
        return parts.joined(separator: "\n")
    }

    /// `path size mtime`, or `path absent`.
    private static func stamp(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return path + " absent" }
        return "\(path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    private func read(key: String, now: Date) -> Provenance? {
        guard let data = FileManager.default.contents(atPath: file.path),
              let json = try? JSONParser.parse(bytes: data),
              json["key"]?.stringValue == key,
              let readAt = json["readAt"]?.doubleValue,
              readAt <= now.timeIntervalSince1970, now.timeIntervalSince1970 - readAt < lifetime,
              let stored = json["provenance"], let provenance = Provenance(json: stored), provenance.source == .cluster
        else { return nil }
        return provenance
    }

    /// Written whole to a temporary file and renamed, so a reader never sees half of it; a
    /// failure to write only costs the next verify three reads.
    private func write(_ provenance: Provenance, key: String, now: Date) {
        let value = JSONValue.object(JSONObject([
            ("key", .string(key)),
            ("readAt", .double(now.timeIntervalSince1970)),
            ("provenance", provenance.json),
        ]))
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(JSONWriter.write(value, options: Evidence.stableOptions).utf8).write(to: temporary)
            guard rename(temporary.path, file.path) == 0 else {
                try? FileManager.default.removeItem(at: temporary)
                return
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}
