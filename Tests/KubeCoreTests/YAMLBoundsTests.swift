import KubeCore
import KubeJSON
import XCTest

/// YAML past `InputLimits.yamlDepth` or `InputLimits.yamlNodes` is refused before it is composed.
final class YAMLBoundsTests: XCTestCase {
    func testABillionLaughsIsRefusedWithoutExpandingIt() throws {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        let violation = try XCTUnwrap(YAMLBounds.check(text))
        XCTAssertTrue(violation.message.hasPrefix("the document expands to more than \(InputLimits.yamlNodes) values"), violation.message)
        XCTAssertThrowsError(try KubeDocuments.parse(Data(text.utf8), source: "bomb.yaml")) { error in
            XCTAssertTrue("\(error)".contains("expands to more than"), "\(error)")
        }
    }

    func testTheNodeCountFollowsAliasesExactly() {
        // 1 mapping + key + 3-item list (4 values) + key + alias of those 4 = 11 values.
        let text = "a: &x [1, 2, 3]\nb: *x\n"
        XCTAssertNil(YAMLBounds.check(text, maxNodes: 11))
        XCTAssertEqual(YAMLBounds.check(text, maxNodes: 10)?.line, 2, "the alias that passes the bound is named")
    }

    func testNestingToTheLimitIsReadAndDeeperIsRefused() throws {
        func flow(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
        XCTAssertNil(YAMLBounds.check(flow(InputLimits.yamlDepth)))
        XCTAssertNoThrow(try KubeDocuments.parse(Data(("x: " + flow(InputLimits.yamlDepth - 1)).utf8), source: "deep.yaml"))
        XCTAssertNoThrow(try KubeDocuments.parse(Data(flow(InputLimits.yamlDepth).utf8), source: "deep.yaml"), "libyaml's own limit is not met first")
        let violation = try XCTUnwrap(YAMLBounds.check(flow(InputLimits.yamlDepth + 1)))
        XCTAssertEqual(violation.message, "collections nested deeper than \(InputLimits.yamlDepth) levels")
        // A smaller bound of our own is counted on the events.
        XCTAssertNil(YAMLBounds.check("a:\n  b:\n    c: 1\n", maxDepth: 3))
        XCTAssertEqual(YAMLBounds.check("a:\n  b:\n    c: [1]\n", maxDepth: 3)?.message, "collections nested deeper than 3 levels")
    }

    func testTooDeepYAMLIsRefusedWhereItPassesTheBoundNotAtItsStart() throws {
        // libyaml's scanner reads up to 1,024 characters ahead of its parser; with its limit
        // equal to ours it fired at the first bracket (line 1, column 1).
        let flow = try XCTUnwrap(YAMLBounds.check(String(repeating: "[", count: 100_000)))
        XCTAssertEqual(flow.message, "collections nested deeper than \(InputLimits.yamlDepth) levels")
        XCTAssertEqual([flow.line, flow.column], [1, InputLimits.yamlDepth + 1], "the first bracket past the bound")
        var block = ""
        for level in 0..<3_000 { block += String(repeating: " ", count: level) + "a:\n" }
        let violation = try XCTUnwrap(YAMLBounds.check(block))
        XCTAssertEqual(violation.message, "collections nested deeper than \(InputLimits.yamlDepth) levels")
        XCTAssertEqual(violation.line, InputLimits.yamlDepth + 1, "the line of the first mapping past the bound")
        XCTAssertThrowsError(try KubeDocuments.parse(Data(block.utf8), source: "deep.yaml")) { error in
            XCTAssertEqual((error as? KubeDocumentError)?.line, InputLimits.yamlDepth + 1, "\(error)")
        }
    }

    func testSyntaxErrorsAreLeftToTheParserThatNamesThem() {
        XCTAssertNil(YAMLBounds.check("a: [1, 2\n"))
    }
}
