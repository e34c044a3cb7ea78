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
