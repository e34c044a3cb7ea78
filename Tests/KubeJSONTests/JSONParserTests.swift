import XCTest
@testable import KubeJSON

/// Expected values were read from kubectl v1.32 (`kubectl label --local -f X.json zzprobe-
/// -o json` and `-o jsonpath='{.a}'`), whose decoder this parser follows.
final class JSONParserTests: XCTestCase {
    private func value(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue? {
        do {
            return try JSONParser.parse(json)
        } catch {
            XCTFail("\(json): \(error)", file: file, line: line)
            return nil
        }
    }

    private func parseError(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> JSONParseError? {
        do {
            let v = try JSONParser.parse(json)
            XCTFail("\(json) parsed as \(v), expected an error", file: file, line: line)
        } catch let error as JSONParseError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: Numbers

    func testIntegersStayIntegers() {
        XCTAssertEqual(value("0"), .int(0))
        XCTAssertEqual(value("42"), .int(42))
        XCTAssertEqual(value("-17"), .int(-17))
        // kubectl: "-0" is strconv.ParseInt's 0, an integer.
        XCTAssertEqual(value("-0"), .int(0))
        XCTAssertEqual(value("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(value("-9223372036854775808"), .int(Int64.min))
    }

    func testNumbersWithFractionOrExponentAreFloats() {
        // kubectl prints {.a} of 1.0 as "1" but keeps it a float64: 1.5e6 prints 1.5e+06.
        XCTAssertEqual(value("1.0"), .double(1))
        XCTAssertEqual(value("1e3"), .double(1000))
        XCTAssertEqual(value("1E2"), .double(100))
        XCTAssertEqual(value("1.0e+2"), .double(100))
        XCTAssertEqual(value("1.5e6"), .double(1.5e6))
        XCTAssertEqual(value("0.1"), .double(0.1))
        XCTAssertEqual(value("1e-7"), .double(1e-7))
        guard case .double(let negativeZero) = value("-0.0") else { return XCTFail("-0.0 is a float") }
        XCTAssertEqual(negativeZero.sign, .minus)
    }

    func testIntegersBeyondInt64BecomeFloats() {
        XCTAssertEqual(value("9223372036854775808"), .double(9_223_372_036_854_775_808))
        XCTAssertEqual(value("-9223372036854775809"), .double(-0x1p63))
        XCTAssertEqual(value("100000000000000000000000"), .double(1e23))
    }

    func testFloatExtremes() {
        XCTAssertEqual(value("1.7976931348623157e308"), .double(.greatestFiniteMagnitude))
        XCTAssertEqual(value("5e-324"), .double(.leastNonzeroMagnitude))
        // Underflow is zero for Go too.
        XCTAssertEqual(value("1e-400"), .double(0))
    }

    func testFloatOverflowIsAnError() throws {
        // kubectl: json: cannot unmarshal number 1E400 into Go value of type float64
        let error = try XCTUnwrap(parseError(#"{"a": 1E400}"#))
        XCTAssertEqual(error.column, 7)
        XCTAssertTrue(error.message.contains("1E400"), error.message)
        XCTAssertNotNil(parseError("-1e400"))
    }

    func testMalformedNumbersAreRejected() {
        for bad in ["01", "1.", ".5", "+1", "1e", "1e+", "-", "NaN", "Infinity", "0x10", "1.e5", "--1"] {
            XCTAssertNotNil(parseError(bad), bad)
        }
    }

    // MARK: Strings

    func testEscapes() {
        XCTAssertEqual(value(#""a\"b\\c\/d\b\f\n\r\t""#), .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        XCTAssertEqual(value(#""\u00e9\u0041""#), .string("éA"))
        XCTAssertEqual(value(#""caf\u00e9 ok""#), .string("café ok"))
    }

    func testSurrogatePairsCombine() {
        XCTAssertEqual(value(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(value(#""\uD83D\uDE00!""#), .string("😀!"))
    }

    func testLoneSurrogatesBecomeReplacementCharacters() {
        // kubectl prints U+FFFD for each, and keeps what follows.
        XCTAssertEqual(value(#""\ud800""#), .string("\u{FFFD}"))
        XCTAssertEqual(value(#""\udc00x""#), .string("\u{FFFD}x"))
        XCTAssertEqual(value(#""\ud800\u0041""#), .string("\u{FFFD}A"))
        XCTAssertEqual(value(#""\ud800\ud800\udc00""#), .string("\u{FFFD}\u{10000}"))
    }

    func testRawUTF8PassesThroughAndInvalidBytesAreReplaced() throws {
        XCTAssertEqual(value("\"é😀\""), .string("é😀"))
        let bytes: [UInt8] = [0x22, 0xFF, 0x6F, 0x6B, 0x22]
        XCTAssertEqual(try JSONParser.parse(bytes: bytes), .string("\u{FFFD}ok"))
    }

    func testBadStrings() throws {
        XCTAssertNotNil(parseError(#""\x""#))
        XCTAssertNotNil(parseError(#""\u12""#))
        XCTAssertNotNil(parseError(#""\u12G4""#))
        XCTAssertNotNil(parseError("\"tab\there\""))
        let unterminated = try XCTUnwrap(parseError("{\"a\": \"open"))
        XCTAssertEqual(unterminated.column, 7)
        XCTAssertTrue(unterminated.message.contains("unterminated"), unterminated.message)
    }

    // MARK: Structure

    func testObjectsKeepKeyOrder() throws {
        let object = try XCTUnwrap(value(#"{"zeta": 1, "alpha": [true, false, null], "mid": {}}"#)?.objectValue)
        XCTAssertEqual(object.keys, ["zeta", "alpha", "mid"])
        XCTAssertEqual(object["alpha"], .array([.bool(true), .bool(false), .null]))
        XCTAssertEqual(object["mid"], .object(JSONObject()))
    }

    func testDuplicateKeysKeepTheLastValue() throws {
        // Go replaces the whole value: kubectl prints "b": {"y": 2}, not a merge.
        let object = try XCTUnwrap(value(#"{"a": 1, "b": {"x": 1}, "a": 2, "b": {"y": 2}}"#)?.objectValue)
        XCTAssertEqual(object.keys, ["a", "b"])
        XCTAssertEqual(object["a"], .int(2))
        XCTAssertEqual(object["b"], .object(JSONObject([("y", .int(2))])))
    }

    func testDuplicateKeysInObjectsOfAShapeSeenBefore() throws {
        // Duplicates are looked for when an object closes with a shape not seen before; the
        // shape kept is the one without them. Every object here must still come out as Go's.
        let json = #"[{"a": 1, "b": 2}, {"a": 1, "b": 2, "a": [3]}, {"a": 1, "b": 2, "a": [3]}, {"b": 0, "a": 1, "a": 2, "c": 3, "a": {"x": 4}, "b": 5}, {"a": 6, "b": 7}]"#
        let items = try XCTUnwrap(value(json)?.arrayValue)
        XCTAssertEqual(items.count, 5)
        for n in 1...2 {
            XCTAssertEqual(items[n].objectValue?.keys, ["a", "b"])
            XCTAssertEqual(items[n]["a"], .array([.int(3)]))
            XCTAssertEqual(items[n]["b"], .int(2))
        }
        XCTAssertEqual(items[3].objectValue?.keys, ["b", "a", "c"])
        XCTAssertEqual(items[3].objectValue?.values, [.int(5), .object(JSONObject([("x", .int(4))])), .int(3)])
        XCTAssertEqual(items[4].objectValue?.values, [.int(6), .int(7)])
    }

    func testLongKeysAreSharedButStayDistinct() throws {
        let json = #"[{"terminationMessagePolicy": 1, "terminationMessagePolicz": 2}, {"terminationMessagePolicy": 3}]"#
        let items = try XCTUnwrap(value(json)?.arrayValue)
        XCTAssertEqual(items[0].objectValue?.keys, ["terminationMessagePolicy", "terminationMessagePolicz"])
        XCTAssertEqual(items[1]["terminationMessagePolicy"], .int(3))
    }

    func testKeysThatDecodeAlikeAreOneKey() throws {
        // Go compares keys after unescaping and after replacing invalid UTF-8 with U+FFFD.
        let escaped = try XCTUnwrap(value(#"{"ab": 1, "a\u0062": 2, "abc": 3}"#)?.objectValue)
        XCTAssertEqual(escaped.keys, ["ab", "abc"])
        XCTAssertEqual(escaped["ab"], .int(2))
        let invalid: [UInt8] = Array(#"{""#.utf8) + [0xFF] + Array(#"": 1, ""#.utf8) + [0xFE] + Array(#"": 2}"#.utf8)
        let object = try XCTUnwrap(try JSONParser.parse(bytes: invalid).objectValue)
        XCTAssertEqual(object.keys, ["\u{FFFD}"])
        XCTAssertEqual(object["\u{FFFD}"], .int(2))
    }

    func testKeysPushedOutOfTheKeyTableAreReadAgainFromTheInput() throws {
        // A small input's key table has 64 slots: an object of 300 distinct keys pushes most
        // of its own keys out before it closes, and they are read again from the input. Plain,
        // escaped, non-ASCII and long keys, and duplicates written another way, all come out
        // as Go's decoder gives them (first position, last value), in both objects.
        var pairs: [(String, String, JSONValue)] = []  // (as written, decoded, value)
        for n in 0..<300 {
            switch n % 4 {
            case 0: pairs.append(("key-\(n)", "key-\(n)", .int(Int64(n))))
            case 1: pairs.append(("k\\u0065y-\(n)", "key-\(n)", .int(Int64(n))))
            case 2: pairs.append(("ключ-\(n)", "ключ-\(n)", .string("v\(n)")))
            default: pairs.append(("aaaaaaaaaaaaaaaa-\(n)-bbbbbbbb", "aaaaaaaaaaaaaaaa-\(n)-bbbbbbbb", .bool(n % 2 == 0)))
            }
        }
        pairs.append(("k\\u0065y-0", "key-0", .string("last")))
        pairs.append(("ключ-2", "ключ-2", .null))
        let object = "{" + pairs.map { "\"\($0.0)\": \(JSONWriter.compact($0.2))" }.joined(separator: ", ") + "}"
        let expected = JSONObject(pairs.map { ($0.1, $0.2) })
        let items = try XCTUnwrap(value("[\(object), \(object)]")?.arrayValue)
        XCTAssertEqual(expected.count, 300)
        for item in items {
            let parsed = try XCTUnwrap(item.objectValue)
            XCTAssertEqual(parsed.keys, expected.keys)
            XCTAssertEqual(parsed.values, expected.values)
        }
    }

    func testKeysOfTheSameFingerprintMakeDifferentShapes() throws {
        // Shapes are found by their keys' numbers: keys that agree on length, first and last 8
        // bytes are still different keys, object after object.
        let a = "aaaaaaaaXbbbbbbbb", b = "aaaaaaaaYbbbbbbbb"
        let items = try XCTUnwrap(value(#"[{"\#(a)": 1}, {"\#(b)": 2}, {"\#(a)": 3}, {"\#(b)": 4, "\#(a)": 5}, {"\#(a)": 6, "\#(b)": 7}]"#)?.arrayValue)
        XCTAssertEqual(items.map { $0.objectValue?.keys ?? [] }, [[a], [b], [a], [b, a], [a, b]])
        XCTAssertEqual(items.map { $0.objectValue?.values ?? [] }, [[.int(1)], [.int(2)], [.int(3)], [.int(4), .int(5)], [.int(6), .int(7)]])
    }

    func testAnEscapedKeyIsTheSameKeyInTheNextObject() throws {
        let items = try XCTUnwrap(value(#"[{"ab": 1, "c": 2}, {"a\u0062": 3, "c": 4}, {"ab": 5, "\u0063": 6}]"#)?.arrayValue)
        for (n, item) in items.enumerated() {
            XCTAssertEqual(item.objectValue?.keys, ["ab", "c"])
            XCTAssertEqual(item["ab"], .int(Int64(2 * n + 1)))
            XCTAssertEqual(item["c"], .int(Int64(2 * n + 2)))
        }
    }

    func testKeysGuessedFromTheLastObjectOfTheSameKeyAreCheckedByteForByte() throws {
        // Each object's keys are first tried against the shape of the last object under the
        // same key (here: every element of "items"). Whatever the guess, the keys read are
        // the input's: a longer key, the same key escaped, fewer or more keys, a key that
        // decodes to a quote, and a shape changed in the middle of an object by the objects in it.
        let json = #"""
            {"items": [{"name": 1, "kind": 2}, {"name": 3, "kind": 4}, {"names": 5}, {"n\u0061me": 6, "kind": 7},
            {"name": 8}, {"name": 9, "kind": 10, "extra": 11}, {"a\"b": 12}, {"a\"b": 13},
            {"name": {"name": {"x": 1}, "kind": {"y": 2}}, "kind": 14}, {"name": 15, "kind": 16}]}
            """#
        let items = try XCTUnwrap(value(json)?["items"]?.arrayValue)
        XCTAssertEqual(items.map { $0.objectValue?.keys ?? [] }, [
            ["name", "kind"], ["name", "kind"], ["names"], ["name", "kind"], ["name"], ["name", "kind", "extra"],
            ["a\"b"], ["a\"b"], ["name", "kind"], ["name", "kind"],
        ])
        XCTAssertEqual(items[3]["name"], .int(6))
        XCTAssertEqual(items[7]["a\"b"], .int(13))
        XCTAssertEqual(items[8]["name"]?["kind"]?["y"], .int(2))
        XCTAssertEqual(items[9]["kind"], .int(16))
    }

    func testKeysWrittenWithEscapesAreGuessedByTheirBytesAsWritten() throws {
        // A kept shape remembers each key as written, escapes and all: the same bytes again
        // are the same key, and bytes that only begin the same way are read in full.
        let json = #"""
            [{"x\\": 1, "k:{\"uid\":\"x\"}": 2, "\u0041": 3}, {"x\\": 4, "k:{\"uid\":\"x\"}": 5, "\u0041": 6},
             {"x\\y": 7, "k:{\"uid\":\"y\"}": 8, "\u00410": 9}, {"x\\\"": 10, "k:{\"uid\":\"x\"}": 11, "A": 12}]
            """#
        let items = try XCTUnwrap(value(json)?.arrayValue)
        XCTAssertEqual(items.map { $0.objectValue?.keys ?? [] }, [
            [#"x\"#, #"k:{"uid":"x"}"#, "A"], [#"x\"#, #"k:{"uid":"x"}"#, "A"],
            [#"x\y"#, #"k:{"uid":"y"}"#, "A0"], [#"x\""#, #"k:{"uid":"x"}"#, "A"],
        ])
        XCTAssertEqual(items.map { $0.objectValue?.values ?? [] }, (0..<4).map { n in (1...3).map { .int(Int64(3 * n + $0)) } })
        // Invalid UTF-8 in a key, the same bytes twice: U+FFFD both times.
        let invalid: [UInt8] = Array(#"[{""#.utf8) + [0xFF] + Array(#"": 1}, {""#.utf8) + [0xFF] + Array(#"": 2}]"#.utf8)
        let objects = try XCTUnwrap(try JSONParser.parse(bytes: invalid).arrayValue)
        XCTAssertEqual(objects.map { $0.objectValue?.keys ?? [] }, [["\u{FFFD}"], ["\u{FFFD}"]])
        XCTAssertEqual(objects[1]["\u{FFFD}"], .int(2))
    }

    func testAGuessedKeyCutOffByTheEndIsTheSameError() throws {
        // The second object's key is guessed from the first; cut anywhere, the error is the
        // one the string scanner gives, at the same place.
        let json = #"[{"name": 1}, {"name": 2}]"#
        for cut in 16...20 {
            let text = String(json.prefix(cut))
            let error = try XCTUnwrap(parseError(text), text)
            XCTAssertEqual(error.message, "unterminated string", text)
            XCTAssertEqual(error.column, 16, text)
        }
    }

    func testWhatFollowsAKeysColonIsReadAsBefore() throws {
        // `"key": value` is read without the general whitespace skip; every other spacing,
        // and every byte that is not a value there, gives what it gave before.
        for json in ["{\"a\":1}", "{\"a\": 1}", "{\"a\":  1}", "{\"a\":\t1}", "{\"a\": \n 1}", "{\"a\" : 1}", "{\"a\":\r\n1}", "{\"a\":1 }"] {
            XCTAssertEqual(value(json)?["a"], .int(1), json)
        }
        XCTAssertEqual(try XCTUnwrap(parseError(#"{"a":}"#)).message, "unexpected '}', expecting a value")
        XCTAssertEqual(try XCTUnwrap(parseError(#"{"a": }"#)).column, 7)
        XCTAssertEqual(try XCTUnwrap(parseError("{\"a\": \u{01}1}")).message, "unexpected byte 0x1, expecting a value")
        XCTAssertEqual(try XCTUnwrap(parseError(#"{"a":"#)).message, "unexpected end of input, expecting a value")
        XCTAssertEqual(try XCTUnwrap(parseError(#"{"a": "#)).message, "unexpected end of input, expecting a value")
        XCTAssertEqual(try XCTUnwrap(parseError(#"{"a" 1}"#)).message, "unexpected '1' after an object key, expecting ':'")
    }

    func testObjectsWithTheSameKeysStayIndependent() throws {
        // Objects with the same keys in the same order share their keys array; changing one
        // object must not change another.
        let items = try XCTUnwrap(value(#"[{"a": 1, "b": 2}, {"a": 3, "b": 4}, {"a": 5, "c": 6}]"#)?.arrayValue)
        var first = try XCTUnwrap(items[0].objectValue)
        first["z"] = .int(9)
        first["a"] = nil
        XCTAssertEqual(first.keys, ["b", "z"])
        XCTAssertEqual(items[1].objectValue?.keys, ["a", "b"])
        XCTAssertEqual(items[1]["b"], .int(4))
        XCTAssertEqual(items[2].objectValue?.keys, ["a", "c"])
    }

    func testRepeatedStringsStayExact() throws {
        // Long strings and keys are looked up by length, first and last 8 bytes: strings that
        // agree on all three but differ in the middle must stay apart.
        let a = "aaaaaaaaXbbbbbbbb", b = "aaaaaaaaYbbbbbbbb"
        let json = #"[{"\#(a)": "\#(a)", "\#(b)": "\#(b)"}, {"\#(b)": "\#(b)"}, "\#(a)", "\#(b)", "12345678", "1234567", "123456789", "1234567812345678"]"#
        let items = try XCTUnwrap(value(json)?.arrayValue)
        XCTAssertEqual(items[0].objectValue?.keys, [a, b])
        XCTAssertEqual(items[0][a], .string(a))
        XCTAssertEqual(items[0][b], .string(b))
        XCTAssertEqual(items[1][b], .string(b))
        XCTAssertEqual(Array(items[2...]), [a, b, "12345678", "1234567", "123456789", "1234567812345678"].map(JSONValue.string))
        // Keys and strings that end the input exactly, with no byte after them to read.
        for text in [#"{"k": "abcdefgh"}"#, #"{"abcdefgh": 1}"#, #"{"abc": "abcdefghijklmnopq"}"#, #""abcdefghijklmnopq""#] {
            XCTAssertNotNil(try? JSONParser.parse(bytes: Array(text.utf8)), text)
            XCTAssertThrowsError(try JSONParser.parse(bytes: Array(text.utf8.dropLast())), text)
        }
    }

    func testStringsEndWhereverTheyEndInAWord() throws {
        // Strings are scanned 8 bytes at a time: whatever ends the plain run (a quote, an
        // escape, a control character) or is not ASCII must be seen at every place in a word,
        // in the first word and after whole words.
        for n in 0..<26 {
            let run = String(repeating: "a", count: n)
            XCTAssertEqual(value("\"\(run)\""), .string(run), "length \(n)")
            XCTAssertEqual(value("{\"\(run)\": \"\(run)x\"}")?[run], .string(run + "x"), "key of length \(n)")
            XCTAssertEqual(value("\"\(run)\\n\(run)\""), .string(run + "\n" + run), "escape after \(n)")
            XCTAssertEqual(value("\"\(run)é\(run)\""), .string(run + "é" + run), "é after \(n)")
            XCTAssertEqual(value("\"\(run)~\u{7F}\""), .string(run + "~\u{7F}"), "~ and DEL after \(n)")
            let control = try XCTUnwrap(parseError("\"\(run)\u{1F}\(run)\""), "control after \(n)")
            XCTAssertEqual(control.column, n + 2, "control after \(n)")
            XCTAssertTrue(control.message.contains("control character"), control.message)
            let open = try XCTUnwrap(parseError("[\"\(run)"), "unterminated after \(n)")
            XCTAssertEqual(open.column, 2)
            // Keys that differ only in an invalid byte decode alike (U+FFFD) and are one key.
            let invalid = Array("{\"\(run)".utf8) + [0xFF] + Array("\": 1, \"\(run)".utf8) + [0xFE] + Array("\": 2}".utf8)
            let object = try XCTUnwrap(try JSONParser.parse(bytes: invalid).objectValue)
            XCTAssertEqual(object.keys, [run + "\u{FFFD}"], "invalid byte after \(n)")
            XCTAssertEqual(object[run + "\u{FFFD}"], .int(2))
        }
    }

    func testRunsOfSpacesOfEveryLength() throws {
        // Indentation is skipped a word at a time; the byte after it must be read wherever it falls.
        for n in 0..<20 {
            let spaces = String(repeating: " ", count: n)
            let json = "{\n\(spaces)\"a\":\(spaces)[\(spaces)1,\t\(spaces)2\r\n\(spaces)]\(spaces)}\(spaces)"
            XCTAssertEqual(value(json), .object(JSONObject([("a", .array([.int(1), .int(2)]))])), "\(n) spaces")
            let error = try XCTUnwrap(parseError("[\n\(spaces)x]"), "\(n) spaces")
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.column, n + 1)
        }
    }

    func testWhitespaceAndEmptyContainers() {
        XCTAssertEqual(value(" \t\r\n[ ] "), .array([]))
        XCTAssertEqual(value("{ \n }"), .object(JSONObject()))
        XCTAssertEqual(value("[[], [[]], {}]"), .array([.array([]), .array([.array([])]), .object(JSONObject())]))
    }

    func testTrailingDataAndStructuralErrors() throws {
        XCTAssertNotNil(parseError("{} {}"))
        XCTAssertNotNil(parseError("[1, 2,]"))
        XCTAssertNotNil(parseError(#"{"a": 1,}"#))
        XCTAssertNotNil(parseError(#"{"a" 1}"#))
        XCTAssertNotNil(parseError(#"{a: 1}"#))
        XCTAssertNotNil(parseError("[1 2]"))
        XCTAssertNotNil(parseError("tru"))
        XCTAssertNotNil(parseError(""))
        XCTAssertNotNil(parseError("   "))
        XCTAssertNotNil(parseError("[1, 2"))
    }

    func testErrorsGiveLineAndColumn() throws {
        let json = "{\"apiVersion\":\"v1\",\n\"kind\":\"ConfigMap\",\n  \"metadata\":{\"name\":\"x\"}, \"a\": tru}"
        let error = try XCTUnwrap(parseError(json))
        XCTAssertEqual(error.line, 3)
        XCTAssertEqual(error.column, 33)
        XCTAssertEqual(error.description, "invalid JSON at line 3, column 33: invalid literal, expecting 'true'")
    }

    func testNestingUpToGosLimitParses() throws {
        // kubectl accepts 10,000 levels and rejects 10,001 ("exceeded max depth").
        let depth = JSONParser.maxDepth
        var value = try XCTUnwrap(self.value(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
        var levels = 1
        while case .array(let items) = value, let first = items.first {
            value = first
            levels += 1
        }
        XCTAssertEqual(levels, depth)
    }

    func testNestingPastTheLimitIsAnErrorNotACrash() throws {
        let tooDeep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        let error = try XCTUnwrap(parseError(tooDeep))
        XCTAssertEqual(error.column, JSONParser.maxDepth + 1)
        XCTAssertTrue(error.message.contains("nesting"), error.message)
        // Far deeper input (a million levels) fails the same way instead of overflowing the stack.
        XCTAssertNotNil(parseError(String(repeating: #"{"a":"#, count: 1_000_000)))
    }

    func testBigInput() throws {
        // 20,000 objects, about 2 MB: every element arrives, in order.
        var json = "{\"items\": ["
        for n in 0..<20_000 {
            if n > 0 { json += "," }
            json += #"{"metadata": {"name": "pod-\#(n)", "namespace": "ns-\#(n % 7)"}, "spec": {"nodeName": "ip-10-0-\#(n % 250)-1.ec2.internal", "restartCount": \#(n)}}"#
        }
        json += "]}"
        let items = try XCTUnwrap(value(json)?["items"]?.arrayValue)
        XCTAssertEqual(items.count, 20_000)
        XCTAssertEqual(items[12_345]["metadata"]?["name"], .string("pod-12345"))
        XCTAssertEqual(items[19_999]["spec"]?["restartCount"], .int(19_999))
        XCTAssertEqual(items[251]["spec"]?["nodeName"], .string("ip-10-0-1-1.ec2.internal"))
    }

    func testStreamOfValues() throws {
        let json = " {\"a\": 1}\n{\"a\": 2} [3] "
        let values = try json.utf8CString.withUnsafeBytes {
            try JSONParser.parseStream(UnsafeRawBufferPointer(rebasing: $0.dropLast()))
        }
        XCTAssertEqual(values, [.object(JSONObject([("a", .int(1))])), .object(JSONObject([("a", .int(2))])), .array([.int(3)])])
    }
}
