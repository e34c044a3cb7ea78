import Foundation
import KubeCore
import KubeJSON
import LabSpec
import XCTest
@testable import Checks

/// `probe:` checks: a pod of their own for a connectivity test, answered from a snapshot's
/// recorded outputs or run through kubectl (the stand-in), told "ran and failed" from "could not
/// run", and always deleted (after a pass, a failure, a timeout, a refusal, an interrupt).
final class ProbeTests: XCTestCase {
    private static let frontend = ["wget", "-q", "-T", "2", "-O-", "http://frontend.stars/"]
    private static let backend = ["nc", "-z", "-w", "2", "backend.stars", "6379"]
    private static let client = [ProbeLabel(key: "role", value: "client")]
    private static let blocked = Expectation(all: [.value(path: "{.exitCode}", predicate: .notEquals(.int(0)))])

    private static func probe(_ command: [String], image: String = ProbeRequest.defaultImage) -> CheckSource {
        .probe(ProbeRequest(namespace: .named("client"), labels: client, image: image, command: command, timeout: 30))
    }

    // MARK: snapshots

    func testSnapshotProbesTellBlockedFromCouldNotRun() throws {
        let results = try EvaluatorFixtures.evaluate([
            Check(name: "client reaches the frontend", source: Self.probe(Self.frontend),
                  expectation: Expectation(all: [.value(path: "{.stdout}", predicate: .matches("stars frontend"))])),
            Check(name: "client cannot reach the backend", source: Self.probe(Self.backend), expectation: Self.blocked),
            Check(name: "blocked, but the image was not there", source: Self.probe(Self.backend, image: "busybox:9.99"), expectation: Self.blocked),
            Check(name: "blocked, but nc is not in the image", source: Self.probe(Self.backend, image: "nginx:1.27"), expectation: Self.blocked),
            Check(name: "the backend answers (it does not)", source: Self.probe(Self.backend)),
        ], snapshot: "round-two")
        XCTAssertEqual(results.map(\.status), [.passed, .passed, .failed, .failed, .failed], results.map(\.message).description)
        XCTAssertEqual(results[2].message, [
            #"probe in client (role=client, busybox:9.99): nc -z -w 2 backend.stars 6379: could not run: the image busybox:9.99 could not be pulled (ImagePullBackOff: Back-off pulling image "busybox:9.99")"#,
        ])
        XCTAssertEqual(results[3].message, [
            "probe in client (role=client, nginx:1.27): nc -z -w 2 backend.stars 6379: could not run: exit code 127 (the program is not in the image)",
        ])
        XCTAssertEqual(results[4].message, ["probe in client (role=client, busybox:1.36): nc -z -w 2 backend.stars 6379: expected exit code 0, found 1"])
    }

    func testAProbeTheSnapshotDidNotRecordIsAnErrorNamingIt() throws {
        XCTAssertThrowsError(try EvaluatorFixtures.evaluate(
            [Check(name: "unrecorded", source: .probe(ProbeRequest(namespace: .named("stars"), command: ["true"])))], snapshot: "round-two")
        ) { error in
            XCTAssertTrue("\(error)".contains("probe in stars (busybox:1.36): true"), "\(error)")
        }
    }

    func testProbeLabelsMatchInAnyOrderAndRoundTripThroughEvidence() throws {
        let call = ProbeCall(namespace: "client", image: "busybox:1.36",
                             labels: [ProbeLabel(key: "a", value: "1"), ProbeLabel(key: "b", value: "2")], command: ["true"])
        var swapped = call
        swapped.labels.reverse()
        XCTAssertTrue(call.matches(swapped))
        swapped.labels[0].value = "3"
        XCTAssertFalse(call.matches(swapped))

        for result in [ProbeOutput(exitCode: 1, stdout: "x\n"), .notRun("the image could not be pulled")] {
            let recorded = RecordedOutput.probe(call, result: result)
            XCTAssertEqual(try RecordedOutput.parse(recorded.json).get(), recorded)
        }
        XCTAssertEqual(RecordedOutput.probe(call, result: ProbeOutput(exitCode: 0, stdout: "s3cr3t")).redacted,
                       .probe(call, result: ProbeOutput(exitCode: 0, stdout: ValueDigest.of(text: "s3cr3t"))))
    }

    // MARK: the pod

    func testTheProbePodRunsOnceWithItsLabelsAndKlabsAndEndsOnItsOwn() {
        let request = ProbeRequest(namespace: .named("client"), labels: Self.client, command: Self.backend, timeout: 20)
        let pod = ProbePod.manifest(name: "klab-probe-0000abcd", namespace: "client", request: request,
                                    owner: [ProbeLabel(key: "klab.dev/lab", value: "calico-network-policy")])
        XCTAssertEqual(pod["metadata"]?["labels"], .object(JSONObject([
            ("role", .string("client")), ("klab.dev/probe", .string("true")), ("klab.dev/lab", .string("calico-network-policy")),
        ])))
        XCTAssertEqual(pod["spec"]?["restartPolicy"], .string("Never"))
        XCTAssertEqual(pod["spec"]?["activeDeadlineSeconds"], .int(50))
        XCTAssertEqual(pod["spec"]?["containers"]?[0]?["command"], .array(Self.backend.map(JSONValue.string)))
        XCTAssertTrue(ProbePod.newName().hasPrefix("klab-probe-"))
        XCTAssertEqual(ProbePod.newName().count, "klab-probe-".count + 8)
    }

    private func pod(_ status: String) throws -> JSONValue {
        try JSONParser.parse(#"{"spec": {"containers": [{"image": "busybox:1.36"}]}, "status": "# + status + "}")
    }

    func testThePodsStatusSaysRanCouldNotRunOrNotYet() throws {
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Failed", "containerStatuses": [{"state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}"#)),
                       .finished(exitCode: 1))
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Succeeded", "containerStatuses": [{"state": {"terminated": {"exitCode": 0}}}]}"#)),
                       .finished(exitCode: 0))
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Pending", "containerStatuses": [{"image": "busybox:9", "state": {"waiting": {"reason": "ErrImagePull", "message": "not found"}}}]}"#)),
                       .couldNotRun("the image busybox:9 could not be pulled (ErrImagePull: not found)"))
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Failed", "containerStatuses": [{"state": {"terminated": {"exitCode": 128, "reason": "StartError", "message": "exec: \"nc\": executable file not found in $PATH"}}}]}"#)),
                       .couldNotRun(#"the container did not start (StartError: exec: "nc": executable file not found in $PATH)"#))
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Failed", "reason": "DeadlineExceeded", "message": "Pod was active on the node longer than the specified deadline"}"#)),
                       .couldNotRun("the pod ended before its command ran (DeadlineExceeded: Pod was active on the node longer than the specified deadline)"))
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes are available"}]}"#)),
                       .waiting("not scheduled (Unschedulable: 0/3 nodes are available)"))
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ContainerCreating"}}}]}"#)),
                       .waiting("ContainerCreating"))
        XCTAssertEqual(ProbePod.state(of: try pod(#"{"phase": "Running", "containerStatuses": [{"state": {"running": {}}}]}"#)), .waiting("running"))
    }

    // MARK: through kubectl (the stand-in), cleanup in every path

    private let snapshot = ClusterFixtures.path("snapshots/round-two")

    /// A clock that moves when slept on, and can interrupt the probe on its n-th sleep.
    private final class ProbeClock: CheckClock {
        var time: Double = 0
        var sleeps = 0
        var onSleep: ((Int) -> Void)?
        func now() -> Double { time }
        func sleep(seconds: Double) {
            sleeps += 1
            time += seconds
            onSleep?(sleeps)
        }
    }

    private func cluster(_ standIn: KubectlStandIn, clock: ProbeClock = ProbeClock(), cleanup: ProbeCleanup = ProbeCleanup()) -> KubectlCluster {
        var options = standIn.options()
        options.probeOwner = [ProbeLabel(key: "klab.dev/lab", value: "calico-network-policy"), ProbeLabel(key: "klab.dev/learner", value: "ada")]
        let cluster = KubectlCluster(options: options)
        cluster.probeClock = clock
        cluster.probeCleanup = cleanup
        cluster.probeName = { "klab-probe-feedbeef" }
        return cluster
    }

    private let deletion = ["delete", "pod", "klab-probe-feedbeef", "-n", "client", "--ignore-not-found", "--wait=false"]

    private func deletions(_ standIn: KubectlStandIn) -> Int {
        standIn.calls.filter { $0.starts(with: deletion) }.count
    }

    private func call(_ command: [String], image: String = ProbeRequest.defaultImage) -> ProbeCall {
        ProbeCall(namespace: "client", image: image, labels: Self.client, command: command)
    }

    func testALiveProbeThatRanIsReadAndDeleted() throws {
        let standIn = KubectlStandIn(snapshots: [snapshot])
        let cluster = cluster(standIn)
        XCTAssertEqual(try cluster.probe(call(Self.frontend), timeout: 30),
                       ProbeOutput(exitCode: 0, stdout: "<html>stars frontend</html>\n"))
        XCTAssertEqual(try cluster.probe(call(Self.backend), timeout: 30), ProbeOutput(exitCode: 1, stdout: ""))
        let calls = standIn.calls
        XCTAssertEqual(calls.first, ["create", "-n", "client", "-f", "-", "-o", "json", "--request-timeout=5s"])
        XCTAssertTrue(calls.contains(["logs", "klab-probe-feedbeef", "-n", "client", "--request-timeout=5s"]), "\(calls)")
        XCTAssertEqual(deletions(standIn), 2, "\(calls)")
        XCTAssertEqual(calls.last?.prefix(deletion.count).map { $0 }, deletion)
        // The pod as created carries the check's labels and klab's.
        let created = try JSONParser.parse(bytes: Data(contentsOf: URL(fileURLWithPath: standIn.log + ".probes/klab-probe-feedbeef.json")))
        XCTAssertEqual(created["metadata"]?["labels"]?["role"], .string("client"))
        XCTAssertEqual(created["metadata"]?["labels"]?["klab.dev/learner"], .string("ada"))
        XCTAssertEqual(created["metadata"]?["labels"]?["klab.dev/probe"], .string("true"))
    }

    func testALiveProbeWhoseImageCannotBePulledCouldNotRunAndIsDeleted() throws {
        let standIn = KubectlStandIn(snapshots: [snapshot])
        let output = try cluster(standIn).probe(call(Self.backend, image: "busybox:9.99"), timeout: 30)
        XCTAssertEqual(output.couldNotRun, #"the image busybox:9.99 could not be pulled (ImagePullBackOff: Back-off pulling image "busybox:9.99")"#)
        XCTAssertEqual(deletions(standIn), 1)
    }

    func testALiveProbeThatNeverFinishesTimesOutAsCouldNotRunAndIsDeleted() throws {
        let standIn = KubectlStandIn(snapshots: [snapshot])
        let clock = ProbeClock()
        let output = try cluster(standIn, clock: clock).probe(call(["sleep", "3600"]), timeout: 5)
        XCTAssertEqual(output.couldNotRun, "the probe pod had not finished after 5s (not scheduled (Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.))")
        XCTAssertEqual(clock.time, 5, "it waited exactly its timeout on the clock")
        XCTAssertEqual(deletions(standIn), 1)
    }

    func testALiveProbeTheClusterRefusesCouldNotRunAndIsStillDeleted() throws {
        let standIn = KubectlStandIn(snapshots: [snapshot], fail: "forbidden")
        let output = try cluster(standIn).probe(call(Self.backend), timeout: 30)
        XCTAssertEqual(output.couldNotRun, #"the probe pod was not created: Error from server (Forbidden): error when creating "STDIN": pods is forbidden: User "system:serviceaccount:klab:learner" cannot create resource "pods" in API group "" in the namespace "client""#)
        XCTAssertEqual(deletions(standIn), 1, "a create that failed on the way may still have made the pod")
    }

    func testALiveProbeOnAnUnreachableClusterThrowsAndIsStillDeleted() throws {
        let standIn = KubectlStandIn(snapshots: [snapshot], fail: "unreachable")
        XCTAssertThrowsError(try cluster(standIn).probe(call(Self.backend), timeout: 30)) { error in
            XCTAssertEqual((error as? ClusterError).map { "\($0)" }?.contains("refused"), true, "\(error)")
        }
        XCTAssertEqual(deletions(standIn), 1)
    }

    func testAnInterruptDeletesTheProbePodAtOnceAndOnlyOnce() throws {
        let standIn = KubectlStandIn(snapshots: [snapshot])
        let clock = ProbeClock()
        let cleanup = ProbeCleanup()
        clock.onSleep = { n in
            if n == 2 {
                XCTAssertEqual(self.deletions(standIn), 0)
                cleanup.interrupt()
                XCTAssertEqual(self.deletions(standIn), 1, "the interrupt deletes the pod itself, before the probe notices")
            }
        }
        let output = try cluster(standIn, clock: clock, cleanup: cleanup).probe(call(["sleep", "3600"]), timeout: 60)
        XCTAssertEqual(output.couldNotRun, "klab was interrupted; the probe pod was deleted")
        XCTAssertEqual(clock.sleeps, 2, "it stops waiting at once")
        XCTAssertEqual(deletions(standIn), 1)
    }

    func testAProbeCheckThroughKubectlFailsBlockedWhenItCouldNotRun() throws {
        let standIn = KubectlStandIn(snapshots: [snapshot])
        let reader = ClusterReader(cluster: cluster(standIn), labNamespace: "default")
        let results = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate([
            Check(name: "blocked", source: Self.probe(Self.backend), expectation: Self.blocked),
            Check(name: "blocked, no image", source: Self.probe(Self.backend, image: "busybox:9.99"), expectation: Self.blocked),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .failed])
        XCTAssertTrue(results[1].message[0].contains("could not run: the image busybox:9.99 could not be pulled"), results[1].message[0])
        XCTAssertEqual(deletions(standIn), 2)
        // Evidence records each probe, so a grader re-checks it offline.
        let evidence = reader.evidence
        let probes = evidence.paths.filter { $0.hasPrefix("outputs/probe-") }
        XCTAssertEqual(probes.count, 2, "\(evidence.paths)")
        let offline = try SnapshotCluster(evidence: evidence)
        XCTAssertEqual(try offline.probe(call(Self.backend), timeout: 1), ProbeOutput(exitCode: 1, stdout: ""))
    }
}

/// `capture: {digest: true}` keeps a Secret's value as its digest, the same from the live
/// object and from the evidence klab stored, so a pod's reading can be compared with it.
final class DigestCaptureTests: XCTestCase {
    func testADigestCaptureIsTheSameFromTheSecretAndFromItsEvidence() throws {
        let folder = try ClusterFixtures.folder([
            "secret.json": #"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "test-creds", "namespace": "secretslab"}, "data": {"password": "czNjcjN0"}}"#,
            "outputs/read.json": #"{"exec": {"namespace": "secretslab", "pod": "test-secret", "command": ["sh", "-c", "base64 /etc/test-creds/password | tr -d \"\\n\""]}, "result": {"exitCode": 0, "stdout": "czNjcjN0", "stderr": ""}}"#,
        ])
        let checks = [
            Check(name: "remember", source: .get(ObjectSelector(kind: "Secret", name: "test-creds")),
                  captures: [Capture(name: "passwordDigest", path: "{.items[0].data.password}", digest: true)]),
            {
                var check = Check(name: "the pod reads it", source: .exec(ExecRequest(
                    pod: "test-secret", command: ["sh", "-c", #"base64 /etc/test-creds/password | tr -d "\n""#])),
                    expectation: Expectation(all: [.value(path: "{.stdout}", predicate: .digest("${passwordDigest}"))]))
                check.redact = true
                return check
            }(),
        ]
        let reader = ClusterReader(cluster: try SnapshotCluster(directory: folder), labNamespace: "secretslab")
        let live = try CheckEvaluator(reader: reader, clock: FakeClock()).evaluate(checks)
        XCTAssertEqual(live.map(\.status), [.passed, .passed], "\(live.map(\.message))")
        XCTAssertEqual(live[0].captures, ["passwordDigest": ValueDigest.of(text: "czNjcjN0")], "the digest, never the value")

        let stored = reader.evidence.redactingSecrets()
        XCTAssertFalse(stored.files.values.contains { String(decoding: $0, as: UTF8.self).contains("czNjcjN0") }, "nothing stored in plain text")
        let again = try CheckEvaluator(reader: ClusterReader(cluster: try SnapshotCluster(evidence: stored), labNamespace: "secretslab"),
                                       clock: FakeClock()).evaluate(checks)
        XCTAssertEqual(again.map(\.status), [.passed, .passed], "\(again.map(\.message))")
        XCTAssertEqual(again[0].captures, live[0].captures)
    }

    /// Evidence read again and recorded again (a recording of a recording) keeps a redacted
    /// stdout as the digest it already is, so a `digest` check keeps its verdict.
    func testRedactingARedactedOutputKeepsItsDigest() throws {
        let once = RecordedOutput.exec(namespace: "secretslab", pod: "test-secret", container: nil, command: ["cat", "/p"],
                                       result: CommandOutput(exitCode: 0, stdout: "czNjcjN0", stderr: "")).redacted
        XCTAssertEqual(once.redacted, once)
        guard case .exec(_, _, _, _, let result) = once else { return XCTFail("\(once)") }
        XCTAssertEqual(result.stdout, ValueDigest.of(text: "czNjcjN0"))
        let printed = RecordedOutput.command(arguments: ["sha"], result: CommandOutput(exitCode: 0, stdout: result.stdout + "\n", stderr: ""))
        XCTAssertEqual(printed.redacted, .command(arguments: ["sha"], result: CommandOutput(
            exitCode: 0, stdout: ValueDigest.of(text: result.stdout + "\n"), stderr: "")), "a digest with a newline is text, as the predicate reads it")
    }

    func testAPodReadingAnotherValueFails() throws {
        let folder = try ClusterFixtures.folder([
            "secret.json": #"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "test-creds", "namespace": "secretslab"}, "data": {"password": "czNjcjN0"}}"#,
            "outputs/read.json": #"{"exec": {"namespace": "secretslab", "pod": "test-secret", "command": ["cat", "/p"]}, "result": {"exitCode": 0, "stdout": "b2xk", "stderr": ""}}"#,
        ])
        let results = try CheckEvaluator(reader: ClusterReader(cluster: try SnapshotCluster(directory: folder), labNamespace: "secretslab"),
                                         clock: FakeClock()).evaluate([
            Check(name: "remember", source: .get(ObjectSelector(kind: "Secret", name: "test-creds")),
                  captures: [Capture(name: "d", path: "{.items[0].data.password}", digest: true)]),
            Check(name: "read", source: .exec(ExecRequest(pod: "test-secret", command: ["cat", "/p"])),
                  expectation: Expectation(all: [.value(path: "{.stdout}", predicate: .digest("${d}"))])),
        ])
        XCTAssertEqual(results.map(\.status), [.passed, .failed])
        XCTAssertFalse(results[1].message.joined().contains("b2xk"), "a digest failure shows digests only: \(results[1].message)")
    }
}
