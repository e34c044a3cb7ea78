import Foundation
import XCTest

/// Golden files: what a command prints, committed and compared byte for byte. Every test
/// target decides the same way whether to rewrite them: only `KLAB_UPDATE_GOLDEN=1` does
/// (unset, empty or `0` compares), so a stray variable never rewrites a golden silently.
public enum GoldenFile {
    public static func isUpdating(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["KLAB_UPDATE_GOLDEN"] == "1"
    }

    public static var updating: Bool { isUpdating() }

    /// Rewrites the file when updating; otherwise fails unless it holds exactly `text`.
    public static func check(
        _ text: String, against url: URL, hint: String = "rerun with KLAB_UPDATE_GOLDEN=1 if the change is intended, and review the diff",
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        if updating {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("no golden file \(url.path); \(hint)", file: file, line: line)
        }
        XCTAssertEqual(text, golden, "differs from \(url.lastPathComponent); \(hint)", file: file, line: line)
    }
}
