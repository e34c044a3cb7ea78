import Foundation
import XCTest
import Yams
@testable import LabSpec

/// `content/reference/lab-format.md` promises that every YAML example on it loads. This test
/// keeps the promise: a complete `lab.yaml` loads as a lab; a check, a list of checks or a
/// fragment of a check (a selector, an `expect` list) loads inside a one-step lab built here.
final class ReferenceExamplesTests: XCTestCase {
    static var page: URL { Fixtures.repository.appendingPathComponent("content/reference/lab-format.md") }

    /// The fenced ```yaml blocks of the page, with the line each starts on.
    static func yamlBlocks() throws -> [(line: Int, text: String)] {
        let lines = try String(contentsOf: page, encoding: .utf8).components(separatedBy: "\n")
        var blocks: [(Int, String)] = []
        var current: [String]?
        var start = 0
        for (index, line) in lines.enumerated() {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```yaml" {
                current = []
                start = index + 2
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append((start, current!.joined(separator: "\n")))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    func testEveryYAMLExampleOnThePageLoads() throws {
        let blocks = try Self.yamlBlocks()
        XCTAssertGreaterThanOrEqual(blocks.count, 8, "the page should hold its examples")
        var labs = 0, checks = 0
        for (line, text) in blocks {
            let root = try XCTUnwrap(try Yams.compose(yaml: text), "lab-format.md:\(line) is empty")
            if case let .mapping(mapping) = root, mapping["format"] != nil {
                let id = try XCTUnwrap(mapping["id"]?.string)
                let (loader, _) = try Fixtures.temporaryLab(text, id: id)
                XCTAssertNoThrow(try loader.load(id), "the lab at lab-format.md:\(line) does not load")
                labs += 1
            } else {
                let loaded = try loadChecks(text)
                XCTAssertFalse(loaded.isEmpty, "lab-format.md:\(line)")
                checks += loaded.count
            }
        }
        XCTAssertEqual(labs, 1, "the page shows one complete lab.yaml")
        XCTAssertGreaterThanOrEqual(checks, 10)
    }

    /// Loads a list of checks, one check, or a fragment completed with a name and a `get`.
    private func loadChecks(_ text: String) throws -> [Check] {
        let root = try Yams.compose(yaml: text)
        var body: String
        if case .sequence = root {
            body = indent(text, by: 6)
        } else {
            var fragment = text
            let keys = root?.mapping?.keys.compactMap(\.string) ?? []
            if !keys.contains(where: { LabDecoder.sourceKeys.contains($0) }) { fragment = "get: Pod\n" + fragment }
            if !keys.contains("name") { fragment = "name: Example\n" + fragment }
            body = "      -\n" + indent(fragment, by: 8)
        }
        let lab = "format: 1\nid: example\ntitle: Example\nparameters:\n  - {name: replicas, default: \"3\"}\nsteps:\n  - id: one\n    title: One\n    checks:\n" + body + "\n"
        let (loader, _) = try Fixtures.temporaryLab(lab, id: "example")
        do {
            return try loader.load("example").steps[0].checks
        } catch {
            XCTFail("\(error)\n--- as loaded:\n\(lab)")
            return []
        }
    }

    private func indent(_ text: String, by count: Int) -> String {
        let pad = String(repeating: " ", count: count)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
    }
}
