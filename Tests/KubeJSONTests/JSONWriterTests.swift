import XCTest
@testable import KubeJSON

final class JSONWriterTests: XCTestCase {
    /// kubectl v1.32, `-o jsonpath='{.a}'` on this map, printed exactly the expected string:
    /// sorted keys (by bytes), HTML characters and U+2028/29 escaped, \b and \f short, DEL raw,
    /// floats as encoding/json writes them, integers kept.
    func testGoCompactMatchesKubectl() throws {
        let input = #"""
        {"z":1,"b":"<a href=\"x\">&amp;</a>","c":"line\u2028sep\u2029x","d":"\u0001\u0008\u000c\t\n\r\u001f\u007f","e":[1.5e6,1e21,1e-7,0.000001,-0.0,1.0,2.5,123456789012345678,1e20,0.1],"f":"é😀\\/","A":null,"B":true,"_":{},"aa":[],"é":1,"Z":"\ufffd"}
        """#
        let expected = #"""
        {"A":null,"B":true,"Z":"�","_":{},"aa":[],"b":"\u003ca href=\"x\"\u003e\u0026amp;\u003c/a\u003e","c":"line\u2028sep\u2029x","d":"\u0001\b\f\t\n\r\u001f<DEL>","e":[1500000,1e+21,1e-7,0.000001,-0,1,2.5,123456789012345678,100000000000000000000,0.1],"f":"é😀\\/","z":1,"é":1}
        """#.replacingOccurrences(of: "<DEL>", with: "\u{7F}")
        XCTAssertEqual(JSONWriter.goCompact(try JSONParser.parse(input)), expected)
    }

    func testGoCompactOfScalarsAndNesting() throws {
        XCTAssertEqual(JSONWriter.goCompact(.null), "null")
        XCTAssertEqual(JSONWriter.goCompact(.string("a\"b")), #""a\"b""#)
        XCTAssertEqual(JSONWriter.goCompact(.int(-9_223_372_036_854_775_808)), "-9223372036854775808")
        let nested = try JSONParser.parse(#"{"b":[{"y":1,"x":[true,{"k":"v","a":null}]}],"a":{}}"#)
        XCTAssertEqual(JSONWriter.goCompact(nested), #"{"a":{},"b":[{"x":[true,{"a":null,"k":"v"}],"y":1}]}"#)
    }

    func testCompactKeepsKeyOrderAndDoesNotEscapeHTML() throws {
        let value = try JSONParser.parse(#"{"z": "<b>", "a": [1, 2.5]}"#)
        XCTAssertEqual(JSONWriter.compact(value), #"{"z":"<b>","a":[1,2.5]}"#)
    }

    func testPrettyIndentsTwoSpacesInKeyOrder() throws {
        let value = try JSONParser.parse(#"{"name": "web", "ports": [80, 443], "labels": {}, "spec": {"replicas": 3}}"#)
        XCTAssertEqual(JSONWriter.pretty(value), """
        {
          "name": "web",
          "ports": [
            80,
            443
          ],
          "labels": {},
          "spec": {
            "replicas": 3
          }
        }
        """)
    }

    func testWrittenJSONParsesBackToTheSameValue() throws {
        let text = #"{"s":"tab\there \"q\" \\ \u0001 é 😀","n":[0,-1,1.5,1e-7,1e21],"o":{"k":[null,false]}}"#
        let value = try JSONParser.parse(text)
        for options in [JSONWriter.Options.goCompact, .compact, .pretty] {
            XCTAssertEqual(try JSONParser.parse(JSONWriter.write(value, options: options)), value)
        }
    }
}
