import Foundation
import TestSupport
import XCTest

/// What offline grading proves, end to end: a class made with klab itself, the honest learners
/// verified through the kubectl stand-in (a cluster, not `--snapshot`), each with a key of
/// their own from `klab grade keys`, and one learner per cheat and per flag. Every cheat is
/// flagged with the right reason, no honest learner is flagged, and the scores are right.
final class GradeTrustTests: XCTestCase {
    static let classKey = "trust-class-key-2026"
    static let steps = ["liveness", "fail-liveness", "readiness", "fail-readiness"]
    static let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
    static let standIn = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/kubectl-standin")
    /// Honest learners and the steps they passed.
    static let honest = ["ana": 4, "ben": 2, "cat": 0, "dan": 3]
    nonisolated(unsafe) static var built: URL?
    static let lock = NSLock()

    /// How a learner works: the step snapshots the stand-in serves, the key they sign with, the
    /// learner id their workspace was started with.
    struct Plan: Sendable {
        var passes: Int
        var snapshots: @Sendable (Int) -> [String]
        var startedAs: String?
        var signAs: String?
        var clusterUID: @Sendable (Int) -> String? = { _ in nil }
        var practice = false
    }

    static func root() throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let built { return built }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-trust-\(UUID().uuidString.prefix(8))")
        let ws = root.appendingPathComponent("ws")
        try FileManager.default.createDirectory(at: ws, withIntermediateDirectories: true)
        try Data((classKey + "\n").utf8).write(to: root.appendingPathComponent("class.key"))

        var plans: [String: Plan] = [:]
        func own(_ learner: String, transform: (@Sendable (Int, String) -> String)? = nil) -> @Sendable (Int) -> [String] {
            { index in [try! snapshot(root, learner: learner, step: index, transform: transform)] }
        }
        for (learner, passes) in honest { plans[learner] = Plan(passes: passes, snapshots: own(learner)) }
        // Victims of a copy: honest, and flagged by design on their own row too.
        plans["vic"] = Plan(passes: 4, snapshots: own("vic"))
        plans["val"] = Plan(passes: 2, snapshots: own("val"))
        // 1. Replaying the shipped fixtures: with --snapshot, and through the stand-in.
        plans["rex"] = Plan(passes: 4, snapshots: { [fixtures.appendingPathComponent("\(steps[$0])--pass").path] }, practice: true)
        plans["fix"] = Plan(passes: 2, snapshots: { [fixtures.appendingPathComponent("\(steps[$0])--pass").path] })
        // 3. Signing as someone else: zed's workspace, signed with mal's own key.
        plans["zed"] = Plan(passes: 2, snapshots: own("zed"), signAs: "mal")
        // A workspace started under another id.
        plans["liz"] = Plan(passes: 1, snapshots: own("liz"), startedAs: "elizabeth")
        // Evidence of val's objects (her cluster state) in cop's hand-in.
        plans["cop"] = Plan(passes: 2, snapshots: own("val"))
        // Step 2 on another cluster.
        plans["cam"] = Plan(passes: 2, snapshots: own("cam"), clusterUID: { $0 == 0 ? nil : "0c1a5000-0000-4000-8000-0000000000b2" })
        // An object created after its pass; a resourceVersion going back.
        plans["imp"] = Plan(passes: 1, snapshots: own("imp") { _, text in
            text.replacingOccurrences(of: "\"2026-11-25T14:01:40Z\"", with: "\"2099-01-01T00:00:00Z\"")
        })
        plans["rvb"] = Plan(passes: 2, snapshots: own("rvb") { step, text in
            step == 1 ? text.replacingOccurrences(of: "\"1187357\"", with: "\"1000\"") : text
        })

        var keys: [String: String] = [:]
        let roster = (plans.keys.sorted() + ["gus"]).map { "\($0),ws/\($0)" }
        try Data((["learner,workspace"] + roster).joined(separator: "\n").utf8).write(to: root.appendingPathComponent("roster.csv"))
        let made = try KlabBinary.run(["grade", "keys", root.appendingPathComponent("roster.csv").path,
                                        "--key-file", root.appendingPathComponent("class.key").path])
        guard made.status == 0 else { throw GradeTestError("grade keys: \(made.stderr)") }
        for line in made.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            keys[String(parts[0])] = String(parts[1])
        }
        // mal is not on this roster: her key comes from a roster of her own.
        let malRoster = root.appendingPathComponent("mal.csv")
        try Data("learner\nmal\n".utf8).write(to: malRoster)
        let mal = try KlabBinary.run(["grade", "keys", malRoster.path], environment: ["KLAB_CLASS_KEY": classKey])
        keys["mal"] = mal.stdout.split(separator: " ", omittingEmptySubsequences: true).last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }

        let failures = Gathered<String>()
        let names = plans.keys.sorted()
        let allPlans = plans, allKeys = keys
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            let learner = names[index]
            let plan = allPlans[learner]!
            do {
                try make(ws.appendingPathComponent(learner), learner: plan.startedAs ?? learner, plan: plan,
                         key: allKeys[plan.signAs ?? learner]!)
            } catch {
                failures.append("\(learner): \(error)")
            }
        }
        guard failures.values.isEmpty else { throw GradeTestError(failures.values.joined(separator: "\n")) }
        // 2. Copying a classmate: vic's history fetched into a fresh workspace, handed in as gus.
        let gus = ws.appendingPathComponent("gus")
        try FileManager.default.createDirectory(at: gus, withIntermediateDirectories: true)
        try GradeCommandTests.git(gus, ["init", "-q", "-b", "main"])
        try GradeCommandTests.git(gus, ["fetch", "-q", ws.appendingPathComponent("vic").path, "HEAD"])
        try GradeCommandTests.git(gus, ["reset", "-q", "--hard", "FETCH_HEAD"])
        built = root
        return root
    }

    /// A snapshot of the chapter's step, the objects' UIDs made the learner's own (their own
    /// cluster state), optionally changed further.
    static func snapshot(_ root: URL, learner: String, step: Int, transform: (@Sendable (Int, String) -> String)?) throws -> String {
        let folder = root.appendingPathComponent("snapshots/\(learner)/\(steps[step])")
        if FileManager.default.fileExists(atPath: folder.path) { return folder.path }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = fixtures.appendingPathComponent("\(steps[step])--pass")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            var text = try String(contentsOf: source.appendingPathComponent(name), encoding: .utf8)
            text = text.replacingOccurrences(of: "\"uid\": \"", with: "\"uid\": \"\(learner)-")
            if let transform { text = transform(step, text) }
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        return folder.path
    }

    static func make(_ workspace: URL, learner: String, plan: Plan, key: String) throws {
        let start = try KlabBinary.run(["start", "health-probes", "--learner", learner, "--workspace", workspace.path])
        guard start.status == 0 else { throw GradeTestError("start: \(start.stderr)") }
        for step in 0..<plan.passes {
            var environment = ["KLAB_CLASS_KEY": key]
            var arguments = ["verify", "--workspace", workspace.path]
            if plan.practice {
                arguments += ["--snapshot", plan.snapshots(step)[0]]
            } else {
                environment["PATH"] = standIn.path + ":/usr/bin:/bin"
                environment["KLAB_STANDIN_SNAPSHOTS"] = plan.snapshots(step).joined(separator: ":")
                if let uid = plan.clusterUID(step) {
                    environment["KLAB_STANDIN_CLUSTER_UID"] = uid
                    // Another cluster comes with another kubeconfig, as it does for real (klab
                    // remembers a connection's provenance while its kubeconfig is unchanged).
                    environment["KUBECONFIG"] = workspace.deletingLastPathComponent().appendingPathComponent("\(uid).kubeconfig").path
                }
            }
            let verify = try KlabBinary.run(arguments, environment: environment)
            guard verify.status == 0 else { throw GradeTestError("verify \(steps[step]): \(verify.stdout) \(verify.stderr)") }
        }
    }

    func grade(_ arguments: [String]) throws -> KlabBinary.Result {
        let root = try Self.root()
        return try KlabBinary.run(["grade", root.appendingPathComponent("roster.csv").path, "--key-file",
                                   root.appendingPathComponent("class.key").path, "--learner-keys", "--lab", "health-probes"] + arguments)
    }

    func learners() throws -> [String: [String: Any]] {
        let result = try grade(["--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        var byName: [String: [String: Any]] = [:]
        for learner in json["learners"] as! [[String: Any]] {
            let name = learner["learner"] as! String
            XCTAssertNil(byName[name], "one row per roster line: \(name) twice")
            byName[name] = learner
        }
        return byName
    }

    static func flags(_ learner: [String: Any]) -> [(kind: String, detail: String)] {
        (learner["flags"] as! [[String: Any]]).map { ($0["kind"] as! String, $0["detail"] as! String) }
    }

    func testHonestLearnersAreScoredRightAndNeverFlagged() throws {
        let byName = try learners()
        for (name, passes) in Self.honest {
            let learner = try XCTUnwrap(byName[name], name)
            XCTAssertEqual(Self.flags(learner).map(\.kind), [], "\(name): \(Self.flags(learner))")
            XCTAssertEqual(learner["points"] as? Int, passes, name)
            XCTAssertEqual(learner["signedWith"] as? String, passes > 0 ? "learner" : nil, name)
        }
    }

    func testAPassThroughKubectlRecordsWhereItsEvidenceCameFrom() throws {
        let root = try Self.root()
        let file = root.appendingPathComponent("ws/ana/.klab/evidence/health-probes/liveness/provenance.json")
        let provenance = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        XCTAssertEqual(provenance["source"] as? String, "cluster")
        XCTAssertEqual(provenance["server"] as? String, "https://standin.klab.invalid:6443")
        XCTAssertEqual(provenance["context"] as? String, "standin")
        XCTAssertEqual(provenance["clusterID"] as? String, "5e1f0000-0000-4000-8000-00000000c1a5")
        XCTAssertEqual(provenance["kubectlClient"] as? String, "v1.32.0-standin")
        XCTAssertEqual(provenance["kubectlServer"] as? String, "v1.32.1-standin")
        XCTAssertEqual(provenance["learner"] as? String, "ana")
        XCTAssertNotNil(provenance["klabVersion"] as? String)
        XCTAssertNotNil((provenance["time"] as? String).flatMap(ISO8601DateFormatter().date(from:)))
        let practice = root.appendingPathComponent("ws/rex/.klab/evidence/health-probes/liveness/provenance.json")
        let snapshot = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: practice)) as? [String: Any])
        XCTAssertEqual(snapshot["source"] as? String, "snapshot")
        XCTAssertTrue((snapshot["snapshotDigest"] as? String)?.hasPrefix("sha256:") == true, "\(snapshot)")
        let status = try KlabBinary.run(["status", "--workspace", root.appendingPathComponent("ws/rex").path])
        XCTAssertTrue(status.stdout.contains("practice (snapshot): liveness, fail-liveness, readiness, fail-readiness"), status.stdout)
    }

    func testEveryCheatIsFlaggedWithItsReason() throws {
        let byName = try learners()
        func check(_ name: String, _ kinds: Set<String>, points: Int, file: StaticString = #filePath, line: UInt = #line) throws -> [(kind: String, detail: String)] {
            let learner = try XCTUnwrap(byName[name], name, file: file, line: line)
            let flags = Self.flags(learner)
            XCTAssertEqual(Set(flags.map(\.kind)), kinds, "\(name): \(flags)", file: file, line: line)
            XCTAssertEqual(learner["points"] as? Int, points, name, file: file, line: line)
            return flags
        }
        // 1. Replaying fixtures: --snapshot is practice; through a "cluster", the UIDs give it away.
        let rex = try check("rex", ["practice-evidence"], points: 0)
        XCTAssertEqual(rex.count, 4)
        XCTAssertTrue(rex[0].detail.contains("passed against a snapshot"), rex[0].detail)
        _ = try check("fix", ["fixture-evidence"], points: 0)
        // 2. A copy handed in under another name: named after the roster, flagged three ways.
        let gus = try check("gus", ["learner-mismatch", "shared-history", "signature-invalid"], points: 0)
        XCTAssertTrue(gus.contains { $0.kind == "learner-mismatch" && $0.detail.contains("work of vic, not gus") }, "\(gus)")
        XCTAssertTrue(gus.contains { $0.kind == "shared-history" && $0.detail.contains("vic (") }, "\(gus)")
        let vic = try check("vic", ["shared-history"], points: 4)
        XCTAssertTrue(vic[0].detail.contains("gus ("), vic[0].detail)
        // 3. Signing as someone else with one's own key.
        let zed = try check("zed", ["signature-invalid"], points: 0)
        XCTAssertTrue(zed[0].detail.contains("neither with zed's key"), zed[0].detail)
        // The other flags, one learner each.
        let liz = try check("liz", ["learner-mismatch"], points: 1)
        XCTAssertTrue(liz[0].detail.contains("work of elizabeth, not liz"), liz[0].detail)
        let cop = try check("cop", ["copied-evidence"], points: 2)
        XCTAssertTrue(cop[0].detail.contains("val ("), cop[0].detail)
        let val = try check("val", ["copied-evidence"], points: 2)
        XCTAssertTrue(val[0].detail.contains("cop ("), val[0].detail)
        let cam = try check("cam", ["cluster-changed"], points: 2)
        XCTAssertTrue(cam[0].detail.contains("2 different clusters"), cam[0].detail)
        let imp = try check("imp", ["implausible-evidence"], points: 0)
        XCTAssertTrue(imp[0].detail.contains("created after the pass was recorded"), imp[0].detail)
        let rvb = try check("rvb", ["implausible-evidence"], points: 1)
        XCTAssertTrue(rvb[0].detail.contains("resourceVersion 1000 here but 1187357"), rvb[0].detail)
    }

    func testSnapshotsCountWhenTheInstructorAcceptsThem() throws {
        let result = try grade(["--format", "json", "--accept-snapshots"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let rex = try XCTUnwrap((json["learners"] as! [[String: Any]]).first { $0["learner"] as? String == "rex" })
        XCTAssertEqual(Self.flags(rex).map(\.kind), [])
        XCTAssertEqual(rex["points"] as? Int, 4)
    }

    func testTheClassWideKeyIsRefusedUnderLearnerKeysAndNotedOtherwise() throws {
        let root = try Self.root()
        let workspace = root.appendingPathComponent("classwide/kim")
        try Self.make(workspace, learner: "kim", plan: Plan(passes: 1, snapshots: { _ in [try! Self.snapshot(root, learner: "kim", step: 0, transform: nil)] }),
                      key: Self.classKey)
        let key = root.appendingPathComponent("class.key").path
        let strict = try KlabBinary.run(["grade", workspace.path, "--key-file", key, "--learner-keys", "--lab", "health-probes", "--format", "json"])
        XCTAssertTrue(strict.stdout.contains("signed with the class-wide key, not kim's own key"), strict.stdout)
        let lenient = try KlabBinary.run(["grade", workspace.path, "--key-file", key, "--lab", "health-probes"])
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertTrue(lenient.stdout.contains("1 learner graded (offline), 0 flagged"), lenient.stdout)
        XCTAssertTrue(lenient.stdout.contains("Note: 1 learner's passes are signed with the class-wide key"), lenient.stdout)
    }

    func testEveryNewFlagHasItsReasonInEveryFormat() throws {
        let kinds = ["practice-evidence", "learner-mismatch", "shared-history", "copied-evidence", "fixture-evidence",
                     "cluster-changed", "implausible-evidence"]
        let table = try grade([]).stdout
        let csv = try grade(["--format", "csv"]).stdout
        let junit = try grade(["--format", "junit"]).stdout
        let html = try grade(["--format", "html"]).stdout
        let json = try grade(["--format", "json"]).stdout
        for kind in kinds {
            XCTAssertTrue(table.contains(" \(kind)"), "table: \(kind)")
            XCTAssertTrue(csv.contains(kind), "csv: \(kind)")
            XCTAssertTrue(html.contains(kind), "html: \(kind)")
            XCTAssertTrue(json.contains("\"kind\": \"\(kind)\""), "json: \(kind)")
            XCTAssertTrue(junit.contains("flagged:\(kind)") || junit.contains("value=\"\(kind)"), "junit: \(kind)")
        }
    }

    func testKeysAreWrittenAsCSVAndNeedTheClassKey() throws {
        let root = try Self.root()
        let out = root.appendingPathComponent("keys.csv")
        let written = try KlabBinary.run(["grade", "keys", root.appendingPathComponent("roster.csv").path,
                                          "--key-file", root.appendingPathComponent("class.key").path, "--out", out.path])
        XCTAssertEqual(written.status, 0, written.stderr)
        let rows = try String(contentsOf: out, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(rows.first, "learner,key")
        XCTAssertTrue(rows.contains { $0.hasPrefix("ana,") && $0.count == 4 + 64 }, "\(rows)")
        XCTAssertEqual(Set(rows.map { $0.split(separator: ",")[1] }).count, rows.count, "every key differs")
        let missing = try KlabBinary.run(["grade", "keys", root.appendingPathComponent("roster.csv").path], environment: ["KLAB_CLASS_KEY": ""])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no class key"), missing.stderr)
    }
}
