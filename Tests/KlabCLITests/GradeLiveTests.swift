import Foundation
import TestSupport
import XCTest

/// `klab grade --live` against the kubectl stand-in, which logs every invocation: one
/// `kubectl get` per kind and context for the whole class, whatever the number of learners.
final class GradeLiveTests: XCTestCase {
    var root: URL!
    let standin = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin")
    let complete = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures/complete")

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-live-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Grades a roster of `learners` spread over `contexts`; "ada" works in `default`, where
    /// the snapshot's finished lab is; the others' namespaces are empty.
    func gradeLive(learners: Int, contexts: [String]) throws -> (json: [String: Any], gets: [[String]]) {
        var roster = "learner,workspace,namespace,context\n"
        for index in 0..<learners {
            let name = index == 0 ? "ada" : "learner\(index)"
            roster += "\(name),,\(index == 0 ? "default" : "ns-\(index)"),\(contexts[index % contexts.count])\n"
        }
        let rosterFile = root.appendingPathComponent("roster-\(learners).csv")
        try Data(roster.utf8).write(to: rosterFile)
        let log = root.appendingPathComponent("kubectl-\(learners).log")
        let result = try KlabBinary.run(
            ["grade", "--live", rosterFile.path, "--lab", "health-probes", "--format", "json"],
            environment: [
                "PATH": standin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "KLAB_STANDIN_SNAPSHOTS": complete.path, "KLAB_STANDIN_LOG": log.path,
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let lines = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let calls = lines.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String] }
        return (json, calls.filter { $0.contains("get") })
    }

    func testOneGetPerContextWhateverTheClassSize() throws {
        let small = try gradeLive(learners: 3, contexts: ["ctx-a", "ctx-b"])
        let large = try gradeLive(learners: 24, contexts: ["ctx-a", "ctx-b"])
        // health-probes' completion reads Pods and Deployments: both kinds go in one class-wide
        // `kubectl get pods,deployments.apps -A` per context (issue 12: one process per read).
        XCTAssertEqual(small.gets.count, 2, "\(small.gets)")
        XCTAssertEqual(large.gets.count, 2, "\(large.gets)")
        for call in large.gets {
            XCTAssertTrue(call.contains("-A") || call.contains("--all-namespaces"), "a class-wide list, not a namespace's: \(call)")
        }
        let pairs = large.gets.map { call -> String in
            let context = call.firstIndex(of: "--context").map { call[$0 + 1] } ?? call.first { $0.hasPrefix("--context=") } ?? "?"
            let kinds = call[call.firstIndex(of: "get")! + 1].split(separator: ",").sorted().joined(separator: ",")
            return "\(context) \(kinds)"
        }
        XCTAssertEqual(pairs.sorted(), ["--context=ctx-a deployments.apps,pods", "--context=ctx-b deployments.apps,pods"],
                       "both kinds listed once in each context")

        let oneContext = try gradeLive(learners: 10, contexts: ["ctx-a"])
        XCTAssertEqual(oneContext.gets.count, 1, "\(oneContext.gets)")
    }

    func testScoresFromTheCluster() throws {
        let graded = try gradeLive(learners: 3, contexts: ["ctx-a"])
        let learners = graded.json["learners"] as! [[String: Any]]
        XCTAssertEqual(learners.map { $0["learner"] as! String }, ["ada", "learner1", "learner2"])
        XCTAssertEqual(learners.map { $0["points"] as! Int }, [4, 0, 0])
        let labs = learners[1]["labs"] as! [[String: Any]]
        let steps = labs[0]["steps"] as! [[String: Any]]
        let messages = steps[0]["messages"] as! [String]
        XCTAssertFalse(messages.isEmpty, "a learner who has not finished sees why")
    }

    func testLiveNeedsNamespaces() throws {
        let rosterFile = root.appendingPathComponent("roster.csv")
        try Data("learner,namespace\nada,\n".utf8).write(to: rosterFile)
        let result = try KlabBinary.run(["grade", "--live", rosterFile.path, "--lab", "health-probes"],
                                        environment: ["PATH": standin.path + ":/usr/bin:/bin"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("namespace"), result.stderr)
    }
}
