import XCTest
import KubeJSON
@testable import KubeCore

final class LabelSelectorTests: XCTestCase {
    let web = ["app": "web", "tier": "frontend", "version": "3"]
    let db = ["app": "db", "tier": "backend"]
    let bare: [String: String] = [:]

    private func matches(_ selector: String, _ labels: [String: String], file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        try LabelSelector(parsing: selector).matches(labels)
    }

    private func parseError(_ selector: String) -> String? {
        do {
            _ = try LabelSelector(parsing: selector)
            return nil
        } catch let error as SelectorError {
            return error.syntax == .label ? error.reason : "unexpected \(error)"
        } catch {
            return "unexpected \(error)"
        }
    }

    func testEmptySelectorMatchesEverything() throws {
        XCTAssertTrue(try matches("", bare))
        XCTAssertTrue(try matches("  ", web))
    }

    func testEqualityInAllThreeSpellings() throws {
        XCTAssertTrue(try matches("app=web", web))
        XCTAssertTrue(try matches("app==web", web))
        XCTAssertFalse(try matches("app=web", db))
        XCTAssertFalse(try matches("app=web", bare))
    }

    func testInequalityAlsoMatchesObjectsWithoutTheLabel() throws {
        XCTAssertTrue(try matches("app!=web", db))
        XCTAssertTrue(try matches("app!=web", bare))
        XCTAssertFalse(try matches("app!=web", web))
    }

    func testEmptyValueMeansTheEmptyString() throws {
        XCTAssertTrue(try matches("app=", ["app": ""]))
        XCTAssertFalse(try matches("app=", web))
    }

    func testSetBasedInAndNotin() throws {
        XCTAssertTrue(try matches("tier in (frontend, backend)", web))
        XCTAssertTrue(try matches("tier in (frontend,backend)", db))
        XCTAssertFalse(try matches("tier in (cache)", web))
        XCTAssertFalse(try matches("tier in (cache)", bare))
        XCTAssertTrue(try matches("tier notin (backend)", web))
        XCTAssertTrue(try matches("tier notin (backend)", bare), "notin matches objects without the key")
        XCTAssertFalse(try matches("tier notin (backend)", db))
    }

    func testExistenceAndAbsence() throws {
        XCTAssertTrue(try matches("tier", web))
        XCTAssertFalse(try matches("tier", bare))
        XCTAssertTrue(try matches("!canary", web))
        XCTAssertFalse(try matches("!app", web))
    }

    func testCommaMeansAnd() throws {
        XCTAssertTrue(try matches("app=web,tier in (frontend),!canary", web))
        XCTAssertFalse(try matches("app=web,tier=backend", web))
    }

    func testNumericGreaterAndLess() throws {
        XCTAssertTrue(try matches("version>2", web))
        XCTAssertFalse(try matches("version<3", web))
        XCTAssertFalse(try matches("version>2", bare))
        XCTAssertFalse(try matches("app>2", web), "a non-numeric label never compares")
    }

    func testPrefixedKeys() throws {
        let node = ["eks.amazonaws.com/compute-type": "fargate"]
        XCTAssertTrue(try matches("eks.amazonaws.com/compute-type=fargate", node))
        XCTAssertTrue(try matches("!eks.amazonaws.com/nodegroup", node))
    }

    func testKeywordsAreValuesInsideSets() throws {
        XCTAssertTrue(try matches("mode in (in,notin)", ["mode": "in"]))
    }

    func testAnEmptyValueSetIsTheSetOfTheEmptyValue() throws {
        // Upstream reads `()` as {""}: `x notin (),y` selects `{y: ""}` (it was refused here).
        XCTAssertEqual(try LabelSelector(parsing: "app in ()").requirements.first?.values, [""])
        XCTAssertTrue(try matches("x notin (),y", ["y": ""]))
        XCTAssertFalse(try matches("x in ()", ["x": "a"]))
        XCTAssertTrue(try matches("x in ()", ["x": ""]))
    }

    func testKeywordsMayBeKeysAndAnyWhitespaceSeparates() throws {
        XCTAssertTrue(try matches("notin=in", ["notin": "in"]))
        XCTAssertTrue(try matches("in", ["in": "x"]))
        XCTAssertTrue(try matches("x notin\n (abc)", ["x": "b"]))
        XCTAssertTrue(try matches("x\rin (a)", ["x": "a"]))
        XCTAssertTrue(try matches("x\r\nin (a)", ["x": "a"]))
    }

    func testParseErrorsReadLikeTheAPIServers() {
        XCTAssertEqual(parseError("app in (a"), "found '', expected: ',' or ')'")
        XCTAssertEqual(parseError("app in a"), "found 'a', expected: '('")
        XCTAssertEqual(parseError("app=web,"), "found '', expected: identifier after ','")
        XCTAssertEqual(parseError("=web"), "found '=', expected: identifier")
        XCTAssertEqual(parseError("app web"), "found 'web', expected: in, notin, =, ==, !=, gt, lt")
        XCTAssertEqual(parseError("app=a b"), "found 'b', expected: ',' or 'end of string'")
        XCTAssertEqual(parseError("v>x"), "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer")
        XCTAssertTrue(parseError("-app=web")?.contains("invalid label key \"-app\"") == true)
        XCTAssertTrue(parseError("app=web!")?.hasPrefix("found '!'") == true)
        XCTAssertTrue(parseError("app=-web-")?.contains("invalid label value \"-web-\"") == true)
        XCTAssertTrue(parseError("Example.com/app=x")?.contains("prefix part") == true)
    }

    func testErrorMessageNamesTheSelector() {
        XCTAssertThrowsError(try LabelSelector(parsing: "app in (a")) { error in
            XCTAssertEqual(
                String(describing: error),
                "invalid label selector \"app in (a\": found '', expected: ',' or ')'")
        }
    }

    func testMatchesAnObjectsMetadataLabels() throws {
        let pod = try JSONParser.parse(#"{"metadata": {"labels": {"app": "web"}}}"#)
        XCTAssertTrue(try LabelSelector(parsing: "app=web").matches(object: pod))
        XCTAssertFalse(try LabelSelector(parsing: "app").matches(object: .object(.init())))
    }

    func testDescriptionRoundTrips() throws {
        let text = "app=web,tier in (a,b),!canary,x notin (y),v>1"
        XCTAssertEqual(try LabelSelector(parsing: text).description, text)
        XCTAssertEqual(try LabelSelector(parsing: LabelSelector(parsing: text).description), try LabelSelector(parsing: text))
    }
}
