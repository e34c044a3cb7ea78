import Foundation
import TestSupport
import XCTest

/// `klab doctor` against the kubectl stand-in (`Tests/Fixtures/kubectl-standin`): one line
/// per finding with its fix, exit 3 when something needed is missing, and JSON.
final class DoctorCommandTests: XCTestCase {
    var root: URL!
    var workspace: URL { root.appendingPathComponent("ws") }
    /// A PATH of its own: the stand-in, and a folder holding only git (so that aws and helm
    /// are missing whatever this machine has).
    var bin: URL { root.appendingPathComponent("bin") }
    let standIn = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-doctor-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        if let git = ["/usr/bin/git", "/usr/local/bin/git"].first(where: FileManager.default.isExecutableFile) {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("git").path, withDestinationPath: git)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func doctor(_ arguments: [String] = [], path: String? = nil, environment: [String: String] = [:]) throws -> KlabBinary.Result {
        var env = ["PATH": path ?? "\(standIn.path):\(bin.path)", "HOME": root.path]
        for (key, value) in environment { env[key] = value }
        return try KlabBinary.run(["doctor", "--workspace", workspace.path] + arguments, environment: env, currentDirectory: root)
    }

    func line(_ name: String, in text: String) -> String? {
        text.split(separator: "\n").map(String.init).first { $0.dropFirst(2).hasPrefix(name + ":") }
    }

    func testAHealthyMachineExits0WithOneLineEach() throws {
        let result = try doctor()
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(line("kubectl", in: result.stdout), "✓ kubectl: v1.32.0-standin at \(standIn.path)/kubectl")
        XCTAssertEqual(line("context", in: result.stdout), "✓ context: standin")
        XCTAssertEqual(line("cluster", in: result.stdout), "✓ cluster: the API server of standin answers (Kubernetes v1.32.1-standin)")
        XCTAssertTrue(line("labs", in: result.stdout)?.hasPrefix("✓ labs: ") == true, result.stdout)
        XCTAssertTrue(line("libgit2", in: result.stdout)?.hasPrefix("✓ libgit2: 1.") == true, result.stdout)
        // Not needed while no started lab uses them.
        XCTAssertEqual(line("aws", in: result.stdout), "- aws: not found on PATH (no started lab uses it)")
        XCTAssertEqual(line("helm", in: result.stdout), "- helm: not found on PATH (no started lab uses it)")
        XCTAssertTrue(line("git identity", in: result.stdout)?.hasPrefix("! git identity: not set") == true, result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("klab has what it needs.\n"), result.stdout)
    }

    func testAnUnreachableClusterExits3WithTheFix() throws {
        let result = try doctor(environment: ["KLAB_STANDIN_FAIL": "unreachable"])
        XCTAssertEqual(result.status, 3, result.stdout)
        let cluster = try XCTUnwrap(line("cluster", in: result.stdout), result.stdout)
        XCTAssertTrue(cluster.hasPrefix("✗ cluster: the API server of standin does not answer"), cluster)
        XCTAssertTrue(cluster.contains("; fix: check your network and credentials"), cluster)
    }

    func testNoContextExits3() throws {
        let result = try doctor(environment: ["KLAB_STANDIN_CONTEXT": ""])
        XCTAssertEqual(result.status, 3, result.stdout)
        XCTAssertTrue(line("context", in: result.stdout)?.contains("fix: point kubectl at your cluster") == true, result.stdout)
    }

    func testMissingKubectlExits3AndSkipsTheCluster() throws {
        let result = try doctor(path: bin.path)
        XCTAssertEqual(result.status, 3, result.stdout)
        XCTAssertEqual(line("kubectl", in: result.stdout),
                       "✗ kubectl: not found on PATH; fix: install kubectl (https://kubernetes.io/docs/tasks/tools/) and put it on PATH")
        XCTAssertEqual(line("cluster", in: result.stdout), "- cluster: not checked without kubectl")
    }

    /// aws is needed once a started lab runs it.
    func testAStartedLabThatUsesAWSNeedsIt() throws {
        let start = try KlabBinary.run(["start", "cluster-access", "--learner", "ada", "--workspace", workspace.path], currentDirectory: root)
        XCTAssertEqual(start.status, 0, start.stderr)
        let result = try doctor()
        XCTAssertEqual(result.status, 3, result.stdout)
        let aws = try XCTUnwrap(line("aws", in: result.stdout), result.stdout)
        XCTAssertTrue(aws.hasPrefix("✗ aws: not found on PATH (used by cluster-access); fix: install the AWS CLI v2"), aws)
    }

    func testJSON() throws {
        let result = try doctor(["--output", "json"], environment: ["KLAB_STANDIN_FAIL": "unreachable"])
        XCTAssertEqual(result.status, 3)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["ok"] as? Bool, false)
        let checks = try XCTUnwrap(json["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.map { $0["name"] as? String }, ["kubectl", "context", "cluster", "labs", "aws", "helm", "git identity", "libgit2"])
        let cluster = try XCTUnwrap(checks.first { $0["name"] as? String == "cluster" })
        XCTAssertEqual(cluster["status"] as? String, "missing")
        XCTAssertEqual(cluster["needed"] as? Bool, true)
        XCTAssertNotNil(cluster["fix"] as? String)
    }
}
