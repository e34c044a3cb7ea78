import TestSupport
import XCTest

/// Every golden test rewrites its files on `KLAB_UPDATE_GOLDEN=1` alone. The lab-test goldens
/// used to be rewritten whenever the variable was set at all (`=0` included).
final class GoldenFileTests: XCTestCase {
    func testOnlyOneRewrites() {
        XCTAssertTrue(GoldenFile.isUpdating(["KLAB_UPDATE_GOLDEN": "1"]))
        for value in ["0", "", "yes", "true"] {
            XCTAssertFalse(GoldenFile.isUpdating(["KLAB_UPDATE_GOLDEN": value]), value)
        }
        XCTAssertFalse(GoldenFile.isUpdating([:]))
    }

    func testNoTestTargetDecidesForItself() throws {
        let tests = KlabBinary.repositoryRoot.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" && $0.lastPathComponent != "GoldenFile.swift" } ?? []
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            XCTAssertFalse(text.contains("environment[\"KLAB_UPDATE_GOLDEN\"]"), "\(file.lastPathComponent) reads KLAB_UPDATE_GOLDEN itself; use GoldenFile")
        }
    }
}
