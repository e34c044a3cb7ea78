import Foundation
import KubeJSON
import XCTest
@testable import Checks

/// Where evidence came from: three kubectl reads with the checks' own connection flags.
final class ProvenanceTests: XCTestCase {
    func testAClusterSaysItsServerContextIdentityAndVersions() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let provenance = standIn.cluster(context: "eks-class").provenance()
        XCTAssertEqual(provenance.source, .cluster)
        XCTAssertEqual(provenance.server, "https://standin.klab.invalid:6443")
        XCTAssertEqual(provenance.context, "eks-class")
        XCTAssertEqual(provenance.clusterID, "5e1f0000-0000-4000-8000-00000000c1a5")
        XCTAssertEqual(provenance.kubectlClient, "v1.32.0-standin")
        XCTAssertEqual(provenance.kubectlServer, "v1.32.1-standin")
        XCTAssertEqual(provenance.unread, [])
        XCTAssertEqual(standIn.calls.count, 3)
        for call in standIn.calls { XCTAssertTrue(call.contains("--context=eks-class"), "\(call)") }
        XCTAssertEqual(Provenance(data: provenance.fileData), provenance, "the file reads back")
        XCTAssertFalse(provenance.isPractice)
    }

    func testWhatCannotBeReadIsNamedNotFatal() {
        let provenance = KubectlStandIn(snapshots: [ClusterFixtures.shop], fail: "forbidden").cluster().provenance()
        XCTAssertEqual(provenance.source, .cluster)
        XCTAssertNil(provenance.clusterID)
        XCTAssertNil(provenance.kubectlServer)
        XCTAssertEqual(provenance.kubectlClient, "v1.32.0-standin")
        XCTAssertEqual(provenance.unread.count, 1, "\(provenance.unread)")
        XCTAssertTrue(provenance.unread.contains { $0.hasPrefix("kube-system namespace: ") && $0.contains("forbidden") }, "\(provenance.unread)")
    }

    func testTheThreeReadsRunAtOnceAndRecordWhatOneAfterAnotherRecorded() throws {
        var standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        // Each call waits until three have started: only calls run at once all get past it.
        standIn.environment["KLAB_STANDIN_BARRIER"] = "3"
        let provenance = standIn.cluster(context: "eks-class").provenance()
        let barrier = try String(contentsOfFile: standIn.log + ".barrier", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(barrier.count, 3)
        for line in barrier { XCTAssertTrue(line.contains(#""met": true"#), String(line)) }
        XCTAssertEqual(Set(standIn.calls.map { $0.prefix(2).joined(separator: " ") }), ["version -o", "config view", "get namespace"])
        // What the reads run one after another recorded, to the byte.
        let expected = Provenance(source: .cluster, server: "https://standin.klab.invalid:6443", context: "eks-class",
                                  clusterID: "5e1f0000-0000-4000-8000-00000000c1a5", kubectlClient: "v1.32.0-standin",
                                  kubectlServer: "v1.32.1-standin")
        XCTAssertEqual(provenance, expected)
        XCTAssertEqual(String(decoding: provenance.fileData, as: UTF8.self), """
            {
              "clusterID": "5e1f0000-0000-4000-8000-00000000c1a5",
              "context": "eks-class",
              "kubectlClient": "v1.32.0-standin",
              "kubectlServer": "v1.32.1-standin",
              "server": "https://standin.klab.invalid:6443",
              "source": "cluster"
            }

            """)
    }

    func testWhatIsUnreadIsNamedInTheOrderOfTheReads() {
        var options = KubectlStandIn(snapshots: [ClusterFixtures.shop]).options(context: "eks-class")
        options.kubectl = "/nonexistent/kubectl"
        let provenance = KubectlCluster(options: options).provenance()
        XCTAssertEqual(provenance.unread, ["kubectl version: kubectl could not be run", "kubeconfig: kubectl could not be run",
                                           "kube-system namespace: kubectl could not be run"])
        XCTAssertEqual(provenance.context, "eks-class", "the context klab was given, when kubectl cannot say")
        XCTAssertNil(provenance.server)
        XCTAssertNil(provenance.clusterID)
    }

    // MARK: Remembered between verifies

    private func cacheFile() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("klab-provenance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent("provenance.json")
    }

    func testTheSameConnectionIsReadOnceAndRemembered() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let cache = ProvenanceCache(file: try cacheFile())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = cache.provenance(of: standIn.cluster(context: "eks-class"), now: now)
        XCTAssertEqual(standIn.calls.count, 3)
        let second = cache.provenance(of: standIn.cluster(context: "eks-class"), now: now.addingTimeInterval(60))
        XCTAssertEqual(standIn.calls.count, 3, "the second verify runs no provenance reads: \(standIn.calls)")
        XCTAssertEqual(second, first)
        XCTAssertEqual(second.clusterID, "5e1f0000-0000-4000-8000-00000000c1a5")
        XCTAssertEqual(second.server, "https://standin.klab.invalid:6443")
    }

    func testAnotherContextAChangedKubeconfigOrAnOldReadIsReadAgain() throws {
        var standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let kubeconfig = try cacheFile().deletingLastPathComponent().appendingPathComponent("config")
        try Data("apiVersion: v1\nkind: Config\n".utf8).write(to: kubeconfig)
        standIn.environment["KUBECONFIG"] = kubeconfig.path
        let cache = ProvenanceCache(file: try cacheFile(), lifetime: 600)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        _ = cache.provenance(of: standIn.cluster(context: "a"), now: now)
        XCTAssertEqual(standIn.calls.count, 3)
        _ = cache.provenance(of: standIn.cluster(context: "b"), now: now)
        XCTAssertEqual(standIn.calls.count, 6, "another context")
        _ = cache.provenance(of: standIn.cluster(context: "b"), now: now)
        XCTAssertEqual(standIn.calls.count, 6)
        try Data("apiVersion: v1\nkind: Config\nclusters: []\n".utf8).write(to: kubeconfig)
        _ = cache.provenance(of: standIn.cluster(context: "b"), now: now)
        XCTAssertEqual(standIn.calls.count, 9, "the kubeconfig changed (aws eks update-kubeconfig, a new kind cluster)")
        _ = cache.provenance(of: standIn.cluster(context: "b"), now: now.addingTimeInterval(600))
        XCTAssertEqual(standIn.calls.count, 12, "read ten minutes ago")
        _ = cache.provenance(of: standIn.cluster(context: "b"), now: now.addingTimeInterval(599))
        XCTAssertEqual(standIn.calls.count, 15, "a clock that went back")
        standIn.environment["KUBECONFIG"] = kubeconfig.path + ":" + kubeconfig.path + ".other"
        _ = cache.provenance(of: standIn.cluster(context: "b"), now: now.addingTimeInterval(600))
        XCTAssertEqual(standIn.calls.count, 18, "another KUBECONFIG")
    }

    func testWhatCouldNotBeReadIsNotRemembered() throws {
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop], fail: "forbidden")
        let cache = ProvenanceCache(file: try cacheFile())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        XCTAssertEqual(cache.provenance(of: standIn.cluster(), now: now).unread.count, 1)
        XCTAssertEqual(cache.provenance(of: standIn.cluster(), now: now).unread.count, 1, "tried again, still named")
        XCTAssertEqual(standIn.calls.count, 6)
    }

    func testAWatchedClusterIsItsKubectls() throws {
        // verify --watch reads through a WatchingCluster: its passes come from the cluster too.
        let standIn = KubectlStandIn(snapshots: [ClusterFixtures.shop])
        let watched = WatchingCluster(kubectl: standIn.cluster(context: "eks-class"), timing: .init(pollInterval: 2))
        let provenance = ProvenanceCache(file: try cacheFile()).provenance(of: watched)
        XCTAssertEqual(provenance.source, .cluster)
        XCTAssertEqual(provenance.clusterID, "5e1f0000-0000-4000-8000-00000000c1a5")
        XCTAssertEqual(provenance.context, "eks-class")
    }

    func testASnapshotIsNeverRemembered() throws {
        let file = try cacheFile()
        let provenance = ProvenanceCache(file: file).provenance(of: try SnapshotCluster(directory: ClusterFixtures.shop))
        XCTAssertEqual(provenance.source, .snapshot)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
    }

    func testASnapshotSaysItsPathAndDigest() throws {
        let snapshot = try SnapshotCluster(directory: ClusterFixtures.shop)
        let provenance = snapshot.provenance()
        XCTAssertEqual(provenance.source, .snapshot)
        XCTAssertEqual(provenance.snapshotPath, ClusterFixtures.shop)
        XCTAssertEqual(provenance.snapshotDigest, try SnapshotCluster(directory: ClusterFixtures.shop).contentDigest, "stable")
        XCTAssertTrue(provenance.isPractice)
        XCTAssertEqual(provenance.summary, "practice (snapshot)")
    }
}
