import Foundation
import TestSupport
import XCTest

/// A probe pod never outlives `klab verify`: Ctrl-C (SIGINT) or SIGTERM while klab waits for
/// one deletes it before klab ends. The built binary runs against the kubectl stand-in, whose
/// log is the witness; the pod stays Pending there (no recorded probe), so klab is waiting when
/// the signal comes.
final class ProbeInterruptTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-probe-\(UUID().uuidString.prefix(8))")
        let lab = root.appendingPathComponent("labs/probe-lab")
        try FileManager.default.createDirectory(at: lab, withIntermediateDirectories: true)
        try """
            format: 1
            id: probe-lab
            title: A probe
            steps:
              - id: reach
                title: Reach the backend
                checks:
                  - name: the client reaches the backend
                    probe:
                      namespace: client
                      command: [wget, -q, -T, '2', -O-, 'http://backend.stars/']
                      timeout: 2m
            """.write(to: lab.appendingPathComponent("lab.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("snapshot"), withIntermediateDirectories: true)
        let start = try KlabBinary.run(["start", "probe-lab", "--labs", root.appendingPathComponent("labs").path, "--learner", "ada",
                                        "--workspace", root.appendingPathComponent("ws").path], currentDirectory: root)
        XCTAssertEqual(start.status, 0, start.stdout + start.stderr)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private var log: URL { root.appendingPathComponent("kubectl.log") }

    private var calls: [[String]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
    }

    private func interruptedVerify(with signal: Int32) throws {
        let klab = try TestProcess.start(
            KlabBinary.url.path,
            ["verify", "--labs", root.appendingPathComponent("labs").path, "--workspace", root.appendingPathComponent("ws").path],
            environment: [
                "PATH": KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin").path + ":/usr/bin:/bin",
                "KLAB_STANDIN_SNAPSHOTS": root.appendingPathComponent("snapshot").path, "KLAB_STANDIN_LOG": log.path, "NO_COLOR": "1",
            ])
        defer { klab.stop(SIGKILL) }  // a klab that never reached its probe does not outlive the test
        // Wait (on the log, not on a clock) until klab has created its pod and is reading it.
        var created: [String]?
        for _ in 0..<600 where created == nil {
            created = calls.first { $0.first == "get" && $0.contains { $0.hasPrefix("klab-probe-") } }
            if created == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let pod = try XCTUnwrap(created?.first { $0.hasPrefix("klab-probe-") }, "klab never read its probe pod: \(calls)")
        klab.stop(signal)
        let status = klab.wait()
        XCTAssertEqual(klab.terminationReason, .uncaughtSignal, "klab ends as the signal would have ended it")
        XCTAssertEqual(status, signal)
        let deletions = calls.filter { $0.starts(with: ["delete", "pod", pod, "-n", "client"]) }
        XCTAssertEqual(deletions.count, 1, "the pod is deleted once, before klab ends: \(calls)")
        XCTAssertTrue(calls.contains { $0.first == "create" }, "\(calls)")
    }

    func testCtrlCWhileAProbeWaitsDeletesItsPod() throws {
        try interruptedVerify(with: SIGINT)
    }

    func testSIGTERMWhileAProbeWaitsDeletesItsPod() throws {
        try interruptedVerify(with: SIGTERM)
    }
}
