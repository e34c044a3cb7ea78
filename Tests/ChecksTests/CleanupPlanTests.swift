import KubeCore
import XCTest
@testable import Checks

final class CleanupPlanTests: XCTestCase {
    func testDeleteUsesTheSameConnectionFlagsAsGet() {
        let connection = KubectlArguments.Connection(context: "ctx", kubeconfig: "/k", requestTimeout: 0.5)
        let item = CleanupPlan.Item(kind: KindReference(kind: "Deployment", apiVersion: "apps/v1"), namespace: "shop", name: "web")
        let arguments = CleanupPlan.deleteArguments(item, connection: connection)
        XCTAssertEqual(Array(arguments.prefix(5)), ["delete", KubectlArguments.resource(for: item.kind), "web", "--namespace", "shop"])
        XCTAssertEqual(Array(arguments.suffix(connection.flags.count)), connection.flags)
        XCTAssertFalse(arguments.contains("--request-timeout=0s"))
    }
}
