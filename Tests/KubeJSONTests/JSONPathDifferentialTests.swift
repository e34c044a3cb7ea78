import Foundation
import KubeJSON
import XCTest

/// klab's JSONPath against kubectl's, case by case.
///
/// The expectations in `Tests/Fixtures/jsonpath/golden.json` are what kubectl itself printed for
/// each (object, template) of `cases.txt` (`Scripts/gen-jsonpath-golden` runs
/// `kubectl label --local -f OBJ.json zzprobe- -o jsonpath=TEMPLATE`), so this suite runs where
/// kubectl is missing. Every disagreement is listed at once, with the case id, the template,
/// what kubectl did and what klab did.
final class JSONPathDifferentialTests: XCTestCase {
    func testKlabPrintsWhatKubectlPrints() throws {
        let golden = try Golden.load()
        var objects: [String: JSONValue] = [:]
        var disagreements: [String] = []

        for expected in golden.cases {
            if objects[expected.object] == nil {
                let data = try Data(contentsOf: Golden.directory.appendingPathComponent("objects/\(expected.object)"))
                objects[expected.object] = try JSONParser.parse(bytes: data)
            }
            let actual = Outcome(template: expected.template, object: objects[expected.object]!)
            if let problem = expected.disagreement(with: actual) {
                disagreements.append("""
                    \(expected.id) (\(expected.object)): \(String(reflecting: expected.template))
                      kubectl: \(expected.summary)
                      klab:    \(actual.summary)\(problem.isEmpty ? "" : "\n  " + problem)
                    """)
            }
        }

        let agreed = golden.cases.count - disagreements.count
        let rate = Double(agreed) * 100 / Double(golden.cases.count)
        let summary = "JSONPath differential: klab agrees with kubectl \(golden.kubectl) on "
            + "\(agreed) of \(golden.cases.count) cases (\(String(format: "%.1f", rate))%)"
        print(summary)
        if !disagreements.isEmpty {
            XCTFail("\(summary); \(disagreements.count) disagree:\n" + disagreements.joined(separator: "\n"))
        }
    }

    /// The suite is only as good as its corpus: enough cases, over every fixture object, with
    /// failures of both kinds and map-order cases among them.
    func testCorpusCoversTheGrammarAndTheObjects() throws {
        let golden = try Golden.load()
        XCTAssertGreaterThanOrEqual(golden.cases.count, 150)
        XCTAssertEqual(Set(golden.cases.map(\.id)).count, golden.cases.count, "case ids must be unique")

        let objectFiles = try FileManager.default
            .contentsOfDirectory(atPath: Golden.directory.appendingPathComponent("objects").path)
            .filter { $0.hasSuffix(".json") }
        XCTAssertEqual(Set(golden.cases.map(\.object)), Set(objectFiles), "every object has cases, every case an object")

        let kinds = Set(golden.cases.compactMap { $0.error?.kind })
        XCTAssertEqual(kinds, ["parse", "execute"])
        XCTAssertTrue(golden.cases.contains { $0.compare == "words" && $0.words != nil })
        for feature in ["range", "..", "[?(", "[-1]", "::", "','", "\\.", "{\"\\n\"}", "$", "@"] {
            XCTAssertTrue(golden.cases.contains { $0.template.contains(feature) }, "no case uses \(feature)")
        }
    }
}

/// What klab did with one template: printed text, or failed the way `JSONPathError` says.
private enum Outcome {
    case printed(String)
    case failed(kind: String, message: String)
    case crashed(String)

    init(template: String, object: JSONValue) {
        do {
            let path = try JSONPath(template)
            self = .printed(try path.print(object))
        } catch let error as JSONPathError {
            self = .failed(kind: error.kind == .parse ? "parse" : "execute", message: error.message)
        } catch {
            self = .crashed("\(type(of: error)): \(error)")
        }
    }

    var summary: String {
        switch self {
        case .printed(let text): return "printed \(String(reflecting: text))"
        case .failed(let kind, let message): return "\(kind) error \(String(reflecting: message))"
        case .crashed(let text): return "threw something other than JSONPathError: \(text)"
        }
    }
}

/// `golden.json` as `Scripts/gen-jsonpath-golden` writes it.
private struct Golden: Decodable {
    var kubectl: String
    var cases: [Case]

    static var directory: URL {
        // Tests/KubeJSONTests/<this file> -> package root -> Tests/Fixtures/jsonpath
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/jsonpath")
    }

    static func load() throws -> Golden {
        let data = try Data(contentsOf: directory.appendingPathComponent("golden.json"))
        return try JSONDecoder().decode(Golden.self, from: data)
    }

    struct Case: Decodable {
        var id: String
        var object: String
        var template: String
        /// `exact`, or `words` where Go's random map order makes only the multiset of words stable.
        var compare: String
        var exit: Int
        var stdout: String?
        /// For `words` cases: kubectl's output split at ASCII whitespace, sorted.
        var words: [String]?
        var error: Failure?

        struct Failure: Decodable {
            var kind: String
            var message: String
        }

        var summary: String {
            if let error { return "\(error.kind) error \(String(reflecting: error.message))" }
            if let words { return "printed the words \(words)" }
            return "printed \(String(reflecting: stdout ?? ""))"
        }

        /// nil when klab did what kubectl did; otherwise a note (possibly empty) on the difference.
        func disagreement(with actual: Outcome) -> String? {
            switch (error, actual) {
            case (let expected?, .failed(let kind, let message)):
                if expected.kind != kind { return "klab failed, but while \(kind == "parse" ? "parsing" : "executing")" }
                return expected.message == message ? nil : ""
            case (nil, .printed(let text)):
                if let words {
                    let actualWords = Self.words(of: text)
                    let same = actualWords.map { Array($0.utf8) } == words.sorted().map { Array($0.utf8) }
                    return same ? nil : "as words: \(actualWords)"
                }
                // Byte for byte: String equality would forgive Unicode normalisation differences.
                return Array(text.utf8) == Array((stdout ?? "").utf8) ? nil : ""
            default:
                return ""
            }
        }

        static func words(of text: String) -> [String] {
            text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                .map(String.init).sorted()
        }
    }
}
