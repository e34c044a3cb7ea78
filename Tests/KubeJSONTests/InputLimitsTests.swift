import Foundation
import KubeJSON
import XCTest

/// The bounds of `InputLimits` that KubeJSON enforces, each at its edge, and the reference
/// table (content/reference/limits.md) that states them all.
final class InputLimitsTests: XCTestCase {
    func testTheReferenceTableStatesEveryLimitAsTheCodeHasIt() throws {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("content/reference/limits.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        func size(_ bytes: Int) -> String {
            bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
        }
        let expected: [(String, String)] = [
            ("jsonDepth", "\(InputLimits.jsonDepth) levels"),
            ("yamlDepth", "\(InputLimits.yamlDepth) levels"),
            ("yamlParserDepth", "\(InputLimits.yamlParserDepth) levels"),
            ("yamlNodes", "\(InputLimits.yamlNodes) values"),
            ("jsonPathTemplateBytes", size(InputLimits.jsonPathTemplateBytes)),
            ("snapshotFileBytes", size(InputLimits.snapshotFileBytes)),
            ("labFileBytes", size(InputLimits.labFileBytes)),
            ("jsonInputBytes", size(InputLimits.jsonInputBytes)),
            ("programOutputBytes", size(InputLimits.programOutputBytes)),
            ("execOutputBytes", size(InputLimits.execOutputBytes)),
            ("httpBodyBytes", size(InputLimits.httpBodyBytes)),
            ("HandIn.bundleBytes", size(InputLimits.HandIn.bundleBytes)),
            ("HandIn.packObjects", "\(InputLimits.HandIn.packObjects) objects"),
            ("HandIn.bundleReferences", "\(InputLimits.HandIn.bundleReferences) references"),
            ("HandIn.objectBytes", size(InputLimits.HandIn.objectBytes)),
            ("HandIn.treeBytes", size(InputLimits.HandIn.treeBytes)),
            ("HandIn.treeDepth", "\(InputLimits.HandIn.treeDepth) levels"),
            ("HandIn.evidenceFiles", "\(InputLimits.HandIn.evidenceFiles) files"),
            ("HandIn.commits", "\(InputLimits.HandIn.commits) commits"),
            ("HandIn.gitDirectoryEntries", "\(InputLimits.HandIn.gitDirectoryEntries) entries"),
            ("HandIn.allocationBytes", size(InputLimits.HandIn.allocationBytes)),
        ]
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("`") }
        XCTAssertEqual(rows.count, expected.count, "one row per limit, no more")
        for (name, bound) in expected {
            XCTAssertTrue(rows.contains { $0.contains("| `\(name)` | \(bound) |") }, "limits.md states `\(name)` as \(bound)")
        }
    }

    func testJSONNestedToTheLimitParsesAndOneLevelMoreIsRefused() throws {
        func nested(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
        XCTAssertNoThrow(try JSONParser.parse(nested(InputLimits.jsonDepth)))
        XCTAssertThrowsError(try JSONParser.parse(nested(InputLimits.jsonDepth + 1))) { error in
            XCTAssertEqual((error as? JSONParseError)?.message, "nesting deeper than \(InputLimits.jsonDepth) levels")
        }
    }

    func testATemplateOfTheLongestLengthParsesAndOneByteMoreIsRefused() throws {
        func template(_ bytes: Int) -> String { "{.a" + String(repeating: "b", count: bytes - 4) + "}" }
        XCTAssertEqual(template(InputLimits.jsonPathTemplateBytes).utf8.count, InputLimits.jsonPathTemplateBytes)
        XCTAssertNoThrow(try JSONPath(template(InputLimits.jsonPathTemplateBytes)))
        XCTAssertThrowsError(try JSONPath(template(InputLimits.jsonPathTemplateBytes + 1))) { error in
            XCTAssertTrue((error as? JSONPathError)?.message.contains("klab reads templates of up to \(InputLimits.jsonPathTemplateBytes) bytes") == true, "\(error)")
        }
    }

    func testTheDeepestJSONIsEvaluatedWrittenAndReleasedOnADeepStack() throws {
        // Recursive descent, writing, equality and release all recurse once per level.
        let text = String(repeating: #"{"a":"#, count: InputLimits.jsonDepth - 1) + "1" + String(repeating: "}", count: InputLimits.jsonDepth - 1)
        let outcome = DeepStack.run { () -> String in
            guard let value = try? JSONParser.parse(text), let path = try? JSONPath("{..b}") else { return "unparsed" }
            guard (try? path.print(value)) == "" else { return "printed something" }
            guard JSONWriter.compact(value) == text else { return "written differently" }
            return value == (try? JSONParser.parse(text)) ? "equal" : "unequal"
        }
        XCTAssertEqual(outcome, "equal")
    }

    func testDeepStackWorkersRunEveryIterationOnce() {
        let lock = NSLock()
        var seen: [Int] = []
        DeepStack.concurrentPerform(iterations: 100) { index in
            lock.lock()
            seen.append(index)
            lock.unlock()
        }
        XCTAssertEqual(seen.sorted(), Array(0..<100))
    }
}
