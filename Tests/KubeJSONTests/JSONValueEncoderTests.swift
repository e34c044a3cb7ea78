import KubeJSON
import XCTest

final class JSONValueEncoderTests: XCTestCase {
    struct Step: Encodable {
        var id: String
        var points: Int
        var weight: Double
        var done: Bool
    }

    struct Output: Encodable {
        var lab: String
        var commit: String?
        var steps: [Step]
        var evidence: JSONValue
        var nothing: [String]
    }

    func testKeysKeepTheirOrderIntegersStayIntegersAndNilIsNull() throws {
        let output = Output(lab: "health-probes", commit: nil, steps: [Step(id: "liveness", points: 2, weight: 0.5, done: true)],
                            evidence: .object(JSONObject([("z", .int(1)), ("a", .array([.string("x"), .null]))])), nothing: [])
        let value = try JSONValueEncoder().encode(output)
        XCTAssertEqual(value.objectValue?.keys, ["lab", "commit", "steps", "evidence", "nothing"])
        XCTAssertEqual(try JSONValueEncoder().pretty(output), JSONWriter.pretty(.object(JSONObject([
            ("lab", .string("health-probes")), ("commit", .null),
            ("steps", .array([.object(JSONObject([("id", .string("liveness")), ("points", .int(2)), ("weight", .double(0.5)), ("done", .bool(true))]))])),
            ("evidence", .object(JSONObject([("z", .int(1)), ("a", .array([.string("x"), .null]))]))),
            ("nothing", .array([])),
        ]))) + "\n")
    }

    /// A wrapper that encodes what it wraps and then its own keys writes one object.
    struct Wrapped: Encodable {
        var inner: Step
        var extra: String
        enum Keys: String, CodingKey { case extra, id }
        func encode(to encoder: Encoder) throws {
            try inner.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(extra, forKey: .extra)
            try container.encode("replaced", forKey: .id)
        }
    }

    func testContainersOnOneEncoderWriteOneObject() throws {
        let value = try JSONValueEncoder().encode(Wrapped(inner: Step(id: "s", points: 1, weight: 1, done: false), extra: "e"))
        XCTAssertEqual(value.objectValue?.keys, ["id", "points", "weight", "done", "extra"], "a key written again keeps its place")
        XCTAssertEqual(value["id"], .string("replaced"))
        XCTAssertEqual(value["weight"], .double(1))
    }
}
