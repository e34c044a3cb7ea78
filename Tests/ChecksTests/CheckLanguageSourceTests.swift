import Foundation
import KubeCore
import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// The second round of the check language on sources and captures: exec results that tell
/// "ran" from "could not run", capture transforms, captured values that never become flags or
/// syntax, commands that talk to the learner's cluster, `canI`, and custom resources whose
/// scope comes from `kubectl api-resources`.
final class CheckLanguageSourceTests: XCTestCase {
    private func evaluate(_ checks: [Check], namespace: String = "default") throws -> [CheckResult] {
        try EvaluatorFixtures.evaluate(checks, snapshot: "round-two", namespace: namespace)
    }

    private static let wget = ["wget", "-q", "-T", "2", "-O-", "http://frontend.stars"]
    private static let blocked = Expectation(all: [value("{.exitCode}", .notEquals(.int(0)))])

    func testAnExecThatCouldNotRunNeverPassesAsBlocked() throws {
        let results = try evaluate([
            Check(name: "blocked by the policy", source: .exec(ExecRequest(pod: "client", namespace: .named("client"), command: Self.wget)),
                  expectation: Self.blocked),
            Check(name: "nc is not in the image", source: .exec(ExecRequest(
                pod: "client", namespace: .named("client"), command: ["nc", "-z", "-w", "2", "frontend.stars", "80"])),
                  expectation: Self.blocked),
            Check(name: "the pod is gone", source: .exec(ExecRequest(pod: "gone", namespace: .named("client"), command: Self.wget)),
                  expectation: Self.blocked),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .failed, .failed])
        XCTAssertEqual(results[1].message.count, 1)
        XCTAssertTrue(results[1].message[0].hasPrefix("exec in client/client: nc -z -w 2 frontend.stars 80: could not run: "), results[1].message[0])
        XCTAssertTrue(results[1].message[0].contains("executable file not found"), results[1].message[0])
        XCTAssertEqual(results[2].message, [#"exec in client/gone: wget -q -T 2 -O- http://frontend.stars: could not run: Error from server (NotFound): pods "gone" not found"#])
    }

    func testCouldNotRunIsToldFromExitCodes() {
        XCTAssertNil(ExecOutcome.couldNotRun(CommandOutput(exitCode: 1, stdout: "", stderr: "wget: can't connect to remote host: Connection refused\n")))
        XCTAssertNil(ExecOutcome.couldNotRun(CommandOutput(exitCode: 0, stdout: "ok", stderr: "")))
        XCTAssertNotNil(ExecOutcome.couldNotRun(CommandOutput(exitCode: 127, stdout: "", stderr: "")))
        XCTAssertNotNil(ExecOutcome.couldNotRun(CommandOutput(exitCode: 126, stdout: "", stderr: "permission denied")))
        XCTAssertNotNil(ExecOutcome.couldNotRun(CommandOutput(exitCode: 1, stdout: "", stderr: "error: unable to upgrade connection: container not found (\"app\")")))
    }

    func testCIDROnExecOutputWithANewline() throws {
        let results = try evaluate([Check(name: "pod IP", source: .exec(ExecRequest(pod: "web", command: ["hostname", "-i"])),
                                          expectation: Expectation(all: [value("{.stdout}", .cidr("10.0.0.0/16"))]))])
        XCTAssertEqual(results[0].status, .passed, results[0].message.joined(separator: "\n"))
    }

    private static let describe = CheckSource.command(["aws", "eks", "describe-cluster", "--name", "demo", "--output", "json"])
    private static let issuer = "{.json.cluster.identity.oidc.issuer}"

    func testCaptureTransformsTakeARegexGroupOrStripAPrefix() throws {
        let results = try evaluate([Check(name: "issuer", source: Self.describe, captures: [
            Capture(name: "id", path: Self.issuer, regex: "/id/([A-Z0-9]+)$"),
            Capture(name: "host", path: Self.issuer, trimPrefix: "https://"),
            Capture(name: "whole", path: Self.issuer, regex: "oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com"),
            Capture(name: "region", path: Self.issuer, regex: "oidc\\.eks\\.([a-z0-9-]+)\\.(amazonaws)\\.com", group: 1),
        ])])
        XCTAssertEqual(results[0].status, .passed, results[0].message.joined(separator: "\n"))
        XCTAssertEqual(results[0].captures, [
            "id": "5C8D2F1E9A7B", "host": "oidc.eks.us-east-2.amazonaws.com/id/5C8D2F1E9A7B",
            "whole": "oidc.eks.us-east-2.amazonaws.com", "region": "us-east-2",
        ])
        let miss = try evaluate([Check(name: "issuer", source: Self.describe, captures: [Capture(name: "id", path: Self.issuer, regex: "/account/(\\d+)")])])
        XCTAssertEqual(miss[0].message, [#"capture id: //account/(\d+)/ does not match "https://oidc.eks.us-east-2.amazonaws.com/id/5C8D2F1E9A7B""#])
    }

    func testACapturedValueNeverBecomesAFlagOrSyntax() throws {
        // A captured "-o=yaml" would change what kubectl prints; after "--" it is an argument.
        var flag = CaptureSubstitution(values: ["pod": "--all-namespaces"])
        _ = flag.check(Check(name: "c", source: .command(["kubectl", "get", "pod", "${pod}"])))
        XCTAssertEqual(flag.refused, [#"refused ${pod} = "--all-namespaces": a captured value in a command's arguments cannot start with '-' (it would be read as a flag); put it after '--'"#])
        var afterDashes = CaptureSubstitution(values: ["text": "-n"])
        _ = afterDashes.check(Check(name: "c", source: .exec(ExecRequest(pod: "p", command: ["grep", "--", "${text}", "/etc/hosts"]))))
        XCTAssertEqual(afterDashes.refused, [])
        var written = CaptureSubstitution(values: ["name": "-x"])
        _ = written.check(Check(name: "c", source: .command(["aws", "--name=${name}"])))
        XCTAssertEqual(written.refused, [])

        var places = CaptureSubstitution(values: ["v": "a.b*", "sel": "web,tier!=x", "host": "x/../y?z", "url": "http://lb.example.com/path?q=1"])
        let resolved = places.check(Check(name: "c", source: get("Pod", labels: "app=${v}"), expectation: Expectation(all: [
            value("{.metadata.name}", .matches("^${v}$")),
        ])))
        XCTAssertEqual(resolved.expectation.all, [value("{.metadata.name}", .matches(#"^a\.b\*$"#))])
        XCTAssertEqual(places.refused, [#"refused ${v} = "a.b*": a value in a label selector holds letters, digits, '.', '-', '_', ':' and '/' only"#])
        XCTAssertEqual(places.string("app=${sel}", place: .fieldSelector), #"app=web\,tier\!\=x"#)
        XCTAssertEqual(places.string("http://${host}/", place: .url), "http://x%2F..%2Fy%3Fz/")
        XCTAssertEqual(places.string("${url}", place: .url), "http://lb.example.com/path?q=1")
    }

    func testARefusedValueFailsTheCheckWithoutRunningIt() throws {
        let evaluator = CheckEvaluator(reader: try EvaluatorFixtures.reader("round-two"), clock: FakeClock())
        let results = try evaluator.evaluate([Check(name: "flag", source: .command(["kubectl", "get", "pods", "${name}"]))],
                                             captures: ["name": "-A"])
        XCTAssertEqual(results[0].status, .failed)
        XCTAssertTrue(results[0].message[0].hasPrefix("refused ${name} = \"-A\""), results[0].message[0])
    }

    // MARK: - Commands and the learner's cluster

    func testKubectlAndHelmCommandsGetTheContextAndKubeconfig() {
        let connection = KubectlArguments.Connection(context: "learner-7", kubeconfig: "/tmp/k")
        XCTAssertEqual(KubectlArguments.command(["kubectl", "get", "pods"], connection: connection),
                       ["--context=learner-7", "--kubeconfig=/tmp/k", "get", "pods"])
        XCTAssertEqual(KubectlArguments.command(["helm", "list", "-o", "json"], connection: connection),
                       ["--kube-context=learner-7", "--kubeconfig=/tmp/k", "list", "-o", "json"])
        XCTAssertEqual(KubectlArguments.command(["kubectl", "--context=other", "get", "pods"], connection: connection),
                       ["--kubeconfig=/tmp/k", "--context=other", "get", "pods"])
        XCTAssertEqual(KubectlArguments.command(["aws", "eks", "list-clusters"], connection: connection), ["eks", "list-clusters"])
        XCTAssertEqual(KubectlArguments.command(["helm", "list"], connection: KubectlArguments.Connection()), ["list"])
    }

    func testACommandCheckAsksTheLearnersClusterNotTheCurrentContext() throws {
        let standIn = KubectlStandIn(snapshots: [EvaluatorFixtures.snapshot("round-two")])
        let reader = ClusterReader(cluster: standIn.cluster(context: "learner-7"), labNamespace: "default")
        let result = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate(Check(
            name: "pods", source: .command(["kubectl", "get", "pods", "-o", "json"]),
            expectation: Expectation(all: [value("{.json.items[*].metadata.name}", .some(.equals(.string("web"))))])))
        XCTAssertEqual(result.status, .passed, result.message.joined(separator: "\n"))
        XCTAssertEqual(standIn.calls.last, ["--context=learner-7", "get", "pods", "-o", "json"])
        // What is recorded is the command as the lab wrote it, so evidence re-grades anywhere.
        XCTAssertTrue(reader.evidence.paths.contains { $0.hasPrefix("outputs/") })
    }

    func testCanIAsksKubectlAuthAsTheUser() throws {
        let snapshot = try ClusterFixtures.folder(["can-i.json": #"""
        [{"verb": "list", "resource": "pods", "namespace": "development", "as": "dev-user", "allowed": true},
         {"verb": "delete", "resource": "pods", "namespace": "development", "as": "dev-user", "allowed": false}]
        """#])
        let standIn = KubectlStandIn(snapshots: [snapshot])
        let reader = ClusterReader(cluster: standIn.cluster(context: "learner-7"), labNamespace: "development")
        let evaluator = CheckEvaluator(reader: reader, clock: FakeClock())
        let results = try evaluator.evaluate([
            Check(name: "dev-user lists pods", source: .canI(CanIRequest(verb: "list", resource: "pods", user: "dev-user", groups: ["dev-group"]))),
            Check(name: "dev-user may not delete pods", source: .canI(CanIRequest(verb: "delete", resource: "pods", user: "dev-user")),
                  expectation: Expectation(all: [value("{.allowed}", .equals(.bool(false)))])),
            Check(name: "dev-user deletes pods", source: .canI(CanIRequest(verb: "delete", resource: "pods", user: "dev-user"))),
            Check(name: "dev-user lists pods in kube-system", source: .canI(CanIRequest(
                verb: "list", resource: "pods", namespace: .named("kube-system"), user: "dev-user"))),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed, .failed, .failed])
        XCTAssertEqual(results[2].message, ["kubectl auth can-i delete pods -n development --as=dev-user: expected yes, found no"])
        XCTAssertEqual(standIn.calls.first,
                       ["--context=learner-7", "auth", "can-i", "list", "pods", "-n", "development", "--as=dev-user", "--as-group=dev-group"])
    }

    func testAWSCommandsTakeTheLabsRegionAndProfile() throws {
        let lab = Lab(id: "x", title: "x", parameters: [LabParameter(name: "region", defaultValue: "us-east-2"),
                                                          LabParameter(name: "awsProfile", defaultValue: ""),
                                                          LabParameter(name: "profile", defaultValue: "fp-2048")],
                      steps: [LabStep(id: "s", title: "s", checks: [
                        Check(name: "a", source: .command(["aws", "eks", "list-clusters"])),
                        Check(name: "b", source: .command(["aws", "eks", "list-clusters", "--region=eu-west-1"])),
                        Check(name: "c", source: .command(["helm", "list"])),
                      ])], directory: URL(fileURLWithPath: "/tmp"), contentDirectory: URL(fileURLWithPath: "/tmp"))
        let resolved = try lab.resolved(parameters: ["awsProfile": "workshop"])
        XCTAssertEqual(resolved.steps[0].checks.map(\.source), [
            .command(["aws", "eks", "list-clusters", "--region", "us-east-2", "--profile", "workshop"]),
            .command(["aws", "eks", "list-clusters", "--region=eu-west-1", "--profile", "workshop"]),
            .command(["helm", "list"]),
        ])
    }

    // MARK: - Custom resources on live clusters

    func testClusterScopedCustomResourcesAreFoundInAClusterWideLiveRead() throws {
        let standIn = KubectlStandIn(snapshots: [EvaluatorFixtures.snapshot("round-two")])
        let cluster = standIn.cluster(clusterWide: true)
        let reader = ClusterReader(cluster: cluster, labNamespace: "default")
        let selection = try reader.select(ObjectSelector(kind: "ENIConfig"))
        XCTAssertEqual(ClusterFixtures.names(selection.objects), ["us-east-2a", "us-east-2b"])
        XCTAssertNil(selection.namespace)
        // Discovery runs once per cluster, whatever is read after.
        _ = try ClusterReader(cluster: cluster, labNamespace: "other").select(ObjectSelector(kind: "eniconfigs"))
        XCTAssertEqual(standIn.calls.filter { $0.first == "api-resources" }.count, 1)
    }

    func testAPIResourcesTable() {
        let rows = APIResource.parse("""
        NAME          SHORTNAMES   APIVERSION                      NAMESPACED   KIND
        pods          po           v1                              true         Pod
        eniconfigs                 crd.k8s.amazonaws.com/v1alpha1  false        ENIConfig
        error: unable to retrieve the complete list of server APIs
        """)
        XCTAssertEqual(rows, [
            APIResource(name: "pods", shortNames: ["po"], apiVersion: "v1", namespaced: true, kind: "Pod"),
            APIResource(name: "eniconfigs", shortNames: [], apiVersion: "crd.k8s.amazonaws.com/v1alpha1", namespaced: false, kind: "ENIConfig"),
        ])
        XCTAssertTrue(rows[1].matches(KindReference(kind: "eniconfig")))
        XCTAssertTrue(rows[1].matches(KindReference(kind: "ENIConfig", apiVersion: "crd.k8s.amazonaws.com/v1alpha1")))
        XCTAssertFalse(rows[1].matches(KindReference(kind: "ENIConfig", apiVersion: "example.com/v1")))
    }
}

/// A verify reads the kinds its checks need in one kubectl process per namespace.
final class OneProcessPerVerifyTests: XCTestCase {
    func testTheKindsOfAStepAreReadInOneKubectlGet() throws {
        let standIn = KubectlStandIn(snapshots: [EvaluatorFixtures.snapshot("round-two")])
        let reader = ClusterReader(cluster: standIn.cluster(context: "learner-7"), labNamespace: "default")
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate([
            Check(name: "web runs", source: get("Pod", "web")),
            Check(name: "no deployment", source: get("Deployment"), expectation: Expectation(absent: true)),
            Check(name: "no service", source: get("Service"), expectation: Expectation(absent: true)),
            Check(name: "two ENIConfigs", source: get("ENIConfig"), expectation: Expectation(count: .exactly(2))),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed, .passed, .passed], results.flatMap(\.message).joined(separator: "\n"))
        let gets = standIn.calls.filter { $0.first == "get" }
        XCTAssertEqual(gets, [["get", "pods,deployments.apps,services,eniconfig", "-n", "default", "-o", "json", "--request-timeout=5s", "--context=learner-7"]])
        // Evidence still holds one list per kind and scope.
        XCTAssertEqual(reader.evidence.paths.filter { !$0.hasPrefix("outputs/") }.sorted(),
                       ["_cluster/ENIConfig.json", "default/Deployment.json", "default/Pod.json", "default/Service.json"])
    }

    func testAListOfEveryNamespaceAnswersSingleOnesInOneGet() throws {
        let standIn = KubectlStandIn(snapshots: [EvaluatorFixtures.snapshot("game")])
        let reader = ClusterReader(cluster: standIn.cluster(), labNamespace: "default")
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate([
            Check(name: "game pods", source: get("Pod", namespace: .named("2048-game")), expectation: Expectation(count: .exactly(3))),
            Check(name: "lab pods", source: get("Pod", "liveness-app")),
            Check(name: "every pod", source: get("Pod", namespace: .all), expectation: Expectation(count: .range(min: 4, max: nil))),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed, .passed], results.flatMap(\.message).joined(separator: "\n"))
        XCTAssertEqual(standIn.calls, [["get", "pods", "--all-namespaces", "-o", "json", "--request-timeout=5s"]])
        XCTAssertEqual(reader.evidence.paths.sorted(), ["_all/Pod.json"])
        // The grader, reading that evidence as a snapshot, answers each namespace from it.
        let regraded = try CheckEvaluator(reader: ClusterReader(cluster: SnapshotCluster(evidence: reader.evidence), labNamespace: "default"),
                                          clock: FakeClock()).evaluate([
            Check(name: "game pods", source: get("Pod", namespace: .named("2048-game")), expectation: Expectation(count: .exactly(3))),
            Check(name: "lab pods", source: get("Pod", "liveness-app")),
        ])
        XCTAssertEqual(regraded.map(\.status), [.passed, .passed])
    }

    func testWhatJoinsReadComesInTheSameGet() throws {
        let standIn = KubectlStandIn(snapshots: [EvaluatorFixtures.snapshot("game")])
        let reader = ClusterReader(cluster: standIn.cluster(), labNamespace: "default")
        let game = NamespaceSelection.named("2048-game")
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate([
            Check(name: "service pods", source: get("Service", "service-2048", namespace: game), expectation: Expectation(all: [
                .join(Join(relation: .pods, expectation: Expectation(count: .exactly(3)))),
                .join(Join(relation: .endpoints, expectation: Expectation(all: [value("{.subsets[0].addresses[*].ip}", .exists)]))),
            ])),
            Check(name: "pods on nodes", source: get("Pod", namespace: game, labels: "app=2048"), expectation: Expectation(all: [
                .join(Join(relation: .node, expectation: Expectation(all: [value("{.metadata.name}", .exists)]))),
            ])),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .passed], results.flatMap(\.message).joined(separator: "\n"))
        XCTAssertEqual(standIn.calls, [["get", "services,pods,endpoints,nodes", "-n", "2048-game", "-o", "json", "--request-timeout=5s"]])
        XCTAssertEqual(reader.evidence.paths.sorted(),
                       ["2048-game/Endpoints.json", "2048-game/Pod.json", "2048-game/Service.json", "_cluster/Node.json"])
    }
}
