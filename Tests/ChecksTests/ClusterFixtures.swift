import Foundation
import KubeCore
import KubeJSON
import LabSpec
@testable import Checks

/// Paths to the cluster fixtures under `Tests/Fixtures`, and small helpers the cluster tests share.
enum ClusterFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static var shop: String { path("cluster-snapshots/shop") }

    /// A fresh temporary folder holding the given files (relative path → text).
    static func folder(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("klab-clusters-\(UUID().uuidString)")
        for (relative, text) in files {
            let url = dir.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func names(_ objects: [JSONValue]) -> [String] {
        objects.map { $0["metadata"]?["name"]?.stringValue ?? "?" }
    }
}

/// A cluster that counts the lists asked of it, in front of a real source.
final class CountingCluster: Cluster {
    let inner: Cluster
    private(set) var lists: [String] = []

    init(_ inner: Cluster) { self.inner = inner }

    func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue] {
        lists.append("\(kind) \(namespace ?? "*")")
        return try inner.objects(of: kind, namespace: namespace)
    }

    func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput {
        try inner.exec(namespace: namespace, pod: pod, container: container, command: command)
    }

    func http(_ request: HTTPRequest) throws -> HTTPOutput { try inner.http(request) }

    func command(_ arguments: [String]) throws -> CommandOutput { try inner.command(arguments) }

    func isClusterScoped(_ kind: KindReference) -> Bool? { inner.isClusterScoped(kind) }
}

/// A cluster whose state moves on each time it is refreshed, as a live one does between polls.
final class ChangingCluster: Cluster {
    let states: [Cluster]
    private(set) var index = 0

    init(_ states: [Cluster]) { self.states = states }

    var current: Cluster { states[min(index, states.count - 1)] }

    func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue] {
        try current.objects(of: kind, namespace: namespace)
    }

    func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput {
        try current.exec(namespace: namespace, pod: pod, container: container, command: command)
    }

    func http(_ request: HTTPRequest) throws -> HTTPOutput { try current.http(request) }

    func command(_ arguments: [String]) throws -> CommandOutput { try current.command(arguments) }

    func refresh() { index += 1 }
}
