import XCTest
@testable import KubeCore

/// The cases of apimachinery's label selector tests, ported as data (not code):
/// `pkg/labels/selector_test.go` at kubernetes/apimachinery commit
/// eed236ceee2c19c2753a3d93ac0631dc20750454. Each table names the Go test it comes from.
/// Left out: the lexer and lookahead tables (they test Go's internal token stream, which klab
/// does not expose), and the Go-only API (`Add`, `SafeSort`, `RequiresExactMatch`, …).
final class LabelSelectorUpstreamTests: XCTestCase {
    typealias R = LabelSelector.Requirement

    private func parse(_ text: String) -> LabelSelector? { try? LabelSelector(parsing: text) }

    /// A requirement as upstream compares them: key, operator and the set of values.
    private func shape(_ requirement: R) -> String {
        "\(requirement.key) \(requirement.op) \(Set(requirement.values).sorted())"
    }

    private func shapes(_ requirements: [R]) -> [String] { requirements.map(shape).sorted() }

    private func requirement(_ key: String, _ op: LabelSelector.Operator, _ values: [String] = []) throws -> R {
        try R(validating: key, op, values)
    }

    // TestSelectorParse: good strings parse and print back without their spaces.
    func testSelectorParseGoodStrings() {
        let good = ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"]
        for text in good {
            guard let selector = parse(text) else {
                XCTFail("\(text.debugDescription) should parse")
                continue
            }
            XCTAssertEqual(selector.description, text.replacingOccurrences(of: " ", with: ""), text)
        }
    }

    // TestSelectorParse: bad strings.
    func testSelectorParseBadStrings() {
        for text in ["x=a||y=b", "x==a==b", "!x=a", "x<a"] {
            XCTAssertNil(parse(text), text)
        }
    }

    // TestDeterministicParse: the same requirements in another order select the same.
    func testDeterministicParse() throws {
        let one = try XCTUnwrap(parse("x=a,a=x")), two = try XCTUnwrap(parse("a=x,x=a"))
        XCTAssertEqual(shapes(one.requirements), shapes(two.requirements))
    }

    // TestEverything, TestSelectorMatches.
    func testSelectorMatches() throws {
        let cases: [(String, [String: String], Bool)] = [
            ("", ["x": "y"], true),
            ("x=y", ["x": "y"], true),
            ("x=y,z=w", ["x": "y", "z": "w"], true),
            ("x!=y,z!=w", ["x": "z", "z": "a"], true),
            ("notin=in", ["notin": "in"], true),
            ("x", ["x": "z"], true),
            ("!x", ["y": "z"], true),
            ("x>1", ["x": "2"], true),
            ("x<1", ["x": "0"], true),
            ("x=z", [:], false),
            ("x=y", ["x": "z"], false),
            ("x=y,z=w", ["x": "w", "z": "w"], false),
            ("x!=y,z!=w", ["x": "z", "z": "w"], false),
            ("x", ["y": "z"], false),
            ("!x", ["x": "z"], false),
            ("x>1", ["x": "0"], false),
            ("x<1", ["x": "2"], false),
            ("foo=bar", ["foo": "bar", "baz": "blah"], true),
            ("baz=blah", ["foo": "bar", "baz": "blah"], true),
            ("foo=bar,baz=blah", ["foo": "bar", "baz": "blah"], true),
            ("foo=blah", ["foo": "bar", "baz": "blah"], false),
            ("baz=bar", ["foo": "bar", "baz": "blah"], false),
            ("foo=bar,foobar=bar,baz=blah", ["foo": "bar", "baz": "blah"], false),
        ]
        XCTAssertTrue(LabelSelector.everything.matches(["x": "y"]))
        for (text, labels, expected) in cases {
            let selector = try XCTUnwrap(parse(text), text)
            XCTAssertEqual(selector.matches(labels), expected, "\(text) on \(labels)")
        }
    }

    // TestRequirementConstructor: which requirements may exist at all.
    func testRequirementConstructor() {
        let long = String(repeating: "a", count: 254)
        let cases: [(String, LabelSelector.Operator, [String], Bool)] = [
            ("x1", .in, [], false),
            ("x2", .notIn, [], false),
            ("x3", .in, ["foo"], true),
            ("x4", .notIn, ["foo"], true),
            ("x5", .equals, ["bar", "foo"], false),
            ("x6", .exists, [], true),
            ("x7", .doesNotExist, [], true),
            ("x8", .exists, ["foo"], false),
            ("x9", .in, ["bar"], true),
            ("x10", .in, ["bar"], true),
            ("x11", .greaterThan, ["1"], true),
            ("x12", .lessThan, ["6"], true),
            ("x13", .greaterThan, [], false),
            ("x14", .greaterThan, ["bar"], false),
            ("x15", .lessThan, ["bar"], false),
            (long, .exists, [], false),
            ("x16", .equals, [long], false),
            ("x17", .equals, ["a b"], false),
            // x18, an operator outside the enumeration, cannot be written in Swift.
        ]
        for (key, op, values, valid) in cases {
            XCTAssertEqual((try? R(validating: key, op, values)) != nil, valid, "\(key.prefix(8)) \(op) \(values)")
        }
    }

    // TestToString (the valid selectors; the one built with an empty requirement cannot be built here).
    func testToString() throws {
        let cases: [([R], String)] = [
            ([try requirement("x", .in, ["abc", "def"]), try requirement("y", .notIn, ["jkl"]), try requirement("z", .exists)],
             "x in (abc,def),y notin (jkl),z"),
            ([try requirement("x", .notIn, ["abc", "def"]), try requirement("y", .notEquals, ["jkl"]), try requirement("z", .doesNotExist)],
             "x notin (abc,def),y!=jkl,!z"),
            ([try requirement("x", .notIn, ["abc"]), try requirement("y", .in, ["jkl", "mno"]), try requirement("z", .notIn, [""])],
             "x notin (abc),y in (jkl,mno),z notin ()"),
            ([try requirement("x", .equals, ["abc"]), try requirement("y", .doubleEquals, ["jkl"]),
              try requirement("z", .notEquals, ["a"]), try requirement("z", .exists)],
             "x=abc,y==jkl,z!=a,z"),
            ([try requirement("x", .greaterThan, ["2"]), try requirement("y", .lessThan, ["8"]), try requirement("z", .exists)],
             "x>2,y<8,z"),
        ]
        for (requirements, text) in cases {
            XCTAssertEqual(LabelSelector(requirements: requirements).description, text)
        }
    }

    // TestRequirementSelectorMatching (the selector of one empty requirement cannot be built here).
    func testRequirementSelectorMatching() throws {
        let cases: [([String: String], [R], Bool)] = [
            (["x": "foo", "y": "baz"], [try requirement("x", .in, ["foo"]), try requirement("y", .notIn, ["alpha"])], true),
            (["x": "foo", "y": "baz"], [try requirement("x", .in, ["foo"]), try requirement("y", .in, ["alpha"])], false),
            (["y": ""], [try requirement("x", .notIn, [""]), try requirement("y", .exists)], true),
            (["y": ""], [try requirement("x", .doesNotExist), try requirement("y", .exists)], true),
            (["y": ""], [try requirement("x", .notIn, [""]), try requirement("y", .doesNotExist)], false),
            (["y": "baz"], [try requirement("x", .in, [""])], false),
            (["z": "2"], [try requirement("z", .greaterThan, ["1"])], true),
            (["z": "v2"], [try requirement("z", .greaterThan, ["1"])], false),
        ]
        for (labels, requirements, expected) in cases {
            XCTAssertEqual(LabelSelector(requirements: requirements).matches(labels), expected, "\(requirements) on \(labels)")
        }
    }

    // TestSetSelectorParser: (text, the requirements it must give or nil for "any", valid).
    func testSetSelectorParser() throws {
        let cases: [(String, [R]?, Bool)] = [
            ("", [], true),
            ("\rx", [try requirement("x", .exists)], true),
            ("this-is-a-dns.domain.com/key-with-dash", [try requirement("this-is-a-dns.domain.com/key-with-dash", .exists)], true),
            ("this-is-another-dns.domain.com/key-with-dash in (so,what)",
             [try requirement("this-is-another-dns.domain.com/key-with-dash", .in, ["so", "what"])], true),
            ("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
             [try requirement("0.1.2.domain/99", .notIn, ["10.10.100.1", "tick.tack.clock"])], true),
            ("foo  in\t (abc)", [try requirement("foo", .in, ["abc"])], true),
            ("x notin\n (abc)", [try requirement("x", .notIn, ["abc"])], true),
            ("x  notin\t\t\t(abc,def)", [try requirement("x", .notIn, ["abc", "def"])], true),
            ("x in (abc,def)", [try requirement("x", .in, ["abc", "def"])], true),
            ("x in (abc,)", [try requirement("x", .in, ["abc", ""])], true),
            ("x in (abc,abc)", [try requirement("x", .in, ["abc"])], true),
            ("x in ()", [try requirement("x", .in, [""])], true),
            ("x in (a,,)", [try requirement("x", .in, ["a", ""])], true),
            ("x in (a,,,)", [try requirement("x", .in, ["a", ""])], true),
            ("x in (a,,,,,,)", [try requirement("x", .in, ["a", ""])], true),
            ("x in (a,,a,,a,,a,,)", [try requirement("x", .in, ["a", ""])], true),
            ("x notin (abc,,def),bar,z in (),w",
             [try requirement("bar", .exists), try requirement("w", .exists),
              try requirement("x", .notIn, ["abc", "", "def"]), try requirement("z", .in, [""])], true),
            ("x,y in (a)", nil, true),
            ("x=a", [try requirement("x", .equals, ["a"])], true),
            ("x>1", [try requirement("x", .greaterThan, ["1"])], true),
            ("x<7", [try requirement("x", .lessThan, ["7"])], true),
            ("x=a,y!=b", [try requirement("x", .equals, ["a"]), try requirement("y", .notEquals, ["b"])], true),
            ("x=a,y!=b,z in (h,i,j)",
             [try requirement("x", .equals, ["a"]), try requirement("y", .notEquals, ["b"]), try requirement("z", .in, ["h", "i", "j"])], true),
            ("x=a||y=b", nil, false),
            ("x,,y", nil, false),
            (",x,y", nil, false),
            ("x nott in (y)", nil, false),
            ("x notin ( )", [try requirement("x", .notIn, [""])], true),
            ("x notin (, a)", [try requirement("x", .notIn, ["", "a"])], true),
            ("a in (xyz),", nil, false),
            ("a in (xyz)b notin ()", nil, false),
            ("a ", [try requirement("a", .exists)], true),
            ("a in (x,y,notin, z,in)", [try requirement("a", .in, ["in", "notin", "x", "y", "z"])], true),
            ("a in (xyz abc)", nil, false),
            ("a notin(", nil, false),
            ("a (", nil, false),
            ("(", nil, false),
        ]
        for (text, expected, valid) in cases {
            let parsed = parse(text)
            XCTAssertEqual(parsed != nil, valid, "Parse(\(text.debugDescription))")
            if let parsed, let expected {
                XCTAssertEqual(shapes(parsed.requirements), shapes(expected), text.debugDescription)
            }
        }
    }
}
