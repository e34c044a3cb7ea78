import XCTest
@testable import KubeCore

/// The cases of apimachinery's field selector tests, ported as data (not code):
/// `pkg/fields/selector_test.go` at kubernetes/apimachinery commit
/// eed236ceee2c19c2753a3d93ac0631dc20750454. Upstream matches a selector against a set of
/// field values; `matches(fields:)` is the same step, before klab reads the values out of an
/// object. Left out: the Go-only API (`RequiresExactMatch`, `Transform`, the empty-selector
/// predicates), which klab does not have.
final class FieldSelectorUpstreamTests: XCTestCase {
    // TestSplitTerms.
    func testSplitTerms() {
        let cases: [(String, [String])] = [
            (#"a"#, [#"a"#]),
            (#"a=avalue"#, [#"a=avalue"#]),
            (#"a=avalue,b=bvalue"#, [#"a=avalue"#, #"b=bvalue"#]),
            (#"a=avalue,b==bvalue,c!=cvalue"#, [#"a=avalue"#, #"b==bvalue"#, #"c!=cvalue"#]),
            (#""#, []),
            (#"a=a,"#, [#"a=a"#, #""#]),
            (#",a=a"#, [#""#, #"a=a"#]),
            (#"k=\,,k2=v2"#, [#"k=\,"#, #"k2=v2"#]),
            (#"k=\\,k2=v2"#, [#"k=\\"#, #"k2=v2"#]),
            (#"k=\\\,,k2=v2"#, [#"k=\\\,"#, #"k2=v2"#]),
            (#"k=\a\b\"#, [#"k=\a\b\"#]),
            (#"k=\"#, [#"k=\"#]),
            ("함=수,목=록", ["함=수", "목=록"]),
        ]
        for (selector, terms) in cases {
            XCTAssertEqual(FieldSelector.splitTerms(selector), terms, selector)
        }
    }

    // TestSplitTerm: the field, the operator and the still-escaped value.
    func testSplitTerm() {
        let cases: [(String, (String, String, String)?)] = [
            (#"a=value"#, (#"a"#, "=", #"value"#)),
            (#"b==value"#, (#"b"#, "==", #"value"#)),
            (#"c!=value"#, (#"c"#, "!=", #"value"#)),
            (#""#, nil),
            (#"a"#, nil),
            (#"k=\,"#, (#"k"#, "=", #"\,"#)),
            (#"k=\="#, (#"k"#, "=", #"\="#)),
            (#"k=\\\a\b\=\,\"#, (#"k"#, "=", #"\\\a\b\=\,\"#)),
            ("함=수", ("함", "=", "수")),
        ]
        for (term, expected) in cases {
            let split = FieldSelector.splitTerm(term)
            XCTAssertEqual(split?.field, expected?.0, term)
            XCTAssertEqual(split?.op, expected?.1, term)
            XCTAssertEqual(split?.value, expected?.2, term)
        }
    }

    // TestEscapeValue: escaping and unescaping are inverse; bad escapes are refused.
    func testEscapeValue() throws {
        let cases: [(String, String)] = [
            (#""#, #""#),
            (#"a"#, #"a"#),
            (#"="#, #"\="#),
            (#","#, #"\,"#),
            (#"\"#, #"\\"#),
            (#"\=\,\"#, #"\\\=\\\,\\"#),
        ]
        for (plain, escaped) in cases {
            XCTAssertEqual(FieldSelector.escape(plain), escaped, plain)
            XCTAssertEqual(try FieldSelector.unescape(escaped), plain, escaped)
        }
        for invalid in [#"\"#, #"\\\"#, #"\a"#] {
            XCTAssertThrowsError(try FieldSelector.unescape(invalid), invalid)
        }
    }

    // TestSelectorParse: good strings parse and print back the same; bad strings are refused.
    func testSelectorParse() throws {
        for text in ["x=a,y=b,z=c", "", "x!=a,y=b", #"x=a||y\=b"#, #"x=a\=\=b"#] {
            XCTAssertEqual(try FieldSelector(parsing: text).description, text)
        }
        for text in ["x=a||y=b", "x==a==b", "x=a,b", "x in (a)", "x in (a,b,c)", "x"] {
            XCTAssertThrowsError(try FieldSelector(parsing: text), text)
        }
    }

    // TestDeterministicParse.
    func testDeterministicParse() throws {
        let one = try FieldSelector(parsing: "x=a,a=x"), two = try FieldSelector(parsing: "a=x,x=a")
        XCTAssertEqual(Set(one.description.split(separator: ",")), Set(two.description.split(separator: ",")))
    }

    // TestEverything, TestSelectorMatches.
    func testSelectorMatches() throws {
        let fieldset = ["foo": "bar", "baz": "blah", "complex": #"=value\,\"#]
        let cases: [(String, [String: String], Bool)] = [
            ("", ["x": "y"], true),
            ("x=y", ["x": "y"], true),
            ("x=y,z=w", ["x": "y", "z": "w"], true),
            ("x!=y,z!=w", ["x": "z", "z": "a"], true),
            ("notin=in", ["notin": "in"], true),
            ("x=y", ["x": "z"], false),
            ("x=y,z=w", ["x": "w", "z": "w"], false),
            ("x!=y,z!=w", ["x": "z", "z": "w"], false),
            ("foo=bar", fieldset, true),
            ("baz=blah", fieldset, true),
            ("foo=bar,baz=blah", fieldset, true),
            (#"foo=bar,baz=blah,complex=\=value\\\,\\"#, fieldset, true),
            ("foo=blah", fieldset, false),
            ("baz=bar", fieldset, false),
            ("foo=bar,foobar=bar,baz=blah", fieldset, false),
        ]
        for (text, fields, expected) in cases {
            XCTAssertEqual(try FieldSelector(parsing: text).matches(fields: fields), expected, "\(text) on \(fields)")
        }
    }

    // TestOneTermEqualSelector, TestSetMatches: selectors built from terms rather than text.
    func testSelectorsFromTerms() {
        func equal(_ terms: [String: String]) -> FieldSelector {
            FieldSelector(terms: terms.sorted { $0.key < $1.key }.map { FieldSelector.Term(field: $0.key, negated: false, value: $0.value) })
        }
        XCTAssertTrue(equal(["x": "y"]).matches(fields: ["x": "y"]))
        XCTAssertFalse(equal(["x": "y"]).matches(fields: ["x": "z"]))
        let labelset = ["foo": "bar", "baz": "blah"]
        XCTAssertTrue(equal([:]).matches(fields: labelset))
        XCTAssertTrue(equal(["foo": "bar"]).matches(fields: labelset))
        XCTAssertTrue(equal(["baz": "blah"]).matches(fields: labelset))
        XCTAssertTrue(equal(["foo": "bar", "baz": "blah"]).matches(fields: labelset))
        XCTAssertFalse(equal(["foo": "=blah"]).matches(fields: labelset))
        XCTAssertFalse(equal(["baz": "=bar"]).matches(fields: labelset))
        XCTAssertFalse(equal(["foo": "=bar", "foobar": "bar", "baz": "blah"]).matches(fields: labelset))
    }
}
