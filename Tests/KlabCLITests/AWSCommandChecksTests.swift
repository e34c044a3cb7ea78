import Foundation
import TestSupport
import XCTest

/// The `aws ...` commands the chapters' checks run, executed for real: the `aws` CLI (PyPI
/// `awscli`) against a local `moto_server` (PyPI `moto[server]`, both installed by
/// `Scripts/setup --test`) on a loopback port, with fake credentials. Each test creates what the
/// chapter creates, runs every `aws` command a fixture recorded (the exact argv the check
/// makes, which the fixture tests prove), puts the real output into a copy of the fixture, and
/// asks `klab lab test` for the verdict: the check passes on that output, and fails once the
/// resource is changed or deleted.
///
/// Where moto lacks an API a check uses, the test says so here and the lab's README section
/// says so too.
final class AWSCommandChecksTests: XCTestCase {
    /// One moto_server (and one aws fork server) for the whole class, started by the first
    /// test: a server takes seconds to start and to load AWS's managed policies. Every test
    /// begins with moto's reset, so none sees what another made
    /// (`testMotoResetLeavesNothingOfTheLastTest`).
    nonisolated(unsafe) private static var shared: Result<MotoServer, Error>?
    var moto: MotoServer!

    override func setUpWithError() throws {
        if Self.shared == nil { Self.shared = Result { try MotoServer.start() } }
        moto = try Self.shared!.get()
        try moto.reset()
    }

    override func tearDown() {
        moto = nil
    }

    override class func tearDown() {
        if case .success(let server) = shared { server.stop() }
        shared = nil
        super.tearDown()
    }

    // MARK: the harness

    func testMotoResetLeavesNothingOfTheLastTest() throws {
        try createCluster(version: "1.32")
        try moto.aws(["iam", "create-role", "--role-name", "k8sAdmin",
                      "--assume-role-policy-document", #"{"Version":"2012-10-17","Statement":[]}"#])
        try moto.aws(["eks", "describe-cluster", "--name", "eksworkshop"])

        try moto.reset()
        let cluster = try moto.run(["aws", "eks", "describe-cluster", "--name", "eksworkshop"])
        XCTAssertNotEqual(cluster.status, 0)
        XCTAssertTrue(cluster.stderr.contains("ResourceNotFoundException"), cluster.stderr)
        let role = try moto.run(["aws", "iam", "get-role", "--role-name", "k8sAdmin"])
        XCTAssertNotEqual(role.status, 0)
        XCTAssertTrue(role.stderr.contains("NoSuchEntity"), role.stderr)
        // what the server was started with stays: AWS's managed policies (iam-service-accounts)
        let policy = try moto.json(["iam", "get-policy", "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
        XCTAssertEqual(policy["Policy"]["PolicyName"].string, "AmazonS3ReadOnlyAccess")
    }

    /// The fork server runs the CLI's own code on the same argv: what it answers is what an
    /// `aws` process answers, byte for byte, exit status included, for a call that succeeds,
    /// one AWS refuses and one the CLI's parser refuses.
    func testForkedAWSAnswersAsTheAWSProcessDoes() throws {
        try createCluster(version: "1.32")
        let calls = [
            ["aws", "eks", "describe-cluster", "--name", "eksworkshop"],
            ["aws", "eks", "describe-cluster", "--name", "eksworkshop", "--query", "cluster.version", "--output", "text"],
            ["aws", "eks", "describe-cluster", "--name", "absent"],
            ["aws", "eks", "describe-cluster"],
            ["aws", "--version"],
        ]
        var statuses: [Int32] = []
        for argv in calls {
            let process = try moto.runProcess(argv)
            let forked = try moto.run(argv)
            XCTAssertEqual(forked.status, process.status, argv.joined(separator: " "))
            XCTAssertEqual(forked.stdout, process.stdout, argv.joined(separator: " "))
            XCTAssertEqual(forked.stderr, process.stderr, argv.joined(separator: " "))
            statuses.append(process.status)
        }
        XCTAssertEqual(statuses[0], 0)
        XCTAssertEqual(try moto.run(calls[1]).stdout, "1.32\n")
        XCTAssertNotEqual(statuses[2], 0)
        XCTAssertTrue(try moto.run(calls[2]).stderr.contains("ResourceNotFoundException"))
        XCTAssertNotEqual(statuses[3], 0)
        XCTAssertNotEqual(statuses[2], statuses[3], "a refused call and a usage error exit differently")
    }

    // MARK: fargate

    func testFargateProfileCheckAgainstMoto() throws {
        try createCluster(version: "1.32")
        try moto.aws(["eks", "create-fargate-profile", "--cluster-name", "eksworkshop", "--fargate-profile-name", "fp-2048",
                      "--pod-execution-role-arn", "arn:aws:iam::123456789012:role/eksctl-eksworkshop-FargatePodExecutionRole",
                      "--selectors", "namespace=2048-game", "--subnets", "subnet-0c1d2e3f4a5b6c7d8"])
        try assertVerdict(lab: "fargate", fixture: "profile--pass", passes: true)
        try assertVerdict(lab: "fargate", fixture: "complete", passes: true)

        // a profile of the same name that selects another namespace
        try moto.aws(["eks", "delete-fargate-profile", "--cluster-name", "eksworkshop", "--fargate-profile-name", "fp-2048"])
        try moto.aws(["eks", "create-fargate-profile", "--cluster-name", "eksworkshop", "--fargate-profile-name", "fp-2048",
                      "--pod-execution-role-arn", "arn:aws:iam::123456789012:role/eksctl-eksworkshop-FargatePodExecutionRole",
                      "--selectors", "namespace=game-2048"])
        try assertVerdict(lab: "fargate", fixture: "profile--pass", passes: false, saying: "selectors")

        try moto.aws(["eks", "delete-fargate-profile", "--cluster-name", "eksworkshop", "--fargate-profile-name", "fp-2048"])
        try assertVerdict(lab: "fargate", fixture: "profile--pass", passes: false, saying: "ResourceNotFoundException")
        try assertVerdict(lab: "fargate", fixture: "complete", passes: false, saying: "ResourceNotFoundException")
    }

    // MARK: cluster-access

    func testClusterAccessDescribeClusterCheckAgainstMoto() throws {
        try createCluster(version: "1.32")
        try assertVerdict(lab: "cluster-access", fixture: "create-cluster--pass", passes: true)
        try assertVerdict(lab: "cluster-access", fixture: "complete", passes: true)

        try moto.aws(["eks", "delete-cluster", "--name", "eksworkshop"])
        try createCluster(version: "1.31")
        try assertVerdict(lab: "cluster-access", fixture: "create-cluster--pass", passes: false, saying: ".json.cluster.version expected \"1.32\", found \"1.31\"")

        try moto.aws(["eks", "delete-cluster", "--name", "eksworkshop"])
        try assertVerdict(lab: "cluster-access", fixture: "create-cluster--pass", passes: false, saying: "ResourceNotFoundException")
    }

    // MARK: cluster-autoscaler

    func testClusterAutoscalerAutoScalingGroupChecksAgainstMoto() throws {
        // An EKS managed node group's ASG: moto has no managed node groups that make one, so
        // the group is created directly, with the tags and sizes EKS gives it.
        let asg = "eks-workers-8ec9d4b2-41f3-7a55-0b6d-2f7c1e9a3d58"
        try moto.aws(["autoscaling", "create-launch-configuration", "--launch-configuration-name", "eks-workers",
                      "--image-id", "ami-12c6146b", "--instance-type", "t3.large"])
        try moto.aws(["autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name", asg,
                      "--launch-configuration-name", "eks-workers", "--min-size", "2", "--max-size", "8", "--desired-capacity", "2",
                      "--availability-zones", "us-west-2a", "us-west-2b", "us-west-2c", "--tags",
                      "ResourceId=\(asg),ResourceType=auto-scaling-group,Key=eks:cluster-name,Value=eksworkshop,PropagateAtLaunch=true",
                      "ResourceId=\(asg),ResourceType=auto-scaling-group,Key=k8s.io/cluster-autoscaler/enabled,Value=true,PropagateAtLaunch=true",
                      "ResourceId=\(asg),ResourceType=auto-scaling-group,Key=k8s.io/cluster-autoscaler/eksworkshop,Value=owned,PropagateAtLaunch=true"])
        try assertVerdict(lab: "cluster-autoscaler", fixture: "asg-tags--pass", passes: true)
        // before the scale-out the group wants its minimum: not complete yet
        try assertVerdict(lab: "cluster-autoscaler", fixture: "complete", passes: false, saying: ".DesiredCapacity expected > 2, found 2")

        // what the autoscaler does when pods are Pending
        try moto.aws(["autoscaling", "set-desired-capacity", "--auto-scaling-group-name", asg, "--desired-capacity", "5"])
        try assertVerdict(lab: "cluster-autoscaler", fixture: "complete", passes: true)

        try moto.aws(["autoscaling", "update-auto-scaling-group", "--auto-scaling-group-name", asg, "--max-size", "2",
                      "--min-size", "2", "--desired-capacity", "2"])
        try assertVerdict(lab: "cluster-autoscaler", fixture: "asg-tags--pass", passes: false, saying: ".MaxSize expected >= 8, found 2")

        try moto.aws(["autoscaling", "update-auto-scaling-group", "--auto-scaling-group-name", asg, "--max-size", "8"])
        try moto.aws(["autoscaling", "delete-tags", "--tags",
                      "ResourceId=\(asg),ResourceType=auto-scaling-group,Key=k8s.io/cluster-autoscaler/enabled"])
        try assertVerdict(lab: "cluster-autoscaler", fixture: "asg-tags--pass", passes: false, saying: ".AutoScalingGroupName expected to exist, found absent")
    }

    // MARK: helpers

    func createCluster(version: String) throws {
        try moto.aws(["eks", "create-cluster", "--name", "eksworkshop", "--kubernetes-version", version,
                      "--role-arn", "arn:aws:iam::123456789012:role/eksctl-eksworkshop-cluster-ServiceRole",
                      "--resources-vpc-config", "subnetIds=subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002"])
    }

    /// Copies `labs/<lab>/fixtures/<fixture>`, replaces the result of every recorded `aws`
    /// command with what the command prints against moto now, and runs `klab lab test` on it.
    func assertVerdict(lab: String, fixture: String, passes: Bool, saying expected: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let source = KlabBinary.repositoryRoot.appendingPathComponent("labs/\(lab)/fixtures/\(fixture)")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("klab-moto-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }

        let outputs = copy.appendingPathComponent("outputs")
        var ran = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: outputs.path).sorted() where name.hasSuffix(".json") {
            let url = outputs.appendingPathComponent(name)
            guard var record = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
                  let command = record["command"] as? [String], command.first == "aws" else { continue }
            let result = try moto.run(command)
            record["result"] = ["exitCode": Int(result.status), "stdout": result.stdout, "stderr": result.stderr]
            try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys]).write(to: url)
            ran += 1
        }
        XCTAssertGreaterThan(ran, 0, "\(lab)/\(fixture) records no aws command", file: file, line: line)

        let step = fixture.hasPrefix("complete") ? ["--complete"] : ["--step", fixture.components(separatedBy: "--")[0]]
        let result = try KlabBinary.run(["lab", "test", lab, "--snapshot", copy.path] + step,
                                        currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, passes ? 0 : 1, "\(lab)/\(fixture) against moto:\n\(result.stdout)\(result.stderr)", file: file, line: line)
        if let expected {
            XCTAssertTrue(result.stdout.contains(expected), "\(lab)/\(fixture): expected the output to mention \(expected):\n\(result.stdout)", file: file, line: line)
        }
    }
}

/// A `moto_server` on a free loopback port, and the `aws` CLI pointed at it.
final class MotoServer {
    let port: Int
    private let process: TestProcess.Running
    let environment: [String: String]
    /// `aws` calls, answered without a Python start-up each (see `AWSCLIForks`).
    private var forks: AWSCLIForks?

    private init(port: Int, process: TestProcess.Running) {
        self.port = port
        self.process = process
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("klab-moto-home-\(port)")
        environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-west-2",
            "AWS_REGION": "us-west-2",
            "AWS_CONFIG_FILE": home.appendingPathComponent("config").path,
            "AWS_SHARED_CREDENTIALS_FILE": home.appendingPathComponent("credentials").path,
            "AWS_PAGER": "",
        ]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func start() throws -> MotoServer {
        guard let motoPath = AWSCLIForks.which("moto_server"), AWSCLIForks.which("aws") != nil else {
            throw Failure(description: "moto_server or aws is not installed; run Scripts/setup --test (pip moto[server] awscli)")
        }
        let port = try freePort()
        // AWS managed policies (AmazonS3ReadOnlyAccess for iam-service-accounts) exist in moto
        // only when it is asked to load them.
        let process = try TestProcess.start(motoPath, ["-H", "127.0.0.1", "-p", String(port)],
                                            environment: ["MOTO_IAM_LOAD_MANAGED_POLICIES": "true"])
        let server = MotoServer(port: port, process: process)
        do {
            server.forks = try AWSCLIForks(environment: server.environment)
        } catch {
            server.stop()
            throw error
        }
        // Wait until it answers; the deadline only guards against a server that never starts.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if server.answers() { return server }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        server.stop()
        throw Failure(description: "moto_server did not start on 127.0.0.1:\(port)")
    }

    func stop() {
        forks?.stop()
        forks = nil
        if process.isRunning {
            process.stop(SIGTERM)
            process.wait()
        }
    }

    /// Forgets every resource made so far (moto's `POST /moto-api/reset`); what the server was
    /// started with (the managed policies) comes back as before.
    func reset() throws {
        let result = try TestProcess.run("curl", ["-sS", "--max-time", "60", "-X", "POST", "-o", "/dev/null",
                                                  "-w", "%{http_code}", "http://127.0.0.1:\(port)/moto-api/reset"])
        guard result.status == 0, result.stdout == "200" else {
            throw Failure(description: "moto_server on 127.0.0.1:\(port) did not reset: HTTP \(result.stdout) \(result.stderr)")
        }
    }

    /// Runs `aws ARGS...` against the server; a failure is thrown with what aws said.
    @discardableResult
    func aws(_ arguments: [String]) throws -> KlabBinary.Result {
        let result = try run(["aws"] + arguments + ["--region", "us-west-2", "--output", "json"])
        if result.status != 0 {
            throw Failure(description: "aws \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    /// Runs a command line with the server's environment: `aws ...` through the fork server,
    /// anything else as a process (argv[0] looked up on PATH).
    func run(_ argv: [String]) throws -> KlabBinary.Result {
        if argv.first == "aws", let forks { return try forks.run(argv) }
        return try runProcess(argv)
    }

    /// Runs a command line as its own process (argv[0] looked up on PATH) with the server's environment.
    func runProcess(_ argv: [String]) throws -> KlabBinary.Result {
        let result = try TestProcess.run(argv[0], Array(argv.dropFirst()), environment: environment)
        return KlabBinary.Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    private func answers() -> Bool {
        guard let result = try? TestProcess.run("curl", ["-s", "-o", "/dev/null", "--max-time", "2", "http://127.0.0.1:\(port)/moto-api/"])
        else { return false }
        return result.status == 0
    }

    private static func freePort() throws -> Int {
        let data = try TestProcess.run(
            "python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"]).data
        guard let port = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure(description: "could not find a free loopback port")
        }
        return port
    }
}
