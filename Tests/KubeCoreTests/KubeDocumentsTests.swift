import Foundation
import XCTest
@testable import KubeCore
import KubeJSON

/// Expected values are what kubectl v1.32 printed for the same input with
/// `kubectl label --local -f X.yaml zzprobe- -o json` (and `-o jsonpath` to tell ints from
/// floats).
final class KubeDocumentsTests: XCTestCase {
    private func documents(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [JSONValue] {
        do {
            return try KubeDocuments.parse(Data(text.utf8), source: "test.yaml")
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return []
        }
    }

    /// The `data` map of a one-document YAML whose `data:` block is `body`.
    private func data(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> JSONObject {
        let docs = documents("apiVersion: v1\nkind: ConfigMap\ndata:\n" + body, file: file, line: line)
        guard docs.count == 1, let object = docs[0]["data"]?.objectValue else {
            XCTFail("expected one document with a data map, got \(docs)", file: file, line: line)
            return JSONObject()
        }
        return object
    }

    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> KubeDocumentError? {
        do {
            let docs = try KubeDocuments.parse(Data(text.utf8), source: "bad.yaml")
            XCTFail("expected an error, got \(docs)", file: file, line: line)
        } catch let error as KubeDocumentError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: JSON

    func testJSONIsReadByTheJSONParser() throws {
        let docs = documents(" \n{\"kind\": \"Pod\", \"a\": 1.0, \"b\": 1e3}")
        XCTAssertEqual(docs.count, 1)
        // In JSON, 1.0 stays a float (kubectl prints 1.5e6 from JSON as 1.5e+06).
        XCTAssertEqual(docs[0]["a"], .double(1))
        XCTAssertEqual(docs[0]["b"], .double(1000))
    }

    func testConcatenatedJSONObjects() {
        let docs = documents("{\"kind\": \"Pod\"}\n{\"kind\": \"Service\"}\n")
        XCTAssertEqual(docs.map { $0["kind"] }, [.string("Pod"), .string("Service")])
    }

    func testJSONErrorsNameTheSourceAndLine() throws {
        let error = try XCTUnwrap(self.error("{\"kind\": \"Pod\",\n  \"a\": tru}"))
        XCTAssertEqual(error.format, .json)
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.column, 8)
        XCTAssertEqual(error.description, "invalid JSON in bad.yaml at line 2, column 8: invalid literal, expecting 'true'")
    }

    // MARK: YAML numbers

    func testIntegers() {
        let d = data("  i: 42\n  neg: -17\n  plus: +12\n  under: 1_000\n  neg0: -0\n  lead: 007\n  o8: 08\n  o9: 019\n")
        XCTAssertEqual(d["i"], .int(42))
        XCTAssertEqual(d["neg"], .int(-17))
        XCTAssertEqual(d["plus"], .int(12))
        XCTAssertEqual(d["under"], .int(1000))
        XCTAssertEqual(d["neg0"], .int(0))
        XCTAssertEqual(d["lead"], .int(7))
        // Not octal, so read as floats, which are integral: kubectl prints 8 and 19.
        XCTAssertEqual(d["o8"], .int(8))
        XCTAssertEqual(d["o9"], .int(19))
    }

    func testOctalHexAndBinary() {
        let d = data("  oct: 0755\n  oct2: 0o755\n  hex: 0x1F\n  hexneg: -0x1F\n  hexplus: +0x1F\n  bin: 0b101\n  b2: 0b2\n")
        XCTAssertEqual(d["oct"], .int(493))
        XCTAssertEqual(d["oct2"], .int(493))
        XCTAssertEqual(d["hex"], .int(31))
        XCTAssertEqual(d["hexneg"], .int(-31))
        XCTAssertEqual(d["hexplus"], .int(31))
        XCTAssertEqual(d["bin"], .int(5))
        XCTAssertEqual(d["b2"], .string("0b2"))
    }

    func testIntegralFloatsBecomeIntegers() {
        // sigs.k8s.io/yaml writes JSON, kubectl reads it back: 1.0 and 1.5e6 are integers.
        let d = data("  f1: 1.0\n  e: 1e3\n  e2: 1.0e+3\n  e6: 1.5E6\n  float3: 3.\n  dote: .5e1\n  zero: 0.0\n  negf0: -0.0\n")
        XCTAssertEqual(d["f1"], .int(1))
        XCTAssertEqual(d["e"], .int(1000))
        XCTAssertEqual(d["e2"], .int(1000))
        XCTAssertEqual(d["e6"], .int(1_500_000))
        XCTAssertEqual(d["float3"], .int(3))
        XCTAssertEqual(d["dote"], .int(5))
        XCTAssertEqual(d["zero"], .int(0))
        XCTAssertEqual(d["negf0"], .int(0))
    }

    func testFloats() {
        let d = data("  f: 1.5\n  dot: .5\n  negdot: -.5\n  us: 1_0.5\n  e3: 6.02e23\n  ex: 1e21\n  ex2: 1e20\n  tiny: 1e-7\n  small: 0.000001\n")
        XCTAssertEqual(d["f"], .double(1.5))
        XCTAssertEqual(d["dot"], .double(0.5))
        XCTAssertEqual(d["negdot"], .double(-0.5))
        XCTAssertEqual(d["us"], .double(10.5))
        XCTAssertEqual(d["e3"], .double(6.02e23))
        XCTAssertEqual(d["ex"], .double(1e21))
        // 100000000000000000000 does not fit an int64: kubectl prints 1e+20.
        XCTAssertEqual(d["ex2"], .double(1e20))
        XCTAssertEqual(d["tiny"], .double(1e-7))
        XCTAssertEqual(d["small"], .double(0.000001))
    }

    func testBigNumbers() {
        let d = data("  big: 9223372036854775808\n  big2: 12345678901234567890123\n  u64: 18446744073709551615\n  max: 9223372036854775807\n")
        XCTAssertEqual(d["big"], .double(9_223_372_036_854_775_808))
        XCTAssertEqual(d["big2"], .double(1.2345678901234568e22))
        XCTAssertEqual(d["u64"], .double(18_446_744_073_709_551_615))
        XCTAssertEqual(d["max"], .int(Int64.max))
    }

    func testThingsThatLookLikeNumbersButAreStrings() {
        let d = data("  e4: 1E400\n  e5: 1e\n  strnum: 12abc\n  sixty: 1:20\n  ts: 2024-01-01\n  ts2: 2024-01-01T10:00:00Z\n  ts3: 2001-12-14 21:59:43.10 -5\n  ver: 1.2.3\n")
        XCTAssertEqual(d["e4"], .string("1E400"))
        XCTAssertEqual(d["e5"], .string("1e"))
        XCTAssertEqual(d["strnum"], .string("12abc"))
        XCTAssertEqual(d["sixty"], .string("1:20"))
        XCTAssertEqual(d["ts"], .string("2024-01-01"))
        XCTAssertEqual(d["ts2"], .string("2024-01-01T10:00:00Z"))
        XCTAssertEqual(d["ts3"], .string("2001-12-14 21:59:43.10 -5"))
        XCTAssertEqual(d["ver"], .string("1.2.3"))
    }

    func testInfinityCannotBecomeJSON() throws {
        // kubectl: error converting YAML to JSON: json: unsupported value: +Inf
        let error = try XCTUnwrap(self.error("kind: ConfigMap\ndata:\n  inf: .inf\n"))
        XCTAssertEqual(error.line, 3)
        XCTAssertTrue(error.description.contains("+Inf"), error.description)
        XCTAssertNotNil(self.error("a: -.Inf\n"))
        XCTAssertNotNil(self.error("a: .NaN\n"))
    }

    // MARK: YAML booleans, nulls and strings

    func testYAML11Booleans() {
        let d = data("  y1: yes\n  n1: no\n  o1: on\n  o2: off\n  yy: y\n  nn: N\n  t: true\n  T: True\n  TT: TRUE\n  tl: tRue\n")
        XCTAssertEqual(d["y1"], .bool(true))
        XCTAssertEqual(d["n1"], .bool(false))
        XCTAssertEqual(d["o1"], .bool(true))
        XCTAssertEqual(d["o2"], .bool(false))
        XCTAssertEqual(d["yy"], .bool(true))
        XCTAssertEqual(d["nn"], .bool(false))
        XCTAssertEqual(d["t"], .bool(true))
        XCTAssertEqual(d["T"], .bool(true))
        XCTAssertEqual(d["TT"], .bool(true))
        XCTAssertEqual(d["tl"], .string("tRue"))
    }

    func testNulls() {
        let d = data("  a: ~\n  b: null\n  c: Null\n  d: NULL\n  e:\n  f: \"~\"\n  g: nULL\n")
        for key in ["a", "b", "c", "d", "e"] { XCTAssertEqual(d[key], .null, key) }
        XCTAssertEqual(d["f"], .string("~"))
        XCTAssertEqual(d["g"], .string("nULL"))
    }

    func testQuotedAndTaggedScalars() {
        let d = data("  q: \"42\"\n  sq: '42'\n  str2: \"yes\"\n  tagged: !!str 123\n  tagged2: !!int \"12\"\n  tagged3: !!float 3\n  tagged4: !!float 2.5\n")
        XCTAssertEqual(d["q"], .string("42"))
        XCTAssertEqual(d["sq"], .string("42"))
        XCTAssertEqual(d["str2"], .string("yes"))
        XCTAssertEqual(d["tagged"], .string("123"))
        XCTAssertEqual(d["tagged2"], .int(12))
        XCTAssertEqual(d["tagged3"], .int(3))
        XCTAssertEqual(d["tagged4"], .double(2.5))
        XCTAssertNotNil(error("a: !!int abc\n"))
    }

    func testBlockScalars() {
        let d = data("  multi: |\n    line1\n    line2\n  folded: >\n    a\n    b\n")
        XCTAssertEqual(d["multi"], .string("line1\nline2\n"))
        XCTAssertEqual(d["folded"], .string("a b\n"))
    }

    // MARK: Keys

    func testKeysBecomeStrings() {
        let d = data("  1: numkey\n  1.5: floatkey\n  0x10: hexkey\n  1e6: big\n  0.1: tenth\n  3.14159265358979: pi\n  .inf: inf\n  1e400: huge\n")
        XCTAssertEqual(d["1"], .string("numkey"))
        XCTAssertEqual(d["1.5"], .string("floatkey"))
        XCTAssertEqual(d["16"], .string("hexkey"))
        XCTAssertEqual(d["1e+06"], .string("big"))
        XCTAssertEqual(d["0.1"], .string("tenth"))
        // Float keys are printed with float32 precision.
        XCTAssertEqual(d["3.1415927"], .string("pi"))
        XCTAssertEqual(d[".inf"], .string("inf"))
        XCTAssertEqual(d["1e400"], .string("huge"))
    }

    func testBooleanKeysAndLastValueWins() {
        // y, yes, on and true are all the key "true"; off and n are "false"; the last one wins.
        let d = data("  y: yes\n  n: no\n  on: on\n  off: off\n  Y: Y\n  true: boolkey\n")
        XCTAssertEqual(d["true"], .string("boolkey"))
        XCTAssertEqual(d["false"], .bool(false))
        XCTAssertEqual(d.count, 2)
    }

    func testUnsupportedKeys() throws {
        let nullKey = try XCTUnwrap(error("kind: ConfigMap\ndata:\n  ~: nullkey\n"))
        XCTAssertEqual(nullKey.line, 3)
        XCTAssertNotNil(error("a:\n  18446744073709551615: a\n"))
        XCTAssertNotNil(error("? [1, 2]\n: list\n"))
    }

    func testKeyOrderIsKept() {
        let d = data("  zeta: 1\n  alpha: 2\n  mid: 3\n")
        XCTAssertEqual(d.keys, ["zeta", "alpha", "mid"])
    }

    // MARK: Anchors and merge keys

    func testAliasesAndMergeKeys() {
        let d = data("  alias: &A {x: 1, z: [1, 2]}\n  ref: *A\n  merged:\n    <<: *A\n    x: 5\n  multi:\n    <<: [{a: 1}, {a: 2, b: 2}]\n")
        let a = JSONValue.object(JSONObject([("x", .int(1)), ("z", .array([.int(1), .int(2)]))]))
        XCTAssertEqual(d["alias"], a)
        XCTAssertEqual(d["ref"], a)
        XCTAssertEqual(d["merged"], .object(JSONObject([("x", .int(5)), ("z", .array([.int(1), .int(2)]))])))
        // In a list of merged maps the first one wins.
        XCTAssertEqual(d["multi"], .object(JSONObject([("a", .int(1)), ("b", .int(2))])))
    }

    // MARK: Documents and errors

    func testMultipleDocumentsSkipEmptyOnes() {
        let docs = documents("---\n---\n# c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n\n---\nkind: ConfigMap\nmetadata:\n  name: y2\n...\n")
        XCTAssertEqual(docs.map { $0["metadata"]?["name"] }, [.string("x"), .string("y2")])
    }

    func testEmptyInputHasNoDocuments() {
        XCTAssertEqual(documents(""), [])
        XCTAssertEqual(documents("# only a comment\n"), [])
    }

    func testYAMLErrorsNameTheSourceAndLine() throws {
        // kubectl: yaml: line 5: mapping values are not allowed in this context
        let error = try XCTUnwrap(self.error("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: [\n"))
        XCTAssertEqual(error.format, .yaml)
        XCTAssertEqual(error.line, 5)
        XCTAssertTrue(error.description.hasPrefix("invalid YAML in bad.yaml at line 5"), error.description)
    }

    func testDuplicateKeysAreReportedNotSilentlyMerged() throws {
        let error = try XCTUnwrap(self.error("kind: ConfigMap\ndata:\n  a: 1\n  a: 2\n"))
        XCTAssertTrue(error.message.contains("\"a\""), error.message)
        XCTAssertEqual(error.line, 3)
    }

    func testNonUTF8YAMLIsRefused() throws {
        do {
            _ = try KubeDocuments.parse(Data([0x61, 0x3A, 0x20, 0xFF, 0xFE]), source: "bin.yaml")
            XCTFail("expected an error")
        } catch let error as KubeDocumentError {
            XCTAssertTrue(error.description.contains("bin.yaml"), error.description)
        }
    }

    // MARK: Files read mapped

    private func temporaryFile(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("klab-mapped-\(UUID().uuidString).json")
        try data.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testABigFileReadMappedGivesWhatItsBytesGive() throws {
        // 12 MB, so the pages read are given back three times along the way.
        var text = "{\"kind\": \"List\", \"items\": [\n"
        for n in 0..<60_000 {
            text += (n > 0 ? ",\n" : "") + #"    {"metadata": {"name": "pod-\#(n)", "labels": {"app": "web-\#(n % 13)"}}, "spec": {"nodeName": "ip-10-0-\#(n % 250)-1.ec2.internal", "padding": "\#(String(repeating: "x", count: 100))"}}"#
        }
        text += "\n]}\n"
        let data = Data(text.utf8)
        XCTAssertGreaterThan(data.count, 12 << 20)
        let path = try temporaryFile(data)
        let mapped = try XCTUnwrap(try KubeDocuments.parse(contentsOfFile: path))
        XCTAssertEqual(mapped, try KubeDocuments.parse(data, source: path))
        XCTAssertEqual(mapped.first?["items"]?[59_999]?["metadata"]?["name"], .string("pod-59999"))

        // An error past the pages given back still gets its line right: they are read again.
        let broken = try temporaryFile(Data((text.dropLast(3) + ",}\n").utf8))
        XCTAssertThrowsError(try KubeDocuments.parse(contentsOfFile: broken)) { error in
            let error = error as? KubeDocumentError
            XCTAssertEqual(error?.line, 60_002, "\(String(describing: error))")
        }
    }

    func testFilesThatCannotBeMappedAreLeftToTheCaller() throws {
        XCTAssertNil(try KubeDocuments.parse(contentsOfFile: "/nonexistent/pods.json"))
        XCTAssertNil(try KubeDocuments.parse(contentsOfFile: FileManager.default.temporaryDirectory.path), "a directory")
        XCTAssertEqual(try KubeDocuments.parse(contentsOfFile: try temporaryFile(Data())), [], "empty: no documents")
        XCTAssertEqual(try KubeDocuments.parse(contentsOfFile: try temporaryFile(Data("a: 1\n".utf8))), [.object(JSONObject([("a", .int(1))]))])
    }
}
