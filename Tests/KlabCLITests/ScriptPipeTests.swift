import Foundation
import TestSupport
import XCTest

/// The shell scripts run under `set -o pipefail`; there a pipe into a grep that stops reading
/// at its first match (`-q`, `-m`, `-l`) fails or passes by timing: when grep exits before the
/// writer is done, the writer dies of SIGPIPE and the pipeline fails although grep matched.
/// Such a grep reads a here-string (`grep -q x <<< "$out"`) or a file instead.
final class ScriptPipeTests: XCTestCase {
    /// The lines of `script` that pipe into an early-stopping grep.
    static func earlyStoppingGreps(in script: String) -> [String] {
        let pipeIntoGrep = try! NSRegularExpression(pattern: #"(?<!\|)\|(?!\|)[ \t]*grep((?:[ \t]+-[^ \t|;&]*)*)"#)
        return script.split(separator: "\n").map(String.init).filter { line in
            guard !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") else { return false }
            let range = NSRange(line.startIndex..., in: line)
            return pipeIntoGrep.matches(in: line, range: range).contains { match in
                let options = (Range(match.range(at: 1), in: line).map { line[$0] } ?? "").split(whereSeparator: \.isWhitespace)
                return options.contains { option in
                    if ["--quiet", "--silent", "--files-with-matches", "--files-without-match"].contains(option) { return true }
                    if option.hasPrefix("--max-count") { return true }
                    return !option.hasPrefix("--") && option.dropFirst().contains { "qmlL".contains($0) }
                }
            }
        }
    }

    func testTheDetectorSeesWhatItLooksFor() {
        XCTAssertEqual(Self.earlyStoppingGreps(in: #"echo "$out" | grep -q "^klab""#).count, 1)
        XCTAssertEqual(Self.earlyStoppingGreps(in: "klab verify | grep -m1 'practice' || true").count, 1)
        XCTAssertEqual(Self.earlyStoppingGreps(in: #"grep "^  ana: " grades.txt | grep -qv shared"#).count, 1)
        XCTAssertEqual(Self.earlyStoppingGreps(in: #"grep -q "^klab" <<< "$out" || exit 1"#), [])
        XCTAssertEqual(Self.earlyStoppingGreps(in: "ldd klab | grep -E 'libswift' >&2"), [])
        XCTAssertEqual(Self.earlyStoppingGreps(in: "  # echo x | grep -q y"), [])
    }

    func testNoScriptUnderPipefailPipesIntoAGrepThatStopsEarly() throws {
        let root = KlabBinary.repositoryRoot
        let scripts = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Scripts").path)
            .map { root.appendingPathComponent("Scripts/\($0)") } + [root.appendingPathComponent(".ci/run")]
        var checked = 0
        for script in scripts {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: script.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let text = try? String(contentsOf: script, encoding: .utf8), text.contains("pipefail") else { continue }
            checked += 1
            let found = Self.earlyStoppingGreps(in: text)
            XCTAssertEqual(found, [], "\(script.lastPathComponent) pipes into a grep that stops early (read a here-string instead)")
        }
        XCTAssertGreaterThan(checked, 5, "the scripts under pipefail were found")
    }
}
