import Foundation
import TestSupport
import XCTest

/// What a learner reads, compared with `Tests/Fixtures/golden/learner/*`: start, status (text
/// and JSON), hint, and a failing and a passing verify of health-probes. Paths, commit ids and
/// dates are normalised. `KLAB_UPDATE_GOLDEN=1` (or `Scripts/update-learner-goldens`) rewrites
/// the files; review the diff like code.
final class LearnerGoldenTests: XCTestCase {
    var root: URL!
    var workspace: URL { root.appendingPathComponent("ws") }
    let fixtures = KlabBinary.repositoryRoot.appendingPathComponent("labs/health-probes/fixtures")
    let goldenFolder = KlabBinary.repositoryRoot.appendingPathComponent("Tests/Fixtures/golden/learner")
    private var updating: Bool { GoldenFile.updating }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("klab-golden-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func klab(_ arguments: [String]) throws -> KlabBinary.Result {
        try KlabBinary.run(arguments + ["--workspace", workspace.path], currentDirectory: root)
    }

    /// The workspace path and commit ids vary from run to run.
    func normalised(_ text: String) -> String {
        var text = text.replacingOccurrences(of: workspace.path, with: "<workspace>")
        text = text.replacingOccurrences(of: root.path, with: "<tmp>")
        // The checkout's own path differs between machines (CI clones elsewhere).
        text = text.replacingOccurrences(of: KlabBinary.repositoryRoot.path, with: "<repo>")
        for (pattern, replacement) in [
            (#"\b[0-9a-f]{40}\b"#, "<commit>"),
            (#"(commit )[0-9a-f]{7}\b"#, "$1<commit>"),
            (#"sha256:[0-9a-f]{64}"#, "sha256:<digest>"),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    func assertGolden(_ name: String, _ result: KlabBinary.Result, status: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.status, status, "\(name): \(result.stdout)\(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stderr, "", name, file: file, line: line)
        let got = normalised(result.stdout)
        let golden = goldenFolder.appendingPathComponent(name)
        if updating {
            try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true)
            try got.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        guard let want = try? String(contentsOf: golden, encoding: .utf8) else {
            XCTFail("no golden file \(golden.path); run Scripts/update-learner-goldens", file: file, line: line)
            return
        }
        XCTAssertEqual(got, want, "\(name) differs from its golden file; if the change is wanted, run Scripts/update-learner-goldens and review the diff", file: file, line: line)
    }

    func testWhatALearnerReadsThroughHealthProbes() throws {
        try assertGolden("start.txt", klab(["start", "health-probes", "--learner", "ada"]), status: 0)
        try assertGolden("status-started.txt", klab(["status"]), status: 0)
        try assertGolden("verify-failing.txt", klab(["verify", "--snapshot", fixtures.appendingPathComponent("liveness--fail-no-probe").path]), status: 1)
        try assertGolden("verify-passing.txt", klab(["verify", "--snapshot", fixtures.appendingPathComponent("liveness--pass").path]), status: 0)
        try assertGolden("hint-1.txt", klab(["hint"]), status: 0)
        try assertGolden("status.txt", klab(["status"]), status: 0)
        try assertGolden("status.json", klab(["status", "--output", "json"]), status: 0)
        try assertGolden("verify-failing.json", klab(["verify", "--output", "json", "--snapshot", fixtures.appendingPathComponent("liveness--pass").path]), status: 1)
    }
}
