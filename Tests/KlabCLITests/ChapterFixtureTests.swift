import Foundation
import TestSupport
import XCTest

/// Runs `klab lab test` on every snapshot under `labs/<lab>/fixtures/` of every chapter
/// and compares what it prints with `Tests/Fixtures/golden/chapters/<lab>/<snapshot>.txt`.
///
/// A snapshot folder's name says what it is for: `<step>--pass` and `<step>--fail-<what>`
/// are evaluated with `--step <step>` (and `--capture name=value` for each line of the
/// snapshot's `captures.env`, what earlier steps captured), `complete` and `complete--fail-<what>` with
/// `--complete`; `--pass`, `--pass-<what>` (another passing state) and `complete` must exit
/// 0, the `--fail-` ones exit 1.
/// `KLAB_UPDATE_GOLDEN=1` (or `Scripts/update-chapter-goldens`) rewrites the golden files
/// instead of comparing; review their diff like code.
final class ChapterFixtureTests: XCTestCase {
    func testHealthProbesFixtures() throws {
        try checkFixtures(of: "health-probes")
    }

    func testFargateFixtures() throws {
        try checkFixtures(of: "fargate")
    }

    func testAssigningPodsFixtures() throws {
        try checkFixtures(of: "assigning-pods")
    }

    func testSpotInstancesFixtures() throws {
        try checkFixtures(of: "spot-instances")
    }

    func testExposingServicesFixtures() throws {
        try checkFixtures(of: "exposing-services")
    }

    func testIamServiceAccountsFixtures() throws {
        try checkFixtures(of: "iam-service-accounts")
    }

    func testRbacFixtures() throws {
        try checkFixtures(of: "rbac")
    }

    func testCalicoNetworkPolicyFixtures() throws {
        try checkFixtures(of: "calico-network-policy")
    }

    func testSealedSecretsFixtures() throws {
        try checkFixtures(of: "sealed-secrets")
    }

    func testHelmNginxFixtures() throws {
        try checkFixtures(of: "helm-nginx")
    }

    func testDashboardFixtures() throws {
        try checkFixtures(of: "dashboard")
    }

    func testMicroservicesFixtures() throws {
        try checkFixtures(of: "microservices")
    }

    func testClusterAccessFixtures() throws {
        try checkFixtures(of: "cluster-access")
    }

    func testPodAutoscalingFixtures() throws {
        try checkFixtures(of: "pod-autoscaling")
    }

    func testClusterAutoscalerFixtures() throws {
        try checkFixtures(of: "cluster-autoscaler")
    }

    func testKmsSecretsFixtures() throws {
        try checkFixtures(of: "kms-secrets")
    }

    func testStatefulEbsFixtures() throws {
        try checkFixtures(of: "stateful-ebs")
    }

    func testStatefulEfsFixtures() throws {
        try checkFixtures(of: "stateful-efs")
    }

    func testSecondaryCidrFixtures() throws {
        try checkFixtures(of: "secondary-cidr")
    }

    func testSpotOceanFixtures() throws {
        try checkFixtures(of: "spot-ocean")
    }

    /// What one fixture folder's name says about it.
    struct Fixture {
        var name: String
        /// The step to evaluate, or nil for the completion checks.
        var step: String?
        var passes: Bool

        init?(folderName name: String) {
            self.name = name
            if name == "complete" {
                step = nil
                passes = true
                return
            }
            let parts = name.components(separatedBy: "--")
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            step = parts[0] == "complete" ? nil : parts[0]
            if parts[1] == "pass", step != nil {
                passes = true
            } else if parts[1].hasPrefix("pass-"), parts[1].count > 5 {
                // another passing state of the same step (under load, and after it)
                passes = true
            } else if parts[1].hasPrefix("fail-"), parts[1].count > 5 {
                passes = false
            } else {
                return nil
            }
        }

        var arguments: [String] { step.map { ["--step", $0] } ?? ["--complete"] }
    }

    private var updating: Bool { GoldenFile.updating }

    private func checkFixtures(of lab: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let root = KlabBinary.repositoryRoot
        let fixturesFolder = root.appendingPathComponent("labs/\(lab)/fixtures")
        let names = try FileManager.default.contentsOfDirectory(atPath: fixturesFolder.path)
            .filter { isDirectory(fixturesFolder.appendingPathComponent($0)) }
            .sorted()
        var fixtures: [Fixture] = []
        for name in names {
            guard let fixture = Fixture(folderName: name) else {
                XCTFail("labs/\(lab)/fixtures/\(name): name is not <step>--pass, <step>--pass-<what>, <step>--fail-<what>, complete, complete--pass-<what> or complete--fail-<what>", file: file, line: line)
                continue
            }
            fixtures.append(fixture)
        }

        try assertEveryStepIsCovered(lab: lab, fixtures: fixtures, file: file, line: line)

        let goldenFolder = root.appendingPathComponent("Tests/Fixtures/golden/chapters/\(lab)")
        if updating { try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true) }
        // Every klab run first, a few at a time (separate processes, each mostly starting up
        // and reading its snapshot); then the verdicts, in the fixtures' order.
        let runs = try Self.runConcurrently(fixtures.map { fixture in
            let snapshot = "labs/\(lab)/fixtures/\(fixture.name)"
            var commands = [["lab", "test", lab, "--snapshot", snapshot] + fixture.arguments
                + capturedValues(in: root.appendingPathComponent(snapshot)).flatMap { ["--capture", $0] }]
            if fixture.step == nil, fixture.passes {
                commands.append(["lab", "test", lab, "--snapshot", snapshot, "--complete", "--kube-only"])
            }
            return commands
        })
        for (fixture, results) in zip(fixtures, runs) {
            let snapshot = "labs/\(lab)/fixtures/\(fixture.name)"
            let result = results[0]
            let expected: Int32 = fixture.passes ? 0 : 1
            XCTAssertEqual(result.status, expected, "\(snapshot): exit status; stderr: \(result.stderr)\n\(result.stdout)", file: file, line: line)
            XCTAssertEqual(result.stderr, "", "\(snapshot): stderr", file: file, line: line)
            if fixture.step == nil, fixture.passes {
                // Held-out states of real clusters are judged from their objects alone: a
                // complete state must pass without the exec/http/command outputs too.
                let kubeOnly = results[1]
                XCTAssertEqual(kubeOnly.status, 0, "\(snapshot) --kube-only: \(kubeOnly.stdout)\(kubeOnly.stderr)", file: file, line: line)
            }
            let golden = goldenFolder.appendingPathComponent("\(fixture.name).txt")
            if updating {
                try result.stdout.write(to: golden, atomically: true, encoding: .utf8)
                continue
            }
            guard let want = try? String(contentsOf: golden, encoding: .utf8) else {
                XCTFail("\(snapshot): no golden file \(golden.path); run Scripts/update-chapter-goldens", file: file, line: line)
                continue
            }
            XCTAssertEqual(result.stdout, want, "\(snapshot): output differs from \(golden.lastPathComponent)", file: file, line: line)
        }
        if !updating {
            let goldens = (try? FileManager.default.contentsOfDirectory(atPath: goldenFolder.path)) ?? []
            let stale = Set(goldens.map { ($0 as NSString).deletingPathExtension }).subtracting(fixtures.map(\.name))
            XCTAssertTrue(stale.isEmpty, "golden files without a fixture: \(stale.sorted())", file: file, line: line)
        }
    }

    /// Every step, and the completion checks, have a passing and a failing snapshot.
    private func assertEveryStepIsCovered(lab: String, fixtures: [Fixture], file: StaticString, line: UInt) throws {
        let show = try KlabBinary.run(["lab", "show", lab, "--output", "json"], currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(show.status, 0, show.stderr, file: file, line: line)
        let json = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        let steps = (json?["steps"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        XCTAssertFalse(steps.isEmpty, "klab lab show \(lab) listed no steps", file: file, line: line)
        let known = Set(steps)
        for fixture in fixtures {
            if let step = fixture.step {
                XCTAssertTrue(known.contains(step), "fixture \(fixture.name) names no step of \(lab)", file: file, line: line)
            }
        }
        for step in steps.map(Optional.some) + [nil] {
            let mine = fixtures.filter { $0.step == step }
            let what = step.map { "step \($0)" } ?? "the completion checks"
            XCTAssertTrue(mine.contains { $0.passes }, "\(lab): no passing snapshot for \(what)", file: file, line: line)
            XCTAssertTrue(mine.contains { !$0.passes }, "\(lab): no failing snapshot for \(what)", file: file, line: line)
        }
    }

    /// Runs each group's klab commands (in the repository root), three groups at a time;
    /// the results in the groups' order.
    private static func runConcurrently(_ groups: [[[String]]]) throws -> [[KlabBinary.Result]] {
        let outcomes = concurrently(groups.count, workers: 3) { index, _ in
            Result { try groups[index].map { try KlabBinary.run($0, currentDirectory: KlabBinary.repositoryRoot) } }
                .mapError { GradeTestError("klab \(groups[index].first?.joined(separator: " ") ?? ""): \($0)") }
        }
        return try outcomes.map { try $0.get() }
    }

    /// `captures.env` in a snapshot (name=value lines): what earlier steps captured, as
    /// `klab verify` would remember it (the baseline node count before a scale-out).
    private func capturedValues(in snapshot: URL) -> [String] {
        guard let text = try? String(contentsOf: snapshot.appendingPathComponent("captures.env"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    private func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
